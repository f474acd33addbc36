import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "tanh_forward"


def forward(tanh_forward, x):
    """out of the student's tanh_forward, checked for form and shape (finiteness is checked by the caller)."""
    result = tanh_forward(x)
    assert isinstance(result, tuple) and len(result) == 2, "tanh_forward should return a tuple (out, cache)"
    out = result[0]
    assert isinstance(out, np.ndarray) and out.shape == x.shape, f"out should be an array of the shape of x, {x.shape}"
    return out.astype(np.float64)


@test_case(points=1, hidden=False)
def test_small_example(tanh_forward, np):
    x = np.array([[0.0, 1.0, -1.0], [2.0, -2.0, 0.5]])
    result = tanh_forward(x)
    assert isinstance(result, tuple) and len(result) == 2, "tanh_forward should return a tuple (out, cache)"
    out = result[0]
    assert np.shape(out) == (2, 3), "out should have the shape of x"
    assert np.allclose(out, np.tanh(x)), "out should be tanh(x) elementwise"


@test_case(points=1, hidden=True)
def test_against_reference(tanh_forward, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    x = rng.normal(scale=2.0, size=(5, 4, 3))
    out = check_array(forward(tanh_forward, x.copy()), x.shape, "out of tanh_forward")
    err = rel_error(out, ref.tanh_forward(x)[0])
    assert err < 1e-10, f"out should be tanh(x) elementwise, for x of any shape (relative error {err:.1e})"


@test_case(points=1, hidden=True)
def test_large_inputs(tanh_forward, rng):
    """Inputs up to +-1000, where exp overflows: tanh saturates at -1 and 1 and stays finite."""
    from assignment import solution as ref

    x = np.concatenate([[-1000.0, -710.0, -30.0, 0.0, 30.0, 710.0, 1000.0], rng.uniform(-1000, 1000, size=13)]).reshape(4, 5)
    out = forward(tanh_forward, x.copy())
    assert np.all(np.isfinite(out)), (
        "tanh_forward returns NaN or inf for inputs as large as +-1000: exp(1000) overflows to inf "
        "(inf / inf is NaN); np.tanh is stable"
    )
    err = np.max(np.abs(out - ref.tanh_forward(x)[0]))
    assert err < 1e-12, f"for inputs as large as +-1000 tanh should be -1 or 1 to within rounding (off by {err:.1e})"
