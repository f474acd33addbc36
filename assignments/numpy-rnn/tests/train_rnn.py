import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "train_rnn"

KEYS = ("Wx", "Wh", "b", "W_out", "b_out")

HIDDEN_DIM, SEQ_LEN, BATCH_SIZE = 16, 20, 10
NUM_EPOCHS, LEARNING_RATE, MAX_NORM = 100, 0.1, 5.0
"""The noisy-sinusoid training run: 16 hidden units, 10 contiguous streams of 100 steps each read in
5 windows of 20 steps (one period of the sinusoid), 100 epochs (500 SGD steps) at learning rate
0.1 with the gradient clipped to global norm 5. The reference takes about 0.5 s on one core."""

L_TRAIN, L_VAL = 1001, 1000
"""The series has L_TRAIN + L_VAL values from make_noisy_sinusoid (noise 0.2) with a seed drawn from
the test's rng: train_rnn gets the first L_TRAIN (1000 input-target pairs); the validation targets
are the L_VAL values after them, later in time, never seen in training. They are predicted by the
network reading the whole series from a zero state, so the state carries into the validation part."""

PASS_MARK = 0.05
"""Validation mean squared error the student's trained parameters must reach (at most). Calibrated
from the reference with these settings on 140 pairs of data and initialisation seeds: 0.0213-0.0343,
mean 0.0254 (0.0264 on this test's own seeds; tests/test_reference_rnn.py checks those and 6 other
pairs), so the margin is at least 0.0157, 46% of the worst. The noise floor is
(1 - exp(-0.04)) / 2 = 0.0196. On the same seeds, predicting the previous value scores 0.079-0.093,
a least-squares AR(2) model fitted on the training part 0.063-0.083, and predicting zero about 0.5."""

LOSS_RTOL, PARAM_RTOL = 1e-4, 1e-3
"""Tolerances of test_against_reference (12 clipped SGD steps at learning rate 0.3): relative error of
each loss, and norm-relative error ||got - want|| / ||want|| of each trained parameter. The contract
allows an eps in the clipping denominator (PyTorch's max_norm / (norm + 1e-6)); the steps amplify
that 1e-7 difference to at most 1.4e-5 in the losses and 1.6e-4 in the parameters over 30 seeds,
while skipping the clipping drifts at least 6.5e-2 and 1.3e-1."""

TRAIN_BUDGET_S = 60
"""Seconds the student's train_rnn may take for the training run (the reference: about 0.5 s)."""


@test_case(points=1, hidden=False)
def test_returns_params_and_one_loss_per_window(train_rnn, np):
    rng = np.random.default_rng(0)
    H = 3
    params = {"Wx": rng.normal(size=(1, H)), "Wh": rng.normal(scale=0.5, size=(H, H)), "b": np.zeros(H),
              "W_out": rng.normal(size=(H, 1)), "b_out": np.zeros(1)}
    series = np.sin(np.arange(45) / 3.0)  # 44 pairs: 2 streams of 22 steps, 3 windows of 7 per epoch
    result = train_rnn(params, series, 7, 2, 2, 0.1, 5.0)
    assert isinstance(result, tuple) and len(result) == 2, "train_rnn should return a tuple (params, loss_history)"
    new_params, loss_history = result
    assert isinstance(new_params, dict) and set(new_params) == set(params), "the trained params should be a dict with the keys of params"
    for key in params:
        assert np.shape(new_params[key]) == params[key].shape, f'params["{key}"] should keep its shape'
    assert not np.allclose(new_params["Wh"], params["Wh"]), "the parameters should have been trained"
    assert len(loss_history) == 6, "loss_history should hold one loss per window: 2 epochs of 3 windows here"
    assert all(np.ndim(loss) == 0 for loss in loss_history), "each entry of loss_history should be a single number"
    # Worked example, learning rate 0 (the parameters stay put): the losses depend only on the pairs and the state.
    _, losses = train_rnn(params, series, 7, 2, 2, 0.0, 5.0)
    assert np.isclose(losses[0], 0.71813561), (
        f"the first window's loss should be 0.71813561, got {losses[0]:.8f}: the targets are the next values "
        "(y[n, s, 0] = series[n * S + s + 1]) and the pairs are cut into batch_size contiguous streams of S steps "
        "(x[n, s, 0] = series[n * S + s], S = (L - 1) // batch_size)"
    )
    assert np.allclose(losses[1:3], [0.63314333, 0.59840573]), (
        f"the losses of windows 2 and 3 should be [0.63314333, 0.59840573], got {np.round(losses[1:3], 8)}: "
        "carry the state over, passing the h that window k returns into window k + 1"
    )
    assert np.allclose(losses[3:], losses[:3]), (
        "with learning rate 0 the second epoch's losses should repeat the first's: "
        "start each epoch from h = np.zeros((batch_size, H))"
    )
    _, losses = train_rnn(params, series, 7, 2, 1, 0.1, 0.1)
    assert np.allclose(losses, [0.71813561, 0.65125921, 0.58863481]), (
        f"with max_norm 0.1 and learning rate 0.1 the losses should be [0.71813561, 0.65125921, 0.58863481], got "
        f"{np.round(losses, 8)}: step with the clipped gradients, grads = clip_grad_norm(grads, max_norm)"
    )


