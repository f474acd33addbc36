import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "rnn_regression_loss"

KEYS = ("Wx", "Wh", "b", "W_out", "b_out")

VALUE_TOLERANCE = 1e-8
"""rel_error allowed between the student's loss, gradients and last state and the reference's (the
reference matches PyTorch autograd to 1e-12, tests/test_reference_rnn.py)."""

GRADCHECK_THRESHOLD = 1e-5
"""rel_error allowed between grads and centered differences (h = 1e-5) of the loss the student's
own rnn_regression_loss returns, with h0 held fixed, at SAMPLES sampled entries per parameter.
Over 50 random windows of this test's size the reference's worst error is 5.5e-9
(tests/test_reference_rnn.py asserts 50x under the threshold)."""

SAMPLES = 3
"""Entries checked per parameter (b_out has one): 13 entries, 26 calls into the sandbox."""

HINTS = {
    "Wx": "the dWx of your rnn_backward",
    "Wh": "the dWh of your rnn_backward",
    "b": "the db of your rnn_backward",
    "W_out": "the dw of your temporal_affine_backward",
    "b_out": "the db of your temporal_affine_backward",
}

CHAIN = ("backpropagate dpred from mse_loss through temporal_affine_backward, then the dh it returns (the gradient "
         "for every hidden state) through rnn_backward")


@test_case(points=1, hidden=False)
def test_shapes_and_last_state(rnn_regression_loss, rnn_forward, np):
    rng = np.random.default_rng(0)
    N, T, H = 2, 4, 3
    params = {"Wx": rng.normal(size=(1, H)), "Wh": rng.normal(scale=0.5, size=(H, H)), "b": rng.normal(size=H),
              "W_out": rng.normal(size=(H, 1)), "b_out": rng.normal(size=1)}
    x, y, h0 = rng.normal(size=(N, T, 1)), rng.normal(size=(N, T, 1)), rng.normal(size=(N, H))
    result = rnn_regression_loss(params, x, y, h0)
    assert isinstance(result, tuple) and len(result) == 3, "rnn_regression_loss should return a tuple (loss, grads, h_last)"
    loss, grads, h_last = result
    assert np.ndim(loss) == 0, "the loss should be a single number"
    assert isinstance(grads, dict) and set(grads) == set(params), "grads should be a dict with the keys of params"
    for key in params:
        assert np.shape(grads[key]) == params[key].shape, f'grads["{key}"] should have the shape of params["{key}"]'
    h, _ = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    assert np.shape(h_last) == (N, H) and np.allclose(h_last, h[:, -1]), "h_last should be h[:, -1], the state after the last step"
    pred = h @ params["W_out"] + params["b_out"]
    assert np.isclose(float(loss), np.mean((pred - y) ** 2)), "the loss should be mean((pred - y) ** 2) of this window"
    db_out = 2 * np.mean(pred - y)
    assert np.allclose(grads["b_out"], [db_out]), 'grads["b_out"] is wrong for this example'


def random_window(rng):
    """params (H = 4), x (3, 6, 1), y (3, 6, 1) and a non-zero h0 (3, 4), as in training."""
    N, T, H = 3, 6, 4
    params = {"Wx": rng.normal(size=(1, H)), "Wh": rng.normal(scale=0.5, size=(H, H)), "b": rng.normal(scale=0.3, size=H),
              "W_out": rng.normal(scale=0.5, size=(H, 1)), "b_out": rng.normal(scale=0.3, size=1)}
    x, y = rng.normal(size=(N, T, 1)), rng.normal(size=(N, T, 1))
    return params, x, y, np.tanh(rng.normal(size=(N, H)))


def call_loss(rnn_regression_loss, params, x, y, h0):
    """The student's (loss, grads, h_last), checked for form and shapes."""
    from autograder.testing import check_array, check_scalar

    result = rnn_regression_loss(params, x, y, h0)
    assert isinstance(result, tuple) and len(result) == 3, "rnn_regression_loss should return a tuple (loss, grads, h_last)"
    loss, grads, h_last = result
    assert isinstance(grads, dict) and all(k in grads for k in KEYS), (
        'grads should be a dict with the keys of params: "Wx", "Wh", "b", "W_out", "b_out"'
    )
    grads = {k: check_array(grads[k], params[k].shape, f'grads["{k}"]') for k in KEYS}
    return check_scalar(loss, "the loss"), grads, check_array(h_last, h0.shape, "h_last")


@test_case(points=2, hidden=True)
def test_values_against_reference(rnn_regression_loss, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    params, x, y, h0 = random_window(rng)
    loss, grads, h_last = call_loss(rnn_regression_loss, params, x, y, h0)
    want_loss, want_grads, want_h_last = ref.rnn_regression_loss(params, x, y, h0)
    err = rel_error(h_last, want_h_last)
    assert err < VALUE_TOLERANCE, (
        f"h_last differs from the expected state (relative error {err:.1e}): it should be h[:, -1], the state after "
        "the window's last step, of rnn_forward started from the h0 given"
    )
    err = rel_error(loss, want_loss)
    assert err < VALUE_TOLERANCE, (
        f"the loss differs from the expected value (relative error {err:.1e}): it should be mse_loss of "
        "temporal_affine_forward(h, W_out, b_out), with h from rnn_forward(x, h0, Wx, Wh, b) started from the h0 given"
    )
    for key in KEYS:
        err = rel_error(grads[key], want_grads[key])
        assert err < VALUE_TOLERANCE, (
            f'grads["{key}"] differs from the expected gradient (relative error {err:.1e}): it should be {HINTS[key]}; '
            f"{CHAIN}"
        )


@test_case(points=2, hidden=True)
def test_numerical_gradient_check(rnn_regression_loss, rng):
    """Truncated BPTT: the gradient of one window's loss, the state it starts from held constant."""
    from autograder.testing import eval_numerical_gradient_at, rel_error, sample_indices

    params, x, y, h0 = random_window(rng)
    _, grads, _ = call_loss(rnn_regression_loss, params, x, y, h0)
    for key in KEYS:
        def loss_at(value):
            return call_loss(rnn_regression_loss, {**params, key: value}, x, y, h0)[0]

        idx = sample_indices(params[key].shape, SAMPLES, rng)
        numeric = eval_numerical_gradient_at(loss_at, params[key].copy(), idx)
        err = rel_error(np.array([grads[key][i] for i in idx]), numeric)
        assert err < GRADCHECK_THRESHOLD, (
            f'gradient check failed for grads["{key}"]: relative error {err:.1e} between it and centered differences '
            f"of the loss your rnn_regression_loss returns, with h0 held fixed (threshold {GRADCHECK_THRESHOLD:.0e}): "
            f"it should be {HINTS[key]}; {CHAIN}"
        )
