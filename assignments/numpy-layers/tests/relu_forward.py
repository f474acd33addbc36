import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "relu_forward"


@test_case(points=1, hidden=False)
def test_small_example(relu_forward, np):
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    result = relu_forward(x)
    assert isinstance(result, tuple) and len(result) == 2, "relu_forward should return a tuple (out, cache)"
    out = result[0]
    assert np.shape(out) == (3, 4), "out should have the shape of x"
    assert np.allclose(out, np.where(x > 0, x, 0.0)), "out should be max(0, x) elementwise"


@test_case(points=1, hidden=True)
def test_against_reference(relu_forward, rng):
    """Any shape: x of shape (4, 3, 5)."""
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    x = rng.normal(size=(4, 3, 5))
    result = relu_forward(x.copy())
    assert isinstance(result, tuple) and len(result) == 2, "relu_forward should return a tuple (out, cache)"
    err = rel_error(check_array(result[0], x.shape, "out of relu_forward"), ref.relu_forward(x)[0])
    assert err < 1e-12, f"out should be max(0, x) elementwise, for x of any shape (relative error {err:.1e})"
