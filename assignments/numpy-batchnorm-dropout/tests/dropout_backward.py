import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "dropout_backward"


def forward_backward(dropout_forward, dropout_backward, x, dout, dropout_param):
    """out of the student's dropout_forward and dx of its dropout_backward, checked for form and shapes."""
    from autograder.testing import check_array

    result = dropout_forward(x, dropout_param)
    assert isinstance(result, tuple) and len(result) == 2, "dropout_forward should return a tuple (out, cache)"
    out = check_array(result[0], x.shape, "out of dropout_forward")
    dx = check_array(dropout_backward(dout, result[1]), x.shape, "dx of dropout_backward")
    return out, dx


@test_case(points=1, hidden=False)
def test_gradient_follows_the_mask(dropout_forward, dropout_backward, np):
    rng = np.random.default_rng(0)
    x, dout = rng.uniform(1.0, 2.0, size=(20, 10)), rng.normal(size=(20, 10))
    out, cache = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 0})
    dx = dropout_backward(dout, cache)
    assert isinstance(dx, np.ndarray) and dx.shape == x.shape, "dx should have the shape of x"
    assert np.all(dx[out == 0] == 0), "dropped units get no gradient"
    assert np.allclose(dx[out != 0], dout[out != 0] / 0.5), "kept units pass dout through, scaled by 1 / p"
    out, cache = dropout_forward(x, {"p": 0.5, "mode": "test"})
    assert np.array_equal(dropout_backward(dout, cache), dout), "in test mode dx = dout"


@test_case(points=2, hidden=True)
def test_against_reference_with_seed(dropout_forward, dropout_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, dout = rng.normal(size=(40, 25)), rng.normal(size=(40, 25))
    param = {"p": 0.7, "mode": "train", "seed": int(rng.integers(0, 2**31))}
    _, dx = forward_backward(dropout_forward, dropout_backward, x, dout, dict(param))
    _, cache = ref.dropout_forward(x, dict(param))
    err = rel_error(dx, ref.dropout_backward(dout, cache))
    assert err < 1e-12, (
        f"with a fixed seed, dx differs from the reference (relative error {err:.1e}): dx is dout times the mask "
        "of the forward pass, scaled by 1/p (and the forward pass draws np.random.rand(*x.shape) < p after seeding)"
    )


@test_case(points=1, hidden=True)
def test_consistent_with_forward(dropout_forward, dropout_backward, rng):
    """Without a seed: dx is dout where your forward kept a unit, scaled like it (out / x), and 0 elsewhere."""
    x, dout = rng.uniform(1.0, 2.0, size=(50, 40)), rng.normal(size=(50, 40))
    for p in (0.3, 0.8):
        out, dx = forward_backward(dropout_forward, dropout_backward, x, dout, {"p": p, "mode": "train"})
        err = np.max(np.abs(dx - dout * out / x))
        assert err < 1e-10, (
            f"with p = {p} in train mode, dx should be dout times the same mask and 1/p scaling that your "
            f"forward pass applied (off by up to {err:.1e}): keep the mask in the cache"
        )


@test_case(points=1, hidden=True)
def test_test_mode_is_identity(dropout_forward, dropout_backward, rng):
    x, dout = rng.normal(size=(30, 20)), rng.normal(size=(30, 20))
    _, dx = forward_backward(dropout_forward, dropout_backward, x, dout, {"p": 0.4, "mode": "test"})
    assert np.array_equal(dx, dout), "in test mode dropout is the identity, so dx must equal dout"