def call_train(train_rnn, params, series, *args, timeout=None):
    """The student's (params, loss_history), checked for form and shapes."""
    from autograder.testing import check_array, with_timeout

    result = (with_timeout(train_rnn, timeout) if timeout else train_rnn)(params, series, *args)
    assert isinstance(result, tuple) and len(result) == 2, "train_rnn should return a tuple (params, loss_history)"
    trained, loss_history = result
    assert isinstance(trained, dict) and all(k in trained for k in KEYS), (
        'the trained params should be a dict with the keys "Wx", "Wh", "b", "W_out", "b_out"'
    )
    trained = {k: check_array(trained[k], params[k].shape, f'the trained params["{k}"]') for k in KEYS}
    assert isinstance(loss_history, (list, tuple, np.ndarray)), "loss_history should be a list of the windows' losses"
    return trained, np.asarray(loss_history, dtype=np.float64).reshape(-1)


def streams(series, batch_size):
    """The contract's streams: x[n, s, 0] = series[n * S + s], y[n, s, 0] = series[n * S + s + 1]."""
    S = (len(series) - 1) // batch_size
    return series[: batch_size * S].reshape(batch_size, S, 1), series[1 : batch_size * S + 1].reshape(batch_size, S, 1)


@test_case(points=2, hidden=True)
def test_windows_and_carried_state(train_rnn, rng):
    """Learning rate 0: the parameters never change, so the windows' losses show the streams, the
    windows and the hidden state carried from window to window (reset at each epoch)."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    seq_len, batch_size, num_epochs, H = 8, 4, 2, 5
    series = ref.make_noisy_sinusoid(203, int(rng.integers(2**31)))  # S = 50 steps per stream: 6 windows of 8
    params = ref.init_rnn_params(1, H, 1, int(rng.integers(2**31)))
    trained, losses = call_train(train_rnn, params, series, seq_len, batch_size, num_epochs, 0.0, MAX_NORM)
    for key in KEYS:
        assert np.array_equal(trained[key], params[key]), f'with learning_rate = 0, params["{key}"] should not change'
    _, want = ref.train_rnn(params, series, seq_len, batch_size, num_epochs, 0.0, MAX_NORM)
    assert len(losses) == len(want), (
        f"loss_history has {len(losses)} entries for {num_epochs} epochs: it should hold one loss per window, "
        "num_epochs * (S // seq_len) with S = (len(series) - 1) // batch_size (a shorter last window is not used)"
    )
    assert rel_error(losses[0], want[0]) < 1e-8, (
        "the loss of the first window differs from the expected value: its inputs should be x[n, s, 0] = "
        "series[n * S + s] and its targets y[n, s, 0] = series[n * S + s + 1] for s < seq_len, in batch_size "
        "contiguous streams of S = (len(series) - 1) // batch_size steps, starting from h = zeros (if "
        "rnn_regression_loss fails its own tests, fix it first)"
    )
    per_epoch = len(want) // num_epochs
    if rel_error(losses[:per_epoch], want[:per_epoch]) >= 1e-8:
        x, y = streams(series, batch_size)
        zeros = np.zeros((batch_size, H))
        reset = [ref.rnn_regression_loss(params, x[:, s:s + seq_len], y[:, s:s + seq_len], zeros)[0]
                 for s in range(0, per_epoch * seq_len, seq_len)]
        assert rel_error(losses[:per_epoch], reset) >= 1e-8, (
            "the windows after the first start from a zero hidden state: carry the state over, starting each window "
            "from the h_last that rnn_regression_loss returned for the window before it"
        )
        raise AssertionError(
            "the losses of the windows after the first differ from the expected values: go through the windows "
            "[0, seq_len), [seq_len, 2 * seq_len), ... in order, each starting from the h_last of the window before it"
        )
    assert rel_error(losses[per_epoch:], want[per_epoch:]) < 1e-8, (
        "the first epoch is right but the second differs: start each epoch from h = np.zeros((batch_size, H)), "
        "not from the state the previous epoch ended in"
    )


@test_case(points=2, hidden=True)
def test_against_reference(train_rnn, rng):
    """Three epochs of 4 windows at learning rate 0.3, with clipping at work, against the reference."""
    from assignment import solution as ref

    args = (10, 4, 3, 0.3, 0.5)  # seq_len, batch_size, num_epochs, learning_rate, max_norm
    series = ref.make_noisy_sinusoid(161, int(rng.integers(2**31)))  # S = 40 steps per stream: 4 windows of 10
    params = ref.init_rnn_params(1, 6, 1, int(rng.integers(2**31)))
    trained, losses = call_train(train_rnn, params, series, *args)
    want, want_losses = ref.train_rnn(params, series, *args)
    loss_err = np.max(np.abs(np.asarray(losses[:4]) - want_losses[:4]) / np.abs(want_losses[:4])) if len(losses) == len(want_losses) else np.inf
    assert loss_err < LOSS_RTOL, (
        "with learning_rate > 0 the losses of the first epoch differ from the expected values: each window takes one "
        "SGD step, params[k] - learning_rate * grads[k] with grads from clip_grad_norm(grads, max_norm), before "
        "the next window (if rnn_regression_loss or clip_grad_norm fails its own tests, fix it first)"
    )
    for key in KEYS:
        err = np.linalg.norm(trained[key] - want[key]) / np.linalg.norm(want[key])
        assert err < PARAM_RTOL, (
            f'after 3 epochs, params["{key}"] differs from the expected values (relative error {err:.1e}): for each '
            "window, clip the gradients with clip_grad_norm(grads, max_norm), then step "
            "params[k] - learning_rate * grads[k], and return the parameters after the last window"
        )


@test_case(points=4, hidden=True)
def test_noisy_sinusoid_validation_mse(train_rnn, rng):
    """The grader trains your train_rnn on a fresh noisy sinusoid and scores the later, held-out part."""
    from assignment import solution as ref

    data_seed, init_seed = (int(s) for s in rng.integers(2**31, size=2))
    series = ref.make_noisy_sinusoid(L_TRAIN + L_VAL, data_seed)
    params = ref.init_rnn_params(1, HIDDEN_DIM, 1, init_seed)
    args = (SEQ_LEN, BATCH_SIZE, NUM_EPOCHS, LEARNING_RATE, MAX_NORM)
    trained, _ = call_train(train_rnn, params, series[:L_TRAIN], *args, timeout=TRAIN_BUDGET_S)
    pred = ref.rnn_predict(trained, series)
    mse = float(np.mean((pred[L_TRAIN - 1 : -1] - series[L_TRAIN:]) ** 2))
    assert mse <= PASS_MARK, (
        f"the validation MSE of your network trained on a noisy sinusoid of {L_TRAIN} values ({HIDDEN_DIM} hidden "
        f"units, {NUM_EPOCHS} epochs) is {mse:.4f} on the {L_VAL} values after them; the pass mark is {PASS_MARK} "
        "(predicting that the next value equals the current one scores about 0.085)"
    )
