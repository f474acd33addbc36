"""Modular fully-connected networks in NumPy (CS231n assignment 2: ``layers.py``, ``fc_net.py``,
``optim.py`` and a minimal ``solver.py``).

Float64 throughout, batch-first inputs. Names and contracts are the assignment's
(``assignments/numpy-layers``) and CS231n's:

- layers: ``*_forward(...) -> (out, cache)`` and ``*_backward(dout, cache) -> gradients``;
  ``affine_forward`` flattens an input of shape (N, d_1, ..., d_k) to (N, D), D = d_1 * ... * d_k,
  row-major like ``x.reshape(N, -1)``, and ``affine_backward`` returns dx in the input's shape;
- ``softmax_loss(x, y) -> (loss, dx)``: mean cross-entropy over the batch of the softmax of the
  scores ``x`` (N, C) for integer labels ``y`` (N,);
- ``FullyConnectedNet``: ``{affine - relu} x (L - 1) - affine - softmax`` with L2 regularization
  ``0.5 * reg * sum(W ** 2)`` over the weights only (not the biases); weights drawn as
  ``weight_scale * rng.standard_normal((fan_in, fan_out))`` with ``rng = np.random.default_rng(seed)``,
  layer by layer, biases zero;
- update rules ``update(w, dw, config) -> (next_w, config)``, CS231n's ``sgd``,
  ``sgd_momentum`` and ``adam`` with their config keys and defaults. The updated config is
  returned (the grader never sees a dict changed in place); the reference does not change its
  arguments;
- ``train``: minibatch training with a per-epoch shuffle from ``np.random.default_rng(seed)``,
  one config dict per parameter, learning-rate decay after every epoch (CS231n ``Solver``).

Each function refers only to numpy and to the other functions of this module (the notebook
holds only their sources).
"""

import numpy as np


def affine_forward(x, w, b):
    """Forward pass of an affine (fully-connected) layer: ``out = x.reshape(N, D) @ w + b``.

    Inputs:
    - x: input of shape (N, d_1, ..., d_k), float64; each example is flattened row-major to a
      row of D = d_1 * ... * d_k values.
    - w: weights of shape (D, M).
    - b: biases of shape (M,).

    Returns a tuple (out, cache):
    - out: output of shape (N, M);
    - cache: whatever affine_backward needs (any object).
    """
    # BEGIN SOLUTION
    out = x.reshape(x.shape[0], -1) @ w + b
    cache = (x, w, b)
    return out, cache
    # END SOLUTION


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    Inputs:
    - dout: upstream derivative of shape (N, M).
    - cache: the cache returned by affine_forward.

    Returns a tuple (dx, dw, db):
    - dx: gradient with respect to x, of the shape of x, (N, d_1, ..., d_k);
    - dw: gradient with respect to w, shape (D, M);
    - db: gradient with respect to b, shape (M,).
    """
    # BEGIN SOLUTION
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = np.sum(dout, axis=0)
    return dx, dw, db
    # END SOLUTION


def relu_forward(x):
    """Forward pass of a rectified linear unit: ``out = max(0, x)`` elementwise.

    Input: x, an array of any shape. Returns a tuple (out, cache): out of the shape of x, and
    whatever relu_backward needs.
    """
    # BEGIN SOLUTION
    out = np.maximum(0, x)
    cache = x
    return out, cache
    # END SOLUTION


def relu_backward(dout, cache):
    """Backward pass of a ReLU: dout where the input was positive, 0 elsewhere (0 at x = 0 too,
    as in CS231n).

    Inputs: dout, upstream derivative of any shape; cache, the cache returned by relu_forward.
    Returns dx, the gradient with respect to x, of the shape of dout.
    """
    # BEGIN SOLUTION
    x = cache
    dx = dout * (x > 0)
    return dx
    # END SOLUTION


def sigmoid_forward(x):
    """Forward pass of the logistic sigmoid: ``out = 1 / (1 + exp(-x))`` elementwise.

    Must stay finite and warning-free for inputs as large as +-1000: with ``z = exp(-|x|)``,
    ``sigmoid(x) = 1 / (1 + z)`` for x >= 0 and ``z / (1 + z)`` for x < 0.

    Input: x, an array of any shape. Returns a tuple (out, cache): out of the shape of x, with
    values in [0, 1], and whatever sigmoid_backward needs.
    """
    # BEGIN SOLUTION
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    cache = out
    return out, cache
    # END SOLUTION


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid: ``dx = dout * s * (1 - s)`` with ``s = sigmoid(x)``.

    Inputs: dout, upstream derivative of any shape; cache, the cache returned by sigmoid_forward.
    Returns dx, the gradient with respect to x, of the shape of dout.
    """
    # BEGIN SOLUTION
    out = cache
    dx = dout * out * (1 - out)
    return dx
    # END SOLUTION


