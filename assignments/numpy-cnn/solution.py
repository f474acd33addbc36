"""Naive convolution, max pooling and flatten layers in NumPy (CS231n assignment 2).

Float64 throughout, images in NCHW layout. Names and contracts are the assignment's
(``assignments/numpy-cnn``) and CS231n's:

- ``conv_forward_naive(x, w, b, conv_param)``: x (N, C, H, W), w (F, C, HH, WW), b (F,),
  ``conv_param = {"stride", "pad"}`` with zero padding of ``pad`` on every side; out has shape
  (N, F, H', W') with ``H' = 1 + (H + 2 * pad - HH) // stride`` (and W' alike). Like CS231n and
  ``torch.nn.functional.conv2d``, it is a cross-correlation: the kernel is not flipped.
- ``max_pool_forward_naive(x, pool_param)``: ``pool_param = {"pool_height", "pool_width",
  "stride"}``, no padding, ``H' = 1 + (H - pool_height) // stride``; the backward pass routes
  each upstream gradient to the argmax of its window only.
- ``flatten_forward(x)``: (N, C, H, W) -> (N, C * H * W), row-major like ``x.reshape(N, -1)``.

Each function is self-contained (the notebook holds only the functions' sources).
"""

import numpy as np


def conv_forward_naive(x, w, b, conv_param):
    """Forward pass of a convolutional layer (cross-correlation, as in CS231n and PyTorch).

    Each of the F filters is slid over the zero-padded input with the given stride; at each
    position the output is the sum over all C channels and the HH x WW window of input times
    filter, plus the filter's bias.

    Inputs:
    - x: input data of shape (N, C, H, W).
    - w: filter weights of shape (F, C, HH, WW).
    - b: biases of shape (F,).
    - conv_param: dict with keys
      - "stride": the number of pixels between adjacent receptive fields, in both directions;
      - "pad": the number of zero pixels added on EVERY side (top, bottom, left, right).

    Returns a tuple (out, cache):
    - out: output of shape (N, F, H', W') with
      H' = 1 + (H + 2 * pad - HH) // stride and W' = 1 + (W + 2 * pad - WW) // stride;
    - cache: whatever conv_backward_naive needs (any object).
    """
    # BEGIN SOLUTION
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    kernel = w
    out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            hs, ws = i * stride, j * stride
            window = x_pad[:, :, hs:hs + HH, ws:ws + WW]
            out[:, :, i, j] = np.tensordot(window, kernel, axes=([1, 2, 3], [1, 2, 3])) + b
    cache = (x, w, b, conv_param)
    return out, cache
    # END SOLUTION


def conv_backward_naive(dout, cache):
    """Backward pass of a convolutional layer.

    Inputs:
    - dout: upstream derivatives of shape (N, F, H', W').
    - cache: the cache returned by conv_forward_naive.

    Returns a tuple (dx, dw, db):
    - dx: gradient with respect to x, shape (N, C, H, W);
    - dw: gradient with respect to w, shape (F, C, HH, WW);
    - db: gradient with respect to b, shape (F,).
    """
    # BEGIN SOLUTION
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.sum(dout, axis=(0, 2, 3))
    for i in range(H_out):
        for j in range(W_out):
            hs, ws = i * stride, j * stride
            window = x_pad[:, :, hs:hs + HH, ws:ws + WW]
            d = dout[:, :, i, j]  # (N, F)
            dw += np.tensordot(d, window, axes=([0], [0]))  # (F, C, HH, WW)
            dx_pad[:, :, hs:hs + HH, ws:ws + WW] += np.tensordot(d, w, axes=([1], [0]))  # (N, C, HH, WW)
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db
    # END SOLUTION


def max_pool_forward_naive(x, pool_param):
    """Forward pass of a max-pooling layer (no padding).

    Inputs:
    - x: input data of shape (N, C, H, W).
    - pool_param: dict with keys "pool_height", "pool_width" (the window) and "stride".

    Returns a tuple (out, cache):
    - out: output of shape (N, C, H', W') with H' = 1 + (H - pool_height) // stride and
      W' = 1 + (W - pool_width) // stride, each entry the maximum of its window;
    - cache: whatever max_pool_backward_naive needs (any object).
    """
    # BEGIN SOLUTION
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            hs, ws = i * stride, j * stride
            out[:, :, i, j] = np.max(x[:, :, hs:hs + ph, ws:ws + pw], axis=(2, 3))
    cache = (x, pool_param)
    return out, cache
    # END SOLUTION


def max_pool_backward_naive(dout, cache):
    """Backward pass of a max-pooling layer.

    Each upstream derivative goes to the position of the maximum of its window (the argmax)
    only; positions of x that are the maximum of no window get 0. When windows overlap, the
    contributions add up. Ties go to the first maximum of the window in row-major order (the
    ``np.argmax`` of the flattened window), as in PyTorch's ``max_pool2d`` and CS231n.

    Inputs:
    - dout: upstream derivatives of shape (N, C, H', W').
    - cache: the cache returned by max_pool_forward_naive.

    Returns dx, the gradient with respect to x, of shape (N, C, H, W).
    """
    # BEGIN SOLUTION
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for i in range(H_out):
        for j in range(W_out):
            hs, ws = i * stride, j * stride
            flat = x[:, :, hs:hs + ph, ws:ws + pw].reshape(N, C, ph * pw)
            mask = np.zeros_like(flat)
            np.put_along_axis(mask, np.argmax(flat, axis=2)[:, :, None], 1.0, axis=2)
            dx[:, :, hs:hs + ph, ws:ws + pw] += mask.reshape(N, C, ph, pw) * dout[:, :, i, j][:, :, None, None]
    return dx
    # END SOLUTION


def flatten_forward(x):
    """Flatten each example into a row: (N, C, H, W) -> (N, C * H * W).

    The order is NumPy's row-major order, as in ``x.reshape(N, -1)``.

    Inputs:
    - x: input data of shape (N, C, H, W) (or any shape (N, ...)).

    Returns a tuple (out, cache):
    - out: array of shape (N, C * H * W);
    - cache: whatever flatten_backward needs (any object).
    """
    # BEGIN SOLUTION
    out = x.reshape(x.shape[0], -1)
    cache = x.shape
    return out, cache
    # END SOLUTION


def flatten_backward(dout, cache):
    """Backward pass of flatten_forward.

    Inputs:
    - dout: upstream derivatives of shape (N, C * H * W).
    - cache: the cache returned by flatten_forward.

    Returns dx, the gradient with respect to x, of the shape of x.
    """
    # BEGIN SOLUTION
    x_shape = cache
    return dout.reshape(x_shape)
    # END SOLUTION
