"""A vanilla (tanh) RNN in NumPy, trained with truncated backpropagation through time to predict
the next value of a noisy sinusoid.

The layers follow CS231n assignment 3 (``RNN_Captioning.ipynb``, ``cs231n/rnn_layers.py``):
float64, batch-first, every forward returning ``(out, cache)`` and every backward taking
``(dout, cache)``. The task is the RNN practical's series ``x_t = sin(2 * pi * t / 20 + noise_t)``
(phase noise of standard deviation 0.2): at each step the network reads ``x_t`` and predicts
``x_{t+1}``. Names and contracts are the assignment's (``assignments/numpy-rnn``):

- ``rnn_step_forward(x, prev_h, Wx, Wh, b)``: ``next_h = tanh(x @ Wx + prev_h @ Wh + b)`` with
  x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H,).
- ``rnn_forward(x, h0, Wx, Wh, b)``: x (N, T, D), h0 (N, H) -> h (N, T, H), the hidden state
  after each of the T steps.
- ``temporal_affine_forward(x, w, b)``: the same affine map at every step, (N, T, H) -> (N, T, M).
- ``mse_loss(pred, y)``: ``mean((pred - y) ** 2)`` over every entry (no factor 1/2).
- Parameters are a dict ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)``, ``W_out (H, M)``, ``b_out (M,)``;
  gradients are a dict with the same keys (CS231n's ``grads[k]`` for ``params[k]``).

Truncated BPTT (Williams and Peng 1990; the batching of Zaremba et al. 2014 and of PyTorch's
``word_language_model`` example): the training series is cut into ``batch_size`` contiguous
streams, read side by side in windows of ``seq_len`` steps. The hidden state is carried from one
window to the next (zeros at the start of each epoch), but as a constant: the loss of a window is
differentiated with respect to the parameters through that window's steps only, and no gradient
flows into earlier windows (``rnn_backward``'s ``dh0`` is dropped).

``make_noisy_sinusoid``, ``init_rnn_params`` and ``rnn_predict`` are no questions: the notebook
gives their source verbatim (``tests/test_reference_rnn.py`` checks that it does).
"""

import numpy as np


def make_noisy_sinusoid(num_steps, seed, noise_std=0.2, period=20):
    """The practical's series ``x_t = sin(2 * pi * t / period + noise_t)``, ``t = 0 .. num_steps - 1``.

    The noise is on the phase: ``noise_t`` are independent draws from N(0, noise_std ** 2) of
    ``np.random.default_rng(seed)``. Returns x, float64 of shape (num_steps,). Even knowing the
    phase, ``x_{t+1}`` cannot be predicted with a mean squared error below
    ``(1 - exp(-noise_std ** 2)) / 2`` (0.0196 for noise_std = 0.2).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(num_steps)
    return np.sin(2 * np.pi * t / period + noise_std * rng.standard_normal(num_steps))


def init_rnn_params(input_dim, hidden_dim, output_dim, seed):
    """Initial parameters, scaled as in CS231n's ``CaptioningRNN``; biases are zeros.

    With ``rng = np.random.default_rng(seed)``, draws in this order:
    Wx (D, H) / sqrt(D), then Wh (H, H) / sqrt(H), then W_out (H, M) / sqrt(H) (standard normal).

    Returns params, a dict with "Wx", "Wh", "b" (H,), "W_out", "b_out" (M,), float64.
    """
    rng = np.random.default_rng(seed)
    D, H, M = input_dim, hidden_dim, output_dim
    return {
        "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
        "Wh": rng.standard_normal((H, H)) / np.sqrt(H),
        "b": np.zeros(H),
        "W_out": rng.standard_normal((H, M)) / np.sqrt(H),
        "b_out": np.zeros(M),
    }


def rnn_predict(params, series):
    """One-step-ahead predictions along a whole series, from a zero hidden state.

    Inputs:
    - params: dict with "Wx" (1, H), "Wh", "b", "W_out" (H, 1), "b_out".
    - series: float64 array of shape (L,).

    Returns pred of shape (L,): pred[t] is the network's prediction of series[t + 1] after
    reading series[0 .. t] (the last one predicts past the end of the series).
    """
    h0 = np.zeros((1, params["Wh"].shape[0]))
    h, _ = rnn_forward(series.reshape(1, -1, 1), h0, params["Wx"], params["Wh"], params["b"])
    pred, _ = temporal_affine_forward(h, params["W_out"], params["b_out"])
    return pred.reshape(-1)


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a vanilla RNN with a tanh activation.

    Inputs:
    - x: input data for this time step, of shape (N, D).
    - prev_h: hidden state from the previous time step, of shape (N, H).
    - Wx: weight matrix for input-to-hidden connections, of shape (D, H).
    - Wh: weight matrix for hidden-to-hidden connections, of shape (H, H).
    - b: biases of shape (H,).

    Returns a tuple (next_h, cache):
    - next_h: next hidden state ``tanh(x @ Wx + prev_h @ Wh + b)``, of shape (N, H);
    - cache: whatever rnn_step_backward needs (a tuple of arrays is usual).
    """
    # BEGIN SOLUTION
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache
    # END SOLUTION