def tanh_forward(x):
    """Forward pass of the hyperbolic tangent, elementwise.

    Input: x, an array of any shape. Returns a tuple (out, cache): out of the shape of x, with
    values in [-1, 1], and whatever tanh_backward needs.
    """
    # BEGIN SOLUTION
    out = np.tanh(x)
    cache = out
    return out, cache
    # END SOLUTION


def tanh_backward(dout, cache):
    """Backward pass of tanh: ``dx = dout * (1 - t ** 2)`` with ``t = tanh(x)``.

    Inputs: dout, upstream derivative of any shape; cache, the cache returned by tanh_forward.
    Returns dx, the gradient with respect to x, of the shape of dout.
    """
    # BEGIN SOLUTION
    out = cache
    dx = dout * (1 - out**2)
    return dx
    # END SOLUTION


def softmax_loss(x, y):
    """Softmax cross-entropy loss and its gradient (CS231n ``softmax_loss``).

    ``loss = -(1 / N) * sum_i log(softmax(x_i)[y_i])``, computed stably (shifting each row by its
    maximum), so that scores as large as +-1000 give a finite loss.

    Inputs:
    - x: scores of shape (N, C), x[i, c] the score of class c for example i.
    - y: integer labels of shape (N,), 0 <= y[i] < C.

    Returns a tuple (loss, dx):
    - loss: the mean loss over the batch, a float;
    - dx: gradient of loss with respect to x, shape (N, C): ``(softmax(x) - onehot(y)) / N``.
    """
    # BEGIN SOLUTION
    N = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -float(np.mean(log_probs[np.arange(N), y]))
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx
    # END SOLUTION


class FullyConnectedNet:
    """A fully-connected network of L = len(hidden_dims) + 1 layers with ReLU hidden layers and a
    softmax loss (CS231n ``fc_net.py``, without dropout and normalization):

        {affine - relu} x (L - 1) - affine - softmax

    Learnable parameters live in ``self.params``: ``"W1"``, ``"b1"`` for the first layer,
    ``"W2"``, ``"b2"`` for the second, and so on, W{i} of shape (fan_in, fan_out), b{i} of
    shape (fan_out,).
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, weight_scale=1e-2, reg=0.0,
                 dtype=np.float64, seed=None):
        """Initialize the parameters.

        Inputs:
        - hidden_dims: list of the sizes of the hidden layers (may be empty: softmax regression).
        - input_dim: D, the size of an input once flattened.
        - num_classes: C, the number of classes.
        - weight_scale: standard deviation of the weights; W{i} is drawn as
          ``weight_scale * rng.standard_normal((fan_in, fan_out))`` with
          ``rng = np.random.default_rng(seed)``, W1 first, then W2, ...; biases are zeros.
        - reg: L2 regularization strength.
        - dtype: numpy dtype (or its name) of the parameters and computations.
        - seed: seed of the weight initialization (None: fresh randomness).
        """
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        # BEGIN SOLUTION
        rng = np.random.default_rng(seed)
        dims = [input_dim, *hidden_dims, num_classes]
        for i in range(1, self.num_layers + 1):
            fan_in, fan_out = dims[i - 1], dims[i]
            self.params[f"W{i}"] = (weight_scale * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            self.params[f"b{i}"] = np.zeros(fan_out, dtype=dtype)
        # END SOLUTION

    def loss(self, X, y=None):
        """Scores, or loss and gradients, for a minibatch.

        Inputs:
        - X: input data of shape (N, d_1, ..., d_k), with d_1 * ... * d_k = input_dim.
        - y: integer labels of shape (N,), or None.

        Returns:
        - when y is None: scores, shape (N, C), the output of the last affine layer (no softmax);
        - otherwise a tuple (loss, grads): loss, a float, the mean softmax cross-entropy plus
          ``0.5 * reg * sum(W{i} ** 2)`` summed over all weight matrices (biases are not
          regularized); grads, a dict with the keys of self.params, grads[k] the gradient of
          loss with respect to self.params[k], of the same shape.
        """
        X = X.astype(self.dtype)
        # BEGIN SOLUTION
        L = self.num_layers
        out, caches = X, []
        for i in range(1, L):
            out, affine_cache = affine_forward(out, self.params[f"W{i}"], self.params[f"b{i}"])
            out, relu_cache = relu_forward(out)
            caches.append((affine_cache, relu_cache))
        scores, last_cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores

        loss, dout = softmax_loss(scores, y)
        grads = {}
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, last_cache)
        for i in range(L - 1, 0, -1):
            affine_cache, relu_cache = caches[i - 1]
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(relu_backward(dout, relu_cache), affine_cache)
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * float(np.sum(W * W))
            grads[f"W{i}"] += self.reg * W
        return loss, grads
        # END SOLUTION


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: ``next_w = w - learning_rate * dw``.

    Inputs:
    - w, dw: parameter and its gradient, arrays of the same shape.
    - config: dict (or None) with "learning_rate" (default 1e-2).

    Returns a tuple (next_w, config): the updated parameter, and the config holding every
    setting used (defaults filled in).
    """
    # BEGIN SOLUTION
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-2)
    next_w = w - config["learning_rate"] * dw
    return next_w, config
    # END SOLUTION


