import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "relu_backward"

GRADCHECK_THRESHOLD = 1e-7
"""rel_error allowed between the student's dx and centered differences (h = 1e-5) of
sum(out * dout) through the student's own relu_forward. The inputs stay at least 0.1 from the kink
at 0, so the differences are exact up to rounding: for the reference, the median over seeds 0-99 is
6e-11 and the worst 7.5e-9 (tests/test_reference_fc_layers.py asserts 5x under the threshold on those
seeds and 10x on this test's own data); masking with the wrong sign gives errors of 1."""


def away_from_kink(rng, shape):
    """Inputs of both signs with |x| in [0.1, 2]: a step of 1e-5 never crosses 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)


def backward(relu_forward, relu_backward, x, dout):
    """dx of the student's relu_backward for the cache of their relu_forward, checked for shape."""
    from autograder.testing import check_array

    result = relu_forward(x)
    assert isinstance(result, tuple) and len(result) == 2, "relu_forward should return a tuple (out, cache)"
    return check_array(relu_backward(dout, result[1]), x.shape, "dx of relu_backward")


@test_case(points=1, hidden=False)
def test_small_example(relu_forward, relu_backward, np):
    x = np.array([[-1.5, 2.0, 0.5], [3.0, -0.2, -4.0]])
    dout = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, 6.0]])
    _, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    assert np.shape(dx) == (2, 3), "dx should have the shape of x"
    assert np.allclose(dx, [[0.0, -2.0, 3.0], [-4.0, 0.0, 0.0]]), "dx is dout where x > 0 and 0 where x < 0"
    _, cache = relu_forward(np.array([[0.0, 1.0]]))
    assert np.allclose(relu_backward(np.array([[5.0, 5.0]]), cache), [[0.0, 5.0]]), (
        "at the kink x = 0 the gradient is 0 (CS231n's convention): the mask is x > 0, not x >= 0"
    )


@test_case(points=1, hidden=True)
def test_against_reference(relu_forward, relu_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, dout = away_from_kink(rng, (6, 4, 3)), rng.normal(size=(6, 4, 3))
    dx = backward(relu_forward, relu_backward, x.copy(), dout)
    err = rel_error(dx, ref.relu_backward(dout, ref.relu_forward(x)[1]))
    assert err < 1e-12, (
        f"dx is wrong (relative error {err:.1e}): it should be dout where the input x of relu_forward was "
        "positive and 0 where it was negative (the sign of x decides, not that of dout)"
    )


@test_case(points=1, hidden=True)
def test_zero_input(relu_forward, relu_backward, rng):
    """Inputs exactly 0, where ReLU has a kink: CS231n's convention passes no gradient there."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, dout = away_from_kink(rng, (5, 6)), rng.normal(size=(5, 6))
    x.flat[rng.choice(x.size, size=10, replace=False)] = 0.0
    dx = backward(relu_forward, relu_backward, x.copy(), dout)
    leaked = int(np.count_nonzero(dx[x == 0]))
    assert leaked == 0, (
        f"dx is not 0 at {leaked} of the 10 entries where the input x of relu_forward is exactly 0: by CS231n's "
        "convention ReLU passes dout only where x > 0 (the mask is x > 0, not x >= 0)"
    )
    err = rel_error(dx, ref.relu_backward(dout, ref.relu_forward(x)[1]))
    assert err < 1e-12, f"dx is wrong (relative error {err:.1e}): dout where x > 0, 0 elsewhere"


@test_case(points=1, hidden=True)
def test_numerical_gradient_check(relu_forward, relu_backward, rng):
    """dx against centered differences of sum(out * dout) through your own relu_forward."""
    from autograder.testing import check_array, eval_numerical_gradient_array, rel_error

    x, dout = away_from_kink(rng, (5, 4)), rng.normal(size=(5, 4))
    dx = backward(relu_forward, relu_backward, x.copy(), dout)

    def out_of(value):
        result = relu_forward(value)
        assert isinstance(result, tuple) and len(result) == 2, "relu_forward should return a tuple (out, cache)"
        return check_array(result[0], x.shape, "out of relu_forward")

    err = rel_error(dx, eval_numerical_gradient_array(out_of, x.copy(), dout))
    assert err < GRADCHECK_THRESHOLD, (
        f"gradient check failed: relative error {err:.1e} between your dx and centered differences of "
        f"sum(out * dout) through your relu_forward (threshold {GRADCHECK_THRESHOLD:.0e})"
    )