def rnn_step_backward(dnext_h, cache):
    """Backward pass of one time step of a vanilla RNN.

    Inputs:
    - dnext_h: gradient of the loss with respect to next_h, of shape (N, H).
    - cache: the cache rnn_step_forward returned.

    Returns a tuple (dx, dprev_h, dWx, dWh, db): the gradients with respect to x (N, D),
    prev_h (N, H), Wx (D, H), Wh (H, H) and b (H,). The derivative of tanh(a) is 1 - tanh(a)**2.
    """
    # BEGIN SOLUTION
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = np.sum(da, axis=0)
    return dx, dprev_h, dWx, dWh, db
    # END SOLUTION


def rnn_forward(x, h0, Wx, Wh, b):
    """A vanilla RNN over a whole sequence of T steps: rnn_step_forward at each step, in order.

    Inputs:
    - x: input data for the whole sequence, of shape (N, T, D).
    - h0: initial hidden state, of shape (N, H).
    - Wx (D, H), Wh (H, H), b (H,): as in rnn_step_forward.

    Returns a tuple (h, cache):
    - h: hidden states for every step, of shape (N, T, H); h[:, t] is the state after reading
      x[:, t] (h0 itself is not included);
    - cache: whatever rnn_backward needs (a list of the steps' caches is usual).
    """
    # BEGIN SOLUTION
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    caches = []
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        caches.append(step_cache)
    return h, caches
    # END SOLUTION


def rnn_backward(dh, cache):
    """Backpropagation through time over a whole sequence.

    Inputs:
    - dh: upstream gradients of the loss with respect to every hidden state, of shape (N, T, H).
      The state h[:, t] also feeds step t + 1, so the gradient reaching step t is dh[:, t] plus
      the dprev_h that step t + 1's backward pass returns.
    - cache: the cache rnn_forward returned.

    Returns a tuple (dx, dh0, dWx, dWh, db): the gradients with respect to x (N, T, D),
    h0 (N, H), Wx (D, H), Wh (H, H) and b (H,); the weights are shared by every step, so their
    gradients are sums over the steps.
    """
    # BEGIN SOLUTION
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
    # END SOLUTION


def temporal_affine_forward(x, w, b):
    """The same affine layer applied at every time step (CS231n's temporal affine layer).

    Inputs:
    - x: input data of shape (N, T, H).
    - w: weights of shape (H, M).
    - b: biases of shape (M,).

    Returns a tuple (out, cache): out = x[:, t] @ w + b at every step t, of shape (N, T, M);
    cache, whatever temporal_affine_backward needs.
    """
    # BEGIN SOLUTION
    N, T, H = x.shape
    out = (x.reshape(N * T, H) @ w).reshape(N, T, -1) + b
    cache = (x, w)
    return out, cache
    # END SOLUTION


def temporal_affine_backward(dout, cache):
    """Backward pass of the temporal affine layer.

    Inputs:
    - dout: upstream gradients of shape (N, T, M).
    - cache: the cache temporal_affine_forward returned.

    Returns a tuple (dx, dw, db) of shapes (N, T, H), (H, M) and (M,); w and b are shared by all
    N * T positions, so dw and db are sums over the batch and the time steps.
    """
    # BEGIN SOLUTION
    x, w = cache
    N, T, H = x.shape
    dout2 = dout.reshape(N * T, -1)
    dx = (dout2 @ w.T).reshape(N, T, H)
    dw = x.reshape(N * T, H).T @ dout2
    db = np.sum(dout2, axis=0)
    return dx, dw, db
    # END SOLUTION


def mse_loss(pred, y):
    """Mean squared error over every entry, and its gradient.

    Inputs:
    - pred: predictions, an array of any shape; y: targets of the same shape.

    Returns a tuple (loss, dpred): loss, the float ``mean((pred - y) ** 2)`` (an average over all
    pred.size entries, no factor 1/2); dpred, its gradient with respect to pred, of pred's shape.
    """
    # BEGIN SOLUTION
    diff = pred - y
    loss = float(np.mean(diff**2))
    dpred = 2 * diff / diff.size
    return loss, dpred
    # END SOLUTION


