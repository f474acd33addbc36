"""Binary logistic regression from scratch in NumPy, trained by batch gradient descent.

The deeplearning.ai "logistic regression as a neural network" exercise, on real data: MNIST
digits 3 and 5 (label 1 for a 5, 0 for a 3). Examples are **columns**: ``X`` is ``(dim, m)``,
``Y`` is ``(1, m)``, ``w`` is ``(dim, 1)`` and ``b`` a float. Names and shapes are the
assignment's contract (``assignments/numpy-logreg``).
"""

import numpy as np


def sigmoid(z):
    """Elementwise logistic function ``1 / (1 + exp(-z))``, numerically stable.

    Inputs:
    - z: a number or an array of any shape.

    Returns s, same shape as z, with values in [0, 1]. Only ``exp(-|z|) <= 1`` is ever
    computed, so inputs as large as +-1000 give 1 and 0 without overflow or NaN.
    """
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION


def initialize_with_zeros(dim):
    """Zero initialisation of the parameters.

    Inputs:
    - dim: number of features (784 for flattened MNIST images).

    Returns a tuple (w, b): w a float array of zeros of shape (dim, 1), b the float 0.0.
    """
    # BEGIN SOLUTION
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b
    # END SOLUTION


def propagate(w, b, X, Y):
    """Forward and backward pass: the mean cross-entropy cost and its gradient.

    Inputs:
    - w: weights of shape (dim, 1).
    - b: bias, a float.
    - X: data of shape (dim, m), one example per column.
    - Y: labels of shape (1, m), each 0 or 1.

    With ``A = sigmoid(w.T @ X + b)`` of shape (1, m), returns a tuple (grads, cost):
    - grads: a dict with "dw", shape (dim, 1), and "db", a float: the gradient of the cost.
    - cost: the float ``-(1/m) * sum(Y * log(A) + (1 - Y) * log(1 - A))``.
    """
    # BEGIN SOLUTION
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    # log(A) = -log(1 + exp(-Z)) and log(1 - A) = -log(1 + exp(Z)): finite even where A rounds to 0 or 1
    cost = float(np.sum(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z)) / m)
    dZ = A - Y
    dw = X @ dZ.T / m
    db = float(np.sum(dZ) / m)
    return {"dw": dw, "db": db}, cost
    # END SOLUTION


def optimize(w, b, X, Y, num_iterations, learning_rate):
    """Batch gradient descent on the cost of ``propagate``.

    Inputs:
    - w: initial weights of shape (dim, 1); b: initial bias, a float (neither is modified).
    - X: data of shape (dim, m); Y: labels of shape (1, m).
    - num_iterations: number of gradient steps, each on all m examples.
    - learning_rate: step size.

    Each iteration i computes (grads, cost) = propagate(w, b, X, Y), records cost when
    ``i % 100 == 0``, then steps ``w -= learning_rate * dw`` and ``b -= learning_rate * db``.

    Returns a tuple (params, grads, costs):
    - params: a dict with the final "w" (dim, 1) and "b" (a float);
    - grads: the dict from the last call to propagate (before the last step);
    - costs: list of floats, the costs of iterations 0, 100, 200, ...
    """
    # BEGIN SOLUTION
    w = np.array(w, dtype=np.float64)
    b = float(b)
    costs = []
    grads = {}
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        if i % 100 == 0:
            costs.append(cost)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
    return {"w": w, "b": b}, grads, costs
    # END SOLUTION


def predict(w, b, X):
    """Predicted labels: 1 where the model's probability exceeds 0.5, else 0.

    Inputs:
    - w: weights of shape (dim, 1); b: bias, a float.
    - X: data of shape (dim, m), one example per column.

    Returns Y_prediction of shape (1, m), float 0. or 1.: 1. where ``sigmoid(w.T @ X + b) > 0.5``
    (strictly: a probability of exactly 0.5 is predicted 0.).
    """
    # BEGIN SOLUTION
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(np.float64)
    # END SOLUTION
