import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "batchnorm_backward"

DX_THRESHOLD = 1e-5
"""rel_error allowed between dx and centered differences (h = 1e-5) of sum(out * dout), N = 4, D = 5.
rel_error is elementwise, so entries of dx close to zero dominate it: over 1000 random inputs of this
size the reference's median is 7e-9 and its 99th percentile 1.4e-6; bugs give errors above 1e-2."""

PARAM_THRESHOLD = 1e-6
"""The same for dgamma and dbeta (reference: median 5e-11, worst of 1000 random inputs 1.5e-7)."""

VALUE_TOLERANCE = 1e-7
"""rel_error allowed against the reference's gradients for the same inputs (rounding is ~1e-13)."""


def forward_train(batchnorm_forward, x, gamma, beta):
    """out and cache of the student's forward pass in train mode."""
    result = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert isinstance(result, tuple) and len(result) == 3, "batchnorm_forward should return a tuple (out, cache, bn_param)"
    return result[0], result[1]


def backward(batchnorm_backward, dout, cache, N, D):
    """(dx, dgamma, dbeta) of the student's backward pass, checked for form and shapes (dgamma and
    dbeta: (D,), or the keepdims shape (1, D) of the same numbers, which the public test reports)."""
    from autograder.testing import check_array, check_features

    grads = batchnorm_backward(dout, cache)
    assert isinstance(grads, tuple) and len(grads) == 3, "batchnorm_backward should return a tuple (dx, dgamma, dbeta)"
    return (
        check_array(grads[0], (N, D), "dx"),
        check_features(grads[1], D, "dgamma"),
        check_features(grads[2], D, "dbeta"),
    )


def inputs(rng, N=4, D=5):
    """CS231n's gradient-check inputs: x = 5 * randn + 12, gamma, beta and dout standard normal."""
    x = rng.normal(loc=12.0, scale=5.0, size=(N, D))
    return x, rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))


@test_case(points=1, hidden=False)
def test_shapes_and_dbeta(batchnorm_forward, batchnorm_backward, np):
    rng = np.random.default_rng(0)
    x, gamma, beta, dout = rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=3), rng.normal(size=(6, 3))
    _, cache, _ = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    grads = batchnorm_backward(dout, cache)
    assert isinstance(grads, tuple) and len(grads) == 3, "batchnorm_backward should return a tuple (dx, dgamma, dbeta)"
    dx, dgamma, dbeta = grads
    assert np.shape(dx) == (6, 3) and np.shape(dgamma) == (3,) and np.shape(dbeta) == (3,), "dx is (N, D); dgamma, dbeta are (D,)"
    assert np.allclose(dbeta, dout.sum(axis=0)), "beta is added to every row: dbeta sums dout over the batch"
    assert np.allclose(dx.sum(axis=0), 0.0, atol=1e-10), "shifting a whole column of x does not change out: dx sums to 0 per feature"


@test_case(points=1, hidden=False)
def test_small_numerical_gradient_check(batchnorm_forward, batchnorm_backward, np):
    rng = np.random.default_rng(1)
    x, gamma, beta, dout = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=2), rng.normal(size=(3, 2))
    _, cache, _ = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx = batchnorm_backward(dout, cache)[0]
    h, numeric = 1e-5, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        up = np.sum(batchnorm_forward(xp, gamma, beta, {"mode": "train"})[0] * dout)
        down = np.sum(batchnorm_forward(xm, gamma, beta, {"mode": "train"})[0] * dout)
        numeric[i] = (up - down) / (2 * h)
    assert np.allclose(dx, numeric, rtol=1e-5, atol=1e-7), "dx does not match centered differences of your forward pass"


@test_case(points=2, hidden=True)
def test_against_reference(batchnorm_forward, batchnorm_backward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    N, D = 10, 6
    x, gamma, beta, dout = inputs(rng, N, D)
    _, cache = forward_train(batchnorm_forward, x.copy(), gamma, beta)
    got = backward(batchnorm_backward, dout, cache, N, D)
    want = ref.batchnorm_backward(dout, ref.batchnorm_forward(x, gamma, beta, {"mode": "train"})[1])
    for what, g, w in zip(("dx", "dgamma", "dbeta"), got, want):
        err = rel_error(g, w)
        assert err < VALUE_TOLERANCE, (
            f"{what} differs from the reference gradient for the cache of your forward pass "
            f"(relative error {err:.1e}, threshold {VALUE_TOLERANCE:.0e})"
        )


def gradient_check(batchnorm_forward, batchnorm_backward, rng, which):
    """Centered differences of sum(out * dout) through the student's own forward pass, for one input."""
    from autograder.testing import eval_numerical_gradient_array, rel_error

    N, D = 4, 5
    x, gamma, beta, dout = inputs(rng, N, D)
    _, cache = forward_train(batchnorm_forward, x.copy(), gamma.copy(), beta.copy())
    dx, dgamma, dbeta = backward(batchnorm_backward, dout, cache, N, D)
    args = {"dx": x, "dgamma": gamma, "dbeta": beta}
    position = list(args).index(which)

    def layer(value):
        call = [x, gamma, beta]
        call[position] = value
        return forward_train(batchnorm_forward, *call)[0]

    analytic = {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}[which]
    numeric = eval_numerical_gradient_array(layer, args[which].copy(), dout)
    threshold = DX_THRESHOLD if which == "dx" else PARAM_THRESHOLD
    err = rel_error(analytic, numeric)
    assert err < threshold, (
        f"gradient check failed for {which}: relative error {err:.1e} between your {which} and centered differences "
        f"of sum(out * dout) through your batchnorm_forward (threshold {threshold:.0e})"
    )


@test_case(points=2, hidden=True)
def test_gradient_check_dx(batchnorm_forward, batchnorm_backward, rng):
    gradient_check(batchnorm_forward, batchnorm_backward, rng, "dx")


@test_case(points=1, hidden=True)
def test_gradient_check_dgamma(batchnorm_forward, batchnorm_backward, rng):
    gradient_check(batchnorm_forward, batchnorm_backward, rng, "dgamma")


@test_case(points=1, hidden=True)
def test_gradient_check_dbeta(batchnorm_forward, batchnorm_backward, rng):
    gradient_check(batchnorm_forward, batchnorm_backward, rng, "dbeta")
