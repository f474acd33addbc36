import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "affine_forward"

VALUE_TOLERANCE = 1e-9
"""rel_error allowed between the student's out and the reference's (a different but correct order
of operations changes it by ~1e-15; a missing bias or a wrongly flattened x gives errors near 1)."""


def forward(affine_forward, x, w, b):
    """out of the student's affine_forward, checked for form and shape (N, M)."""
    from autograder.testing import check_array

    result = affine_forward(x, w, b)
    assert isinstance(result, tuple) and len(result) == 2, "affine_forward should return a tuple (out, cache)"
    return check_array(result[0], (x.shape[0], w.shape[1]), "out of affine_forward")


@test_case(points=1, hidden=False)
def test_small_example(affine_forward, np):
    x = np.arange(12, dtype=float).reshape(2, 3, 2)  # N = 2 examples of shape (3, 2): D = 6
    w = np.linspace(-1.0, 1.0, 18).reshape(6, 3)
    b = np.array([0.5, -1.0, 2.0])
    result = affine_forward(x, w, b)
    assert isinstance(result, tuple) and len(result) == 2, "affine_forward should return a tuple (out, cache)"
    out = result[0]
    assert np.shape(out) == (2, 3), "out should have shape (N, M) = (2, 3): flatten each example to a row of D = 6 values"
    assert np.allclose(out, x.reshape(2, 6) @ w + b), "out should be x.reshape(N, D) @ w + b"


@test_case(points=1, hidden=True)
def test_two_dimensional_input(affine_forward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, w, b = rng.normal(size=(10, 7)), rng.normal(size=(7, 4)), rng.normal(size=4)
    err = rel_error(forward(affine_forward, x.copy(), w, b), ref.affine_forward(x, w, b)[0])
    assert err < VALUE_TOLERANCE, (
        f"for x of shape (N, D), out differs from x @ w + b (relative error {err:.1e}, threshold {VALUE_TOLERANCE:.0e})"
    )


@test_case(points=2, hidden=True)
def test_multidimensional_input(affine_forward, rng):
    """CS231n's setting: 2 inputs of shape (4, 5, 6) to 3 outputs."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, w, b = rng.normal(size=(2, 4, 5, 6)), rng.normal(size=(120, 3)), rng.normal(size=3)
    err = rel_error(forward(affine_forward, x.copy(), w, b), ref.affine_forward(x, w, b)[0])
    assert err < VALUE_TOLERANCE, (
        f"for x of shape (N, d_1, d_2, d_3), out is wrong (relative error {err:.1e}): flatten each example "
        "row-major, as x.reshape(N, -1) does, then compute x_flat @ w + b"
    )
