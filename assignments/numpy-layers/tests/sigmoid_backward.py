import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "sigmoid_backward"

GRADCHECK_THRESHOLD = 1e-6
"""rel_error allowed between the student's dx and centered differences (h = 1e-5) of
sum(out * dout) through the student's own sigmoid_forward, for x (5, 4) of scale 2. Rounding in
sum(out * dout), divided by 2h, is ~1e-11 absolute, which dominates for the smallest entries of dx:
for the reference, the median over seeds 0-99 is 1.1e-9 and the worst 6.2e-8
(tests/test_reference_fc_layers.py asserts 5x under the threshold on those seeds and 10x on this
test's own data); a wrong derivative gives errors above 1e-1."""


def backward(sigmoid_forward, sigmoid_backward, x, dout):
    """dx of the student's sigmoid_backward for the cache of their sigmoid_forward, checked for shape."""
    from autograder.testing import check_array

    result = sigmoid_forward(x)
    assert isinstance(result, tuple) and len(result) == 2, "sigmoid_forward should return a tuple (out, cache)"
    return check_array(sigmoid_backward(dout, result[1]), x.shape, "dx of sigmoid_backward")


@test_case(points=1, hidden=False)
def test_small_example(sigmoid_forward, sigmoid_backward, np):
    x = np.array([[0.0, 1.0], [-2.0, 3.0]])
    dout = np.array([[2.0, -1.0], [0.5, 4.0]])
    _, cache = sigmoid_forward(x)
    dx = sigmoid_backward(dout, cache)
    s = 1 / (1 + np.exp(-x))
    assert np.shape(dx) == (2, 2), "dx should have the shape of x"
    assert np.isclose(dx[0, 0], 0.5), "at x = 0 the sigmoid's slope is 0.25, so dx = 0.25 * dout = 0.5 here"
    assert np.allclose(dx, dout * s * (1 - s)), "dx should be dout * s * (1 - s) with s = sigmoid(x)"


@test_case(points=1, hidden=True)
def test_against_reference(sigmoid_forward, sigmoid_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, dout = rng.normal(scale=2.0, size=(6, 4, 3)), rng.normal(size=(6, 4, 3))
    dx = backward(sigmoid_forward, sigmoid_backward, x.copy(), dout)
    err = rel_error(dx, ref.sigmoid_backward(dout, ref.sigmoid_forward(x)[1]))
    assert err < 1e-10, f"dx is wrong (relative error {err:.1e}): it should be dout * s * (1 - s) with s = sigmoid(x)"


@test_case(points=1, hidden=True)
def test_numerical_gradient_check(sigmoid_forward, sigmoid_backward, rng):
    """dx against centered differences of sum(out * dout) through your own sigmoid_forward."""
    from autograder.testing import check_array, eval_numerical_gradient_array, rel_error

    x, dout = rng.normal(scale=2.0, size=(5, 4)), rng.normal(size=(5, 4))
    dx = backward(sigmoid_forward, sigmoid_backward, x.copy(), dout)

    def out_of(value):
        result = sigmoid_forward(value)
        assert isinstance(result, tuple) and len(result) == 2, "sigmoid_forward should return a tuple (out, cache)"
        return check_array(result[0], x.shape, "out of sigmoid_forward")

    err = rel_error(dx, eval_numerical_gradient_array(out_of, x.copy(), dout))
    assert err < GRADCHECK_THRESHOLD, (
        f"gradient check failed: relative error {err:.1e} between your dx and centered differences of "
        f"sum(out * dout) through your sigmoid_forward (threshold {GRADCHECK_THRESHOLD:.0e})"
    )