def sgd_momentum(w, dw, config=None):
    """Stochastic gradient descent with momentum (CS231n ``optim.sgd_momentum``):

        v = momentum * v - learning_rate * dw
        next_w = w + v

    Inputs:
    - w, dw: parameter and its gradient, arrays of the same shape.
    - config: dict (or None) with "learning_rate" (default 1e-2), "momentum" (default 0.9) and
      "velocity" (an array of the shape of w, zeros when absent).

    Returns a tuple (next_w, config): the updated parameter, and the config holding the settings
    and the new "velocity" v, to be passed to the next call.
    """
    # BEGIN SOLUTION
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config
    # END SOLUTION


def adam(w, dw, config=None):
    """Adam (Kingma and Ba, 2015, Algorithm 1; CS231n ``optim.adam``), with bias correction:

        t = t + 1
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw ** 2
        next_w = w - learning_rate * (m / (1 - beta1 ** t)) / (sqrt(v / (1 - beta2 ** t)) + epsilon)

    Inputs:
    - w, dw: parameter and its gradient, arrays of the same shape.
    - config: dict (or None) with "learning_rate" (default 1e-3), "beta1" (0.9), "beta2" (0.999),
      "epsilon" (1e-8), the moving averages "m" and "v" (arrays of the shape of w, zeros when
      absent) and the step count "t" (0 when absent; incremented before it is used).

    Returns a tuple (next_w, config): the updated parameter, and the config holding the settings
    and the new "m", "v" and "t", to be passed to the next call.
    """
    # BEGIN SOLUTION
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    beta1, beta2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = beta1 * config.get("m", np.zeros_like(w)) + (1 - beta1) * dw
    v = beta2 * config.get("v", np.zeros_like(w)) + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config.update(m=m, v=v, t=t)
    return next_w, config
    # END SOLUTION


def train(net, X, y, update_rule="sgd", optim_config=None, lr_decay=1.0, num_epochs=10, batch_size=100, seed=0):
    """Train ``net`` in place by minibatch gradient descent (a minimal CS231n ``Solver``).

    With ``rng = np.random.default_rng(seed)``, each epoch draws ``order = rng.permutation(N)``
    and takes one step per minibatch ``order[start : start + batch_size]`` for start = 0,
    batch_size, 2 * batch_size, ... (the last minibatch may be smaller). A step computes
    ``loss, grads = net.loss(X[batch], y[batch])`` and updates every parameter ``p`` with
    ``net.params[p], config[p] = update(net.params[p], grads[p], config[p])``, where each
    parameter has its own config, a copy of optim_config at the start. After every epoch, each
    config's "learning_rate" is multiplied by lr_decay.

    Inputs:
    - net: a FullyConnectedNet (anything with ``params`` and ``loss(X, y)``); its params are
      replaced as it trains.
    - X: training inputs of shape (N, d_1, ..., d_k); y: integer labels of shape (N,).
    - update_rule: "sgd", "sgd_momentum" or "adam".
    - optim_config: settings for the update rule, e.g. {"learning_rate": 1e-3} (None: {}).
    - lr_decay: factor applied to the learning rate after each epoch.
    - num_epochs, batch_size: passes over the data, and examples per step.
    - seed: seeds the shuffles.

    Returns loss_history, the list of the minibatch losses (floats), one per step, in order.
    """
    # BEGIN SOLUTION
    update = {"sgd": sgd, "sgd_momentum": sgd_momentum, "adam": adam}[update_rule]
    configs = {p: dict(optim_config or {}) for p in net.params}
    rng = np.random.default_rng(seed)
    loss_history = []
    for _ in range(num_epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            batch = order[start : start + batch_size]
            loss, grads = net.loss(X[batch], y[batch])
            loss_history.append(float(loss))
            for p in configs:
                net.params[p], configs[p] = update(net.params[p], grads[p], configs[p])
        for config in configs.values():
            config["learning_rate"] *= lr_decay
    return loss_history
    # END SOLUTION
