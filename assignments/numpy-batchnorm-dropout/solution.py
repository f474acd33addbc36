"""Batch normalization, inverted dropout and L2 regularization in NumPy (CS231n assignment 2).

Float64 throughout, batch-first inputs ``x`` of shape (N, D). Names and contracts are the
assignment's (``assignments/numpy-batchnorm-dropout``), with two departures from CS231n that
the sandboxed grader needs:

- ``batchnorm_forward`` returns ``(out, cache, bn_param)``: the updated ``bn_param`` dict is
  returned as well (the grader never sees the student's dict mutated in place);
- running statistics follow ``running = momentum * running + (1 - momentum) * batch_stat``,
  with the biased batch variance (``np.var``, divide by N), as in CS231n.

Dropout's ``p`` is the KEEP probability; with ``dropout_param["seed"]`` set, the mask is
``np.random.rand(*x.shape) < p`` drawn right after ``np.random.seed(seed)``.
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalization.

    In train mode, normalise each feature (column) with the batch mean and the biased batch
    variance, then scale and shift:

        out = gamma * (x - mean) / sqrt(var + eps) + beta

    and update the running statistics (starting from zeros when absent):

        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var

    In test mode, normalise with running_mean and running_var instead and leave them unchanged.

    Inputs:
    - x: data of shape (N, D).
    - gamma: scale of shape (D,).
    - beta: shift of shape (D,).
    - bn_param: dict with keys
      - "mode": "train" or "test" (required);
      - "eps": constant added to the variance, default 1e-5;
      - "momentum": constant for the running averages, default 0.9;
      - "running_mean", "running_var": arrays of shape (D,), zeros when absent.

    Returns a tuple (out, cache, bn_param):
    - out: normalised data of shape (N, D);
    - cache: whatever batchnorm_backward needs (any object);
    - bn_param: the same dict, holding the updated "running_mean" and "running_var".
    """
    # BEGIN SOLUTION
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    if mode == "train":
        mean = np.mean(x, axis=0)
        var = np.var(x, axis=0)
        std = np.sqrt(var + eps)
        x_hat = (x - mean) / std
        out = gamma * x_hat + beta
        cache = (x_hat, gamma, std)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_hat + beta
        cache = None
    else:
        raise ValueError(f'Invalid forward batchnorm mode "{mode}"')

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache, bn_param
    # END SOLUTION


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization (train mode).

    Inputs:
    - dout: upstream derivatives of shape (N, D).
    - cache: the cache returned by batchnorm_forward in train mode.

    Returns a tuple (dx, dgamma, dbeta):
    - dx: gradient with respect to x, shape (N, D);
    - dgamma: gradient with respect to gamma, shape (D,);
    - dbeta: gradient with respect to beta, shape (D,).
    """
    # BEGIN SOLUTION
    x_hat, gamma, std = cache
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dx = (N * dx_hat - np.sum(dx_hat, axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0)) / (N * std)
    return dx, dgamma, dbeta
    # END SOLUTION


def dropout_forward(x, dropout_param):
    """Forward pass of inverted dropout.

    In train mode, keep each unit with probability p and scale the kept units by 1 / p, so
    that the expected output equals the input: ``mask = np.random.rand(*x.shape) < p`` and
    ``out = x * mask / p``. In test mode, ``out = x``.

    Inputs:
    - x: data of any shape.
    - dropout_param: dict with keys
      - "p": the probability of KEEPING each unit, in (0, 1];
      - "mode": "train" or "test";
      - "seed" (optional): when present, call ``np.random.seed(seed)`` just before drawing
        the mask, so that results are reproducible.

    Returns a tuple (out, cache):
    - out: array of the shape of x;
    - cache: whatever dropout_backward needs (any object).
    """
    # BEGIN SOLUTION
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])

    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    elif mode == "test":
        mask = None
        out = x
    else:
        raise ValueError(f'Invalid forward dropout mode "{mode}"')

    cache = (dropout_param, mask)
    return out, cache
    # END SOLUTION


def dropout_backward(dout, cache):
    """Backward pass of inverted dropout.

    Inputs:
    - dout: upstream derivatives, of the shape of x.
    - cache: the cache returned by dropout_forward.

    Returns dx, the gradient with respect to x: ``dout * mask / p`` in train mode, ``dout``
    in test mode.
    """
    # BEGIN SOLUTION
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask
    return dout
    # END SOLUTION


def l2_regularization(W, reg):
    """L2 weight penalty and its gradient.

    Inputs:
    - W: weights, an array of any shape.
    - reg: regularization strength, a float.

    Returns a tuple (loss, dW):
    - loss: the float ``0.5 * reg * sum(W ** 2)``;
    - dW: the gradient of loss with respect to W, of the shape of W.
    """
    # BEGIN SOLUTION
    loss = 0.5 * reg * float(np.sum(W * W))
    dW = reg * W
    return loss, dW
    # END SOLUTION