def rnn_regression_loss(params, x, y, h0):
    """Loss and gradients of the RNN regressor on one window of T steps (one step of truncated BPTT).

    The model: h = rnn_forward(x, h0, Wx, Wh, b); pred = temporal_affine_forward(h, W_out, b_out);
    loss = mse_loss(pred, y). The initial state h0 is a constant: the gradients are those of the
    window's loss with respect to the parameters through these T steps only (the dh0 that
    rnn_backward returns is not used).

    Inputs:
    - params: dict with "Wx" (D, H), "Wh" (H, H), "b" (H,), "W_out" (H, M), "b_out" (M,).
    - x: inputs of shape (N, T, D); y: targets of shape (N, T, M).
    - h0: the hidden state the window starts from, of shape (N, H).

    Returns a tuple (loss, grads, h_last): loss, a float; grads, a dict with the keys of params
    and their shapes; h_last = h[:, -1], the state after the window's last step, of shape (N, H),
    from which the next window starts.
    """
    # BEGIN SOLUTION
    h, rnn_cache = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    pred, affine_cache = temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dpred = mse_loss(pred, y)
    dh, dW_out, db_out = temporal_affine_backward(dpred, affine_cache)
    _, _, dWx, dWh, db = rnn_backward(dh, rnn_cache)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}
    return loss, grads, h[:, -1]
    # END SOLUTION


def clip_grad_norm(grads, max_norm):
    """Gradient clipping by global norm (Pascanu et al. 2013; PyTorch's ``clip_grad_norm_``).

    The global norm is ``sqrt(sum over every array g in grads of sum(g ** 2))``. When it exceeds
    max_norm, every gradient is multiplied by ``max_norm / norm`` (so the clipped global norm is
    max_norm and the direction is unchanged); otherwise the gradients are returned unchanged.

    Inputs:
    - grads: dict of name -> gradient array (not modified).
    - max_norm: positive float.

    Returns a new dict with the same keys and shapes.
    """
    # BEGIN SOLUTION
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}
    # END SOLUTION


def train_rnn(params, series, seq_len, batch_size, num_epochs, learning_rate, max_norm):
    """Train the RNN regressor with truncated BPTT and SGD to predict series[t + 1] from series[:t + 1].

    1. Pairs: inputs series[t], targets series[t + 1], for t = 0 .. L - 2.
    2. Streams: the first batch_size * S pairs, S = (L - 1) // batch_size, cut into batch_size
       contiguous streams of S pairs: x[n, s, 0] = series[n * S + s], y[n, s, 0] = series[n * S + s + 1]
       (the leftover pairs at the end are not used).
    3. Each epoch starts from h = zeros (batch_size, H) and visits the windows
       [0, seq_len), [seq_len, 2 * seq_len), ... of the S steps in order (S // seq_len full
       windows; a shorter last window is not used). For each window:
       loss, grads, h = rnn_regression_loss(params, x[:, window], y[:, window], h)
       (the state carries over to the next window, the gradient does not reach back into
       earlier windows), then grads = clip_grad_norm(grads, max_norm), then the SGD step
       params[k] - learning_rate * grads[k] for every key k.

    Inputs:
    - params: initial parameters (as from init_rnn_params(1, H, 1, seed)); not modified.
    - series: float64 array of shape (L,).
    - seq_len: T, the window length; batch_size: N, the number of streams.
    - num_epochs, learning_rate, max_norm: as above.

    Returns a tuple (params, loss_history): the trained parameters (a new dict) and the list of
    the windows' losses, one float per SGD step, in order.
    """
    # BEGIN SOLUTION
    S = (len(series) - 1) // batch_size
    x = series[: batch_size * S].reshape(batch_size, S, 1)
    y = series[1 : batch_size * S + 1].reshape(batch_size, S, 1)
    loss_history = []
    for _ in range(num_epochs):
        h = np.zeros((batch_size, params["Wh"].shape[0]))
        for start in range(0, S - seq_len + 1, seq_len):
            window = slice(start, start + seq_len)
            loss, grads, h = rnn_regression_loss(params, x[:, window], y[:, window], h)
            grads = clip_grad_norm(grads, max_norm)
            params = {k: params[k] - learning_rate * grads[k] for k in params}
            loss_history.append(loss)
    return params, loss_history
    # END SOLUTION
