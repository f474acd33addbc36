import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "temporal_affine_forward"


@test_case(points=1, hidden=False)
def test_small_example(temporal_affine_forward, np):
    x = np.arange(12, dtype=float).reshape(2, 3, 2)
    w = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]])
    b = np.array([0.1, 0.2, 0.3])
    result = temporal_affine_forward(x, w, b)
    assert isinstance(result, tuple) and len(result) == 2, "temporal_affine_forward should return a tuple (out, cache)"
    out = result[0]
    assert isinstance(out, np.ndarray) and out.shape == (2, 3, 3), "out should be an array of shape (N, T, M)"
    assert np.allclose(out[0, 0], [2.1, 0.2, -0.2]), "out[0, 0] should be x[0, 0] @ w + b"
    assert np.allclose(out[1, 2], [32.1, -9.8, -0.2]), "out[1, 2] should be x[1, 2] @ w + b"


@test_case(points=1, hidden=True)
def test_values_against_reference(temporal_affine_forward, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    N, T, H, M = 3, 4, 5, 2
    x, w, b = rng.normal(size=(N, T, H)), rng.normal(size=(H, M)), rng.normal(size=M)
    result = temporal_affine_forward(x, w, b)
    assert isinstance(result, tuple) and len(result) == 2, "temporal_affine_forward should return a tuple (out, cache)"
    err = rel_error(check_array(result[0], (N, T, M), "out"), ref.temporal_affine_forward(x, w, b)[0])
    assert err < 1e-9, (
        f"out differs from the expected values (relative error {err:.1e}): out[:, t] should be x[:, t] @ w + b at "
        "every step t, for N, T, H, M all different"
    )
