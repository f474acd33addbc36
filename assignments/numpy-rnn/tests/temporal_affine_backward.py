import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "temporal_affine_backward"

HINTS = {
    "dx": "dout @ w.T at every step, of shape (N, T, H)",
    "dw": "the sum over the batch and the time steps of x[n, t][:, None] * dout[n, t][None, :], of shape (H, M)",
    "db": "the sum of dout over the batch and the time steps (axes 0 and 1), of shape (M,)",
}


@test_case(points=1, hidden=False)
def test_small_example(temporal_affine_forward, temporal_affine_backward, np):
    x = np.arange(12, dtype=float).reshape(2, 3, 2)
    w = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]])
    b = np.array([0.1, 0.2, 0.3])
    _, cache = temporal_affine_forward(x, w, b)
    dout = np.ones((2, 3, 3))
    grads = temporal_affine_backward(dout, cache)
    assert isinstance(grads, tuple) and len(grads) == 3, "temporal_affine_backward should return a tuple (dx, dw, db)"
    dx, dw, db = grads
    assert np.shape(dx) == (2, 3, 2) and np.shape(dw) == (2, 3) and np.shape(db) == (3,), "dx, dw, db have the shapes of x, w, b"
    assert np.allclose(db, [6.0, 6.0, 6.0]), "db should sum dout over the batch and the time steps"
    assert np.allclose(dw, [[30.0, 30.0, 30.0], [36.0, 36.0, 36.0]]), "dw is wrong for this example"
    assert np.allclose(dx[0, 0], [0.5, 1.5]), "dx[0, 0] should be dout[0, 0] @ w.T"


@test_case(points=2, hidden=True)
def test_values_against_reference(temporal_affine_forward, temporal_affine_backward, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    N, T, H, M = 3, 4, 5, 2
    x, w, b = rng.normal(size=(N, T, H)), rng.normal(size=(H, M)), rng.normal(size=M)
    dout = rng.normal(size=(N, T, M))
    result = temporal_affine_forward(x, w, b)
    assert isinstance(result, tuple) and len(result) == 2, "temporal_affine_forward should return a tuple (out, cache)"
    grads = temporal_affine_backward(dout, result[1])
    assert isinstance(grads, tuple) and len(grads) == 3, "temporal_affine_backward should return a tuple (dx, dw, db)"
    want = ref.temporal_affine_backward(dout, ref.temporal_affine_forward(x, w, b)[1])
    for what, g, wanted in zip(("dx", "dw", "db"), grads, want):
        err = rel_error(check_array(g, wanted.shape, what), wanted)
        assert err < 1e-9, f"{what} differs from the expected gradient (relative error {err:.1e}): it should be {HINTS[what]}"
