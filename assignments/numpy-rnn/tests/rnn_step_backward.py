import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "rnn_step_backward"

VALUE_TOLERANCE = 1e-8
"""rel_error allowed between the student's gradients and the reference's for the same inputs (the
reference matches PyTorch autograd to 1e-12, tests/test_reference_rnn.py)."""

GRADCHECK_THRESHOLD = 1e-5
"""rel_error allowed between a gradient and centered differences (h = 1e-5) of sum(next_h * dnext_h)
through the student's own rnn_step_forward, at SAMPLES sampled entries of each input. Over 50
random problems of this test's size the reference's worst error is 1.1e-8 (tests/test_reference_rnn.py
asserts 50x under the threshold); the bugs of assignments/numpy-rnn/mutants give errors near 1."""

SAMPLES = 5
"""Entries checked per input (x, prev_h, Wx, Wh, b): 25 entries, 50 calls into the sandbox."""

NAMES = ("dx", "dprev_h", "dWx", "dWh", "db")

HINTS = {
    "dx": "da @ Wx.T, with da = dnext_h * (1 - next_h ** 2) the gradient before the tanh",
    "dprev_h": "da @ Wh.T, with da = dnext_h * (1 - next_h ** 2) the gradient before the tanh",
    "dWx": "x.T @ da, with da = dnext_h * (1 - next_h ** 2)",
    "dWh": "prev_h.T @ da (the state the step read, not the one it produced), with da = dnext_h * (1 - next_h ** 2)",
    "db": "the sum of da = dnext_h * (1 - next_h ** 2) over the batch (axis 0)",
}


@test_case(points=1, hidden=False)
def test_shapes_and_small_gradient_check(rnn_step_forward, rnn_step_backward, np):
    rng = np.random.default_rng(0)
    N, D, H = 3, 4, 5
    x, prev_h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(scale=0.5, size=(D, H)), rng.normal(scale=0.5, size=(H, H)), rng.normal(size=H)
    next_h, cache = rnn_step_forward(x, prev_h, Wx, Wh, b)
    dnext_h = rng.normal(size=(N, H))
    grads = rnn_step_backward(dnext_h, cache)
    assert isinstance(grads, tuple) and len(grads) == 5, "rnn_step_backward should return a tuple (dx, dprev_h, dWx, dWh, db)"
    for g, shape, what in zip(grads, [(N, D), (N, H), (D, H), (H, H), (H,)], ["dx", "dprev_h", "dWx", "dWh", "db"]):
        assert np.shape(g) == shape, f"{what} should have shape {shape}"
    inputs = [x, prev_h, Wx, Wh, b]
    for k, what in enumerate(["dx", "dprev_h", "dWx", "dWh", "db"]):
        numeric = np.zeros_like(inputs[k])
        for i in np.ndindex(inputs[k].shape):
            plus, minus = [a.copy() for a in inputs], [a.copy() for a in inputs]
            plus[k][i] += 1e-5
            minus[k][i] -= 1e-5
            diff = np.sum(rnn_step_forward(*plus)[0] * dnext_h) - np.sum(rnn_step_forward(*minus)[0] * dnext_h)
            numeric[i] = diff / 2e-5
        assert np.allclose(grads[k], numeric, rtol=1e-5, atol=1e-8), f"{what} does not match centered differences of your forward pass"


def random_step(rng):
    """x (4, 3), prev_h (4, 5), Wx, Wh, b of moderate size (tanh not saturated), and dnext_h."""
    N, D, H = 4, 3, 5
    inputs = [rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(scale=0.4, size=(D, H)),
              rng.normal(scale=0.4, size=(H, H)), rng.normal(scale=0.5, size=H)]
    return inputs, rng.normal(size=(N, H))


def step_gradients(rnn_step_forward, rnn_step_backward, inputs, dnext_h):
    """The student's (dx, dprev_h, dWx, dWh, db) for the student's own forward pass's cache."""
    from autograder.testing import check_array

    result = rnn_step_forward(*inputs)
    assert isinstance(result, tuple) and len(result) == 2, "rnn_step_forward should return a tuple (next_h, cache)"
    grads = rnn_step_backward(dnext_h, result[1])
    assert isinstance(grads, tuple) and len(grads) == 5, "rnn_step_backward should return a tuple (dx, dprev_h, dWx, dWh, db)"
    return {what: check_array(g, a.shape, what) for what, g, a in zip(NAMES, grads, inputs)}


@test_case(points=2, hidden=True)
def test_values_against_reference(rnn_step_forward, rnn_step_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    inputs, dnext_h = random_step(rng)
    got = step_gradients(rnn_step_forward, rnn_step_backward, inputs, dnext_h)
    want = dict(zip(NAMES, ref.rnn_step_backward(dnext_h, ref.rnn_step_forward(*inputs)[1])))
    for what in NAMES:
        err = rel_error(got[what], want[what])
        assert err < VALUE_TOLERANCE, f"{what} differs from the expected gradient (relative error {err:.1e}): it should be {HINTS[what]}"


@test_case(points=2, hidden=True)
def test_numerical_gradient_check(rnn_step_forward, rnn_step_backward, rng):
    """Centered differences of sum(next_h * dnext_h) through the student's rnn_step_forward."""
    from autograder.testing import check_array, eval_numerical_gradient_array, rel_error, sample_indices

    inputs, dnext_h = random_step(rng)
    got = step_gradients(rnn_step_forward, rnn_step_backward, inputs, dnext_h)
    for k, what in enumerate(NAMES):
        def layer(value):
            result = rnn_step_forward(*inputs[:k], value, *inputs[k + 1:])
            return check_array(result[0], dnext_h.shape, "next_h")

        idx = sample_indices(inputs[k].shape, SAMPLES, rng)
        numeric = eval_numerical_gradient_array(layer, inputs[k].copy(), dnext_h, idx)
        err = rel_error(np.array([got[what][i] for i in idx]), numeric)
        assert err < GRADCHECK_THRESHOLD, (
            f"gradient check failed for {what}: relative error {err:.1e} between your {what} and centered differences "
            f"of sum(next_h * dnext_h) through your rnn_step_forward (threshold {GRADCHECK_THRESHOLD:.0e}): "
            f"{what} should be {HINTS[what]}"
        )
