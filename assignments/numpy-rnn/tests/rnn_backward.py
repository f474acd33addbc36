import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "rnn_backward"

VALUE_TOLERANCE = 1e-8
"""rel_error allowed between the student's gradients and the reference's for the same inputs (the
reference matches PyTorch autograd through torch.nn.RNN to 1e-12, tests/test_reference_rnn.py)."""

GRADCHECK_THRESHOLD = 1e-5
"""rel_error allowed between a gradient and centered differences (h = 1e-5) of sum(h * dh) through
the student's own rnn_forward, at SAMPLES sampled entries of each input. Over 50 random problems
of this test's size the reference's worst error is 1.2e-7 (small entries of dx; 1.4e-8 for the
weights; tests/test_reference_rnn.py asserts 50x under the threshold); backpropagating each step's
dh[:, t] alone, without the dprev_h of the step after it, gives errors near 1."""

SAMPLES = 5
"""Entries checked per input (x, h0, Wx, Wh, b): 25 entries, 50 calls into the sandbox."""

NAMES = ("dx", "dh0", "dWx", "dWh", "db")

HINTS = {
    "dx": "made of the steps' dx: dx[:, t] is the dx that step t's backward pass returns",
    "dh0": "the dprev_h of the first step's backward pass",
    "dWx": "the sum over the steps of each step's dWx",
    "dWh": "the sum over the steps of each step's dWh",
    "db": "the sum over the steps of each step's db",
}

BPTT = ("the gradient reaching step t is dh[:, t] plus the dprev_h returned by the backward pass of step t + 1, "
        "going from the last step back to the first")


@test_case(points=1, hidden=False)
def test_shapes_and_small_gradient_check(rnn_forward, rnn_backward, np):
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 3, 2, 3
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(scale=0.5, size=(D, H)), rng.normal(scale=0.5, size=(H, H)), rng.normal(size=H)
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dh = rng.normal(size=(N, T, H))
    grads = rnn_backward(dh, cache)
    assert isinstance(grads, tuple) and len(grads) == 5, "rnn_backward should return a tuple (dx, dh0, dWx, dWh, db)"
    for g, shape, what in zip(grads, [(N, T, D), (N, H), (D, H), (H, H), (H,)], ["dx", "dh0", "dWx", "dWh", "db"]):
        assert np.shape(g) == shape, f"{what} should have shape {shape}"
    inputs = [x, h0, Wx, Wh, b]
    for k, what in enumerate(["dx", "dh0", "dWx", "dWh", "db"]):
        numeric = np.zeros_like(inputs[k])
        for i in np.ndindex(inputs[k].shape):
            plus, minus = [a.copy() for a in inputs], [a.copy() for a in inputs]
            plus[k][i] += 1e-5
            minus[k][i] -= 1e-5
            diff = np.sum(rnn_forward(*plus)[0] * dh) - np.sum(rnn_forward(*minus)[0] * dh)
            numeric[i] = diff / 2e-5
        assert np.allclose(grads[k], numeric, rtol=1e-5, atol=1e-8), f"{what} does not match centered differences of your forward pass"


def random_sequence(rng):
    """x (3, 5, 2), h0 (3, 4), Wx, Wh, b of moderate size (tanh not saturated), and dh (3, 5, 4)."""
    N, T, D, H = 3, 5, 2, 4
    inputs = [rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(scale=0.5, size=(D, H)),
              rng.normal(scale=0.5, size=(H, H)), rng.normal(scale=0.5, size=H)]
    return inputs, rng.normal(size=(N, T, H))


def sequence_gradients(rnn_forward, rnn_backward, inputs, dh):
    """The student's (dx, dh0, dWx, dWh, db) for the student's own forward pass's cache."""
    from autograder.testing import check_array

    result = rnn_forward(*inputs)
    assert isinstance(result, tuple) and len(result) == 2, "rnn_forward should return a tuple (h, cache)"
    grads = rnn_backward(dh, result[1])
    assert isinstance(grads, tuple) and len(grads) == 5, "rnn_backward should return a tuple (dx, dh0, dWx, dWh, db)"
    return {what: check_array(g, a.shape, what) for what, g, a in zip(NAMES, grads, inputs)}


@test_case(points=2, hidden=True)
def test_values_against_reference(rnn_forward, rnn_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    inputs, dh = random_sequence(rng)
    got = sequence_gradients(rnn_forward, rnn_backward, inputs, dh)
    want = dict(zip(NAMES, ref.rnn_backward(dh, ref.rnn_forward(*inputs)[1])))
    err = rel_error(got["dx"][:, -1], want["dx"][:, -1])
    assert err < VALUE_TOLERANCE, (
        f"dx[:, -1], the gradient for the last step's input, differs from the expected values (relative error "
        f"{err:.1e}): the last step receives dh[:, -1] only, and its dx comes from its rnn_step_backward"
    )
    for what in NAMES:
        err = rel_error(got[what], want[what])
        assert err < VALUE_TOLERANCE, (
            f"{what} differs from the expected gradient (relative error {err:.1e}): {what} should be {HINTS[what]}, "
            f"where {BPTT}"
        )


@test_case(points=3, hidden=True)
def test_numerical_gradient_check(rnn_forward, rnn_backward, rng):
    """Centered differences of sum(h * dh) through the student's rnn_forward (backpropagation through time)."""
    from autograder.testing import check_array, eval_numerical_gradient_array, rel_error, sample_indices

    inputs, dh = random_sequence(rng)
    got = sequence_gradients(rnn_forward, rnn_backward, inputs, dh)
    for k, what in enumerate(NAMES):
        def layer(value):
            result = rnn_forward(*inputs[:k], value, *inputs[k + 1:])
            return check_array(result[0], dh.shape, "h")

        idx = sample_indices(inputs[k].shape, SAMPLES, rng)
        numeric = eval_numerical_gradient_array(layer, inputs[k].copy(), dh, idx)
        err = rel_error(np.array([got[what][i] for i in idx]), numeric)
        assert err < GRADCHECK_THRESHOLD, (
            f"gradient check failed for {what}: relative error {err:.1e} between your {what} and centered differences "
            f"of sum(h * dh) through your rnn_forward (threshold {GRADCHECK_THRESHOLD:.0e}): {what} should be "
            f"{HINTS[what]}, where {BPTT}"
        )
