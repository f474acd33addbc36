import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "affine_backward"

GRADCHECK_THRESHOLD = 1e-5
"""rel_error allowed between the student's gradients and centered differences (h = 1e-5) of
sum(out * dout) through the student's own affine_forward, for x (10, 2, 3), w (6, 5), b (5,). The layer
is linear, but rounding in sum(out * dout), divided by 2h, is ~1e-10 absolute, and rel_error is
elementwise: for the reference, the median over seeds 0-99 is 2.4e-9 and the worst 1.1e-6 (an entry of
dw near 0); tests/test_reference_fc_layers.py asserts 5x under the threshold on those seeds and 10x on
this test's own data. A wrong gradient gives errors near 1."""

VALUE_TOLERANCE = 1e-9
"""rel_error allowed against the reference's gradients for the same inputs (rounding is ~1e-15)."""

HINTS = {
    "dx": "dout @ w.T, reshaped to the shape of x",
    "dw": "x.reshape(N, D).T @ dout",
    "db": "the sum of dout over the batch (axis 0)",
}


def forward_backward(affine_forward, affine_backward, x, w, b, dout):
    """(dx, dw, db) of the student's backward pass for the cache of their forward pass, checked for shapes."""
    from autograder.testing import check_array

    result = affine_forward(x, w, b)
    assert isinstance(result, tuple) and len(result) == 2, "affine_forward should return a tuple (out, cache)"
    grads = affine_backward(dout, result[1])
    assert isinstance(grads, tuple) and len(grads) == 3, "affine_backward should return a tuple (dx, dw, db)"
    return (
        check_array(grads[0], x.shape, "dx (it should have the shape of x, before flattening)"),
        check_array(grads[1], w.shape, "dw (it should have the shape of w, (D, M): x.reshape(N, D).T @ dout)"),
        check_array(grads[2], b.shape, "db (it should have the shape of b, (M,): the sum of dout over the batch, axis 0)"),
    )


def inputs(rng):
    """CS231n's gradient-check setting: x (10, 2, 3), w (6, 5), b (5,), dout (10, 5)."""
    return rng.normal(size=(10, 2, 3)), rng.normal(size=(6, 5)), rng.normal(size=5), rng.normal(size=(10, 5))


@test_case(points=1, hidden=False)
def test_shapes_and_db(affine_forward, affine_backward, np):
    rng = np.random.default_rng(0)
    x, w, b, dout = rng.normal(size=(4, 3, 2)), rng.normal(size=(6, 5)), rng.normal(size=5), rng.normal(size=(4, 5))
    _, cache = affine_forward(x, w, b)
    grads = affine_backward(dout, cache)
    assert isinstance(grads, tuple) and len(grads) == 3, "affine_backward should return a tuple (dx, dw, db)"
    dx, dw, db = grads
    assert np.shape(dx) == (4, 3, 2), "dx should have the shape of x, (N, d_1, ..., d_k), not the flattened (N, D)"
    assert np.shape(dw) == (6, 5) and np.shape(db) == (5,), "dw should have the shape of w, db that of b"
    assert np.allclose(db, dout.sum(axis=0)), "b is added to every row of out: db sums dout over the batch"
    assert np.allclose(dw, x.reshape(4, 6).T @ dout), "dw should be x.reshape(N, D).T @ dout"


@test_case(points=2, hidden=True)
def test_against_reference(affine_forward, affine_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, w, b, dout = inputs(rng)
    got = forward_backward(affine_forward, affine_backward, x.copy(), w, b, dout)
    want = ref.affine_backward(dout, ref.affine_forward(x, w, b)[1])
    for what, g, v in zip(("dx", "dw", "db"), got, want):
        err = rel_error(g, v)
        assert err < VALUE_TOLERANCE, f"{what} is wrong (relative error {err:.1e}): it should be {HINTS[what]}"


@test_case(points=2, hidden=True)
def test_numerical_gradient_check(affine_forward, affine_backward, rng):
    """dx, dw, db against centered differences of sum(out * dout) through your own affine_forward."""
    from autograder.testing import check_array, eval_numerical_gradient_array, rel_error

    x, w, b, dout = inputs(rng)
    analytic = dict(zip(("dx", "dw", "db"), forward_backward(affine_forward, affine_backward, x.copy(), w, b, dout)))

    def out_of(x_, w_, b_):
        result = affine_forward(x_, w_, b_)
        assert isinstance(result, tuple) and len(result) == 2, "affine_forward should return a tuple (out, cache)"
        return check_array(result[0], dout.shape, "out of affine_forward")

    numeric = {
        "dx": eval_numerical_gradient_array(lambda v: out_of(v, w, b), x.copy(), dout),
        "dw": eval_numerical_gradient_array(lambda v: out_of(x, v, b), w.copy(), dout),
        "db": eval_numerical_gradient_array(lambda v: out_of(x, w, v), b.copy(), dout),
    }
    for what in ("dx", "dw", "db"):
        err = rel_error(analytic[what], numeric[what])
        assert err < GRADCHECK_THRESHOLD, (
            f"gradient check failed for {what}: relative error {err:.1e} between your {what} and centered "
            f"differences of sum(out * dout) through your affine_forward (threshold {GRADCHECK_THRESHOLD:.0e})"
        )
