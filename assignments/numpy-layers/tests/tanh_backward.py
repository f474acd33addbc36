import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "tanh_backward"

GRADCHECK_THRESHOLD = 1e-6
"""rel_error allowed between the student's dx and centered differences (h = 1e-5) of
sum(out * dout) through the student's own tanh_forward, for x (5, 4) of scale 1. As for the
sigmoid, rounding dominates for the smallest entries of dx: for the reference, the median over seeds
0-99 is 3.4e-10 and the worst 1.1e-8 (tests/test_reference_fc_layers.py asserts 5x under the
threshold on those seeds and 10x on this test's own data); the derivative 1 - tanh(x) instead of
1 - tanh(x) ** 2 gives errors above 1e-1."""


def backward(tanh_forward, tanh_backward, x, dout):
    """dx of the student's tanh_backward for the cache of their tanh_forward, checked for shape."""
    from autograder.testing import check_array

    result = tanh_forward(x)
    assert isinstance(result, tuple) and len(result) == 2, "tanh_forward should return a tuple (out, cache)"
    return check_array(tanh_backward(dout, result[1]), x.shape, "dx of tanh_backward")


@test_case(points=1, hidden=False)
def test_small_example(tanh_forward, tanh_backward, np):
    x = np.array([[0.0, 1.0], [-2.0, 0.5]])
    dout = np.array([[2.0, -1.0], [0.5, 4.0]])
    _, cache = tanh_forward(x)
    dx = tanh_backward(dout, cache)
    assert np.shape(dx) == (2, 2), "dx should have the shape of x"
    assert np.isclose(dx[0, 0], 2.0), "at x = 0 the slope of tanh is 1, so dx = dout = 2 here"
    assert np.allclose(dx, dout / np.cosh(x) ** 2), "dx should be dout times the derivative of tanh at x"


@test_case(points=1, hidden=True)
def test_against_reference(tanh_forward, tanh_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, dout = rng.normal(size=(6, 4, 3)), rng.normal(size=(6, 4, 3))
    dx = backward(tanh_forward, tanh_backward, x.copy(), dout)
    err = rel_error(dx, ref.tanh_backward(dout, ref.tanh_forward(x)[1]))
    assert err < 1e-10, (
        f"dx is wrong (relative error {err:.1e}): it should be dout * (1 - t ** 2) with t = tanh(x)"
    )


@test_case(points=1, hidden=True)
def test_numerical_gradient_check(tanh_forward, tanh_backward, rng):
    """dx against centered differences of sum(out * dout) through your own tanh_forward."""
    from autograder.testing import check_array, eval_numerical_gradient_array, rel_error

    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    dx = backward(tanh_forward, tanh_backward, x.copy(), dout)

    def out_of(value):
        result = tanh_forward(value)
        assert isinstance(result, tuple) and len(result) == 2, "tanh_forward should return a tuple (out, cache)"
        return check_array(result[0], x.shape, "out of tanh_forward")

    err = rel_error(dx, eval_numerical_gradient_array(out_of, x.copy(), dout))
    assert err < GRADCHECK_THRESHOLD, (
        f"gradient check failed: relative error {err:.1e} between your dx and centered differences of "
        f"sum(out * dout) through your tanh_forward (threshold {GRADCHECK_THRESHOLD:.0e})"
    )
