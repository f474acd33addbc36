"""A one-hidden-layer neural network from scratch in NumPy: tanh hidden layer, sigmoid output.

The deeplearning.ai "planar data classification with one hidden layer" exercise, on the planar
"flower" dataset (two petal classes with noise). Examples are **columns**: ``X`` is ``(n_x, m)``,
``Y`` is ``(1, m)``. Parameters are a dict ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``,
``b2 (n_y, 1)``. Names and shapes are the assignment's contract (``assignments/numpy-mlp``).
"""

import numpy as np


def load_planar_dataset(seed=1, m=400):
    """The planar "flower": m points in 2-D, two classes of m // 2 points, petals with noise.

    The classic ``load_planar_dataset`` recipe (``a = 4`` petal length, noise 0.2 on the angle
    and on the radius), with an explicit ``np.random.default_rng(seed)`` in place of the global
    seed. Returns (X, Y): X float64 (2, m), one point per column; Y float64 (1, m) of 0. and 1.
    Different seeds give independent samples from the same distribution.
    """
    rng = np.random.default_rng(seed)
    n = m // 2
    a = 4  # maximum ray of the flower
    X = np.zeros((2 * n, 2))
    Y = np.zeros((2 * n, 1))
    for j in range(2):
        ix = slice(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + rng.standard_normal(n) * 0.2  # angle
        r = a * np.sin(4 * t) + rng.standard_normal(n) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T.copy(), Y.T.copy()


def sigmoid(z):
    """Elementwise logistic function ``1 / (1 + exp(-z))``, without overflow for large |z|.

    Given to students (it is no question): the notebook defines it before the questions.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def layer_sizes(X, Y):
    """The sizes of the three layers.

    Inputs:
    - X: input data of shape (n_x, m); Y: labels of shape (n_y, m).

    Returns a tuple of ints (n_x, n_h, n_y): n_x = X.shape[0], n_h = 4, n_y = Y.shape[0].
    """
    # BEGIN SOLUTION
    n_x = X.shape[0]
    n_h = 4
    n_y = Y.shape[0]
    return n_x, n_h, n_y
    # END SOLUTION


def initialize_parameters(n_x, n_h, n_y, seed=2):
    """Small random weights, zero biases, from a generator seeded by ``seed``.

    With ``rng = np.random.default_rng(seed)``, draws W1 first, then W2:
    - W1 = rng.standard_normal((n_h, n_x)) * 0.01; b1 = np.zeros((n_h, 1))
    - W2 = rng.standard_normal((n_y, n_h)) * 0.01; b2 = np.zeros((n_y, 1))

    Returns parameters, a dict with keys "W1", "b1", "W2", "b2".
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((n_h, n_x)) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = rng.standard_normal((n_y, n_h)) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    # END SOLUTION


def forward_propagation(X, parameters):
    """Forward pass: tanh hidden layer, sigmoid output.

    Inputs:
    - X: input data of shape (n_x, m).
    - parameters: dict with "W1", "b1", "W2", "b2".

    Computes Z1 = W1 @ X + b1, A1 = tanh(Z1), Z2 = W2 @ A1 + b2, A2 = sigmoid(Z2).
    Returns a tuple (A2, cache): A2 of shape (n_y, m), cache a dict with "Z1", "A1", "Z2", "A2".
    """
    # BEGIN SOLUTION
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    Z2 = W2 @ A1 + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    # END SOLUTION


def compute_cost(A2, Y):
    """Mean cross-entropy cost.

    Inputs:
    - A2: the output probabilities, shape (1, m); Y: labels of shape (1, m), each 0 or 1.

    Returns the float ``-(1/m) * sum(Y * log(A2) + (1 - Y) * log(1 - A2))``.
    """
    # BEGIN SOLUTION
    m = Y.shape[1]
    logprobs = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)
    return float(-np.sum(logprobs) / m)
    # END SOLUTION


def backward_propagation(parameters, cache, X, Y):
    """Backward pass: the gradient of compute_cost(A2, Y) with respect to the parameters.

    Inputs:
    - parameters: dict with "W1", "b1", "W2", "b2"; cache: the dict from forward_propagation.
    - X: input data of shape (n_x, m); Y: labels of shape (1, m).

    With dZ2 = A2 - Y and dZ1 = (W2.T @ dZ2) * (1 - A1**2) (the derivative of tanh):
    dW2 = dZ2 @ A1.T / m, db2 = sum of dZ2 over the examples / m (shape (n_y, 1)),
    dW1 = dZ1 @ X.T / m, db1 = sum of dZ1 over the examples / m (shape (n_h, 1)).
    Returns grads, a dict with "dW1", "db1", "dW2", "db2", each of its parameter's shape.
    """
    # BEGIN SOLUTION
    m = X.shape[1]
    W2 = parameters["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1**2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    # END SOLUTION


def update_parameters(parameters, grads, learning_rate=1.2):
    """One gradient descent step: ``theta = theta - learning_rate * dtheta`` for each parameter.

    Inputs:
    - parameters: dict with "W1", "b1", "W2", "b2" (not modified).
    - grads: dict with "dW1", "db1", "dW2", "db2".

    Returns the updated parameters, a new dict with the same keys and shapes.
    """
    # BEGIN SOLUTION
    return {name: parameters[name] - learning_rate * grads["d" + name] for name in ("W1", "b1", "W2", "b2")}
    # END SOLUTION


def nn_model(X, Y, n_h, num_iterations=10000, seed=3):
    """Train the network by batch gradient descent at learning rate 1.2.

    Inputs:
    - X: data of shape (n_x, m); Y: labels of shape (1, m).
    - n_h: size of the hidden layer.
    - num_iterations: number of gradient steps, each on all m examples.
    - seed: passed to initialize_parameters.

    n_x and n_y come from layer_sizes(X, Y); parameters start at
    initialize_parameters(n_x, n_h, n_y, seed); each iteration runs forward_propagation,
    backward_propagation and update_parameters(parameters, grads, 1.2).
    Returns the parameters after the last step.
    """
    # BEGIN SOLUTION
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y, seed)
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
    return parameters
    # END SOLUTION


def predict(parameters, X):
    """Predicted classes: 1 where the network's output probability exceeds 0.5, else 0.

    Inputs:
    - parameters: dict with "W1", "b1", "W2", "b2"; X: data of shape (n_x, m).

    Returns predictions of shape (1, m), float 0. or 1.: 1. where A2 > 0.5 (strictly: a
    probability of exactly 0.5 is predicted 0.).
    """
    # BEGIN SOLUTION
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).astype(np.float64)
    # END SOLUTION
