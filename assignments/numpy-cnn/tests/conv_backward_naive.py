import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "conv_backward_naive"

VALUE_TOLERANCE = 1e-7
"""rel_error allowed between the student's gradients and PyTorch autograd's for the same inputs,
in float64 (the reference's error is below 1e-11)."""

GRAD_THRESHOLD = 1e-5
"""rel_error allowed between a gradient and centered differences (h = 1e-5) of sum(out * dout)
through the student's own forward pass, at 10 sampled entries (x (2, 3, 5, 5), w (3, 3, 3, 3),
stride 2, pad 1). The layer is linear in each of x, w and b, so the differences are exact up to
rounding (~1e-11 absolute), but rel_error is elementwise and entries close to zero dominate it:
over 200 random inputs the reference's worst error is 3.6e-7 for dx, 2.6e-7 for dw, 2.8e-9 for
db. Bugs give errors near 1."""

GRADIENT_HINTS = {
    "dx": "dx is the gradient with respect to the padded input, every window receiving dout[n, f, i, j] * w[f], "
    "with the padding dropped at the end",
    "dw": "dw[f] sums dout[n, f, i, j] times the window of the padded x that produced out[n, f, i, j]",
    "db": "db[f] sums dout[:, f] over the batch and all output positions",
}


def backward(conv_backward_naive, dout, cache, shapes):
    """(dx, dw, db) of the student's backward pass, checked for form and shapes."""
    from autograder.testing import check_array

    grads = conv_backward_naive(dout, cache)
    assert isinstance(grads, tuple) and len(grads) == 3, "conv_backward_naive should return a tuple (dx, dw, db)"
    return tuple(check_array(g, s, what) for g, s, what in zip(grads, shapes, ("dx", "dw", "db")))


def forward(conv_forward_naive, x, w, b, param):
    result = conv_forward_naive(x, w, b, dict(param))
    assert isinstance(result, tuple) and len(result) == 2, "conv_forward_naive should return a tuple (out, cache)"
    return result


@test_case(points=1, hidden=False)
def test_shapes_and_small_gradient_check(conv_forward_naive, conv_backward_naive, np):
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(1, 2, 3, 3)), rng.normal(size=(2, 2, 2, 2)), rng.normal(size=2)
    param = {"stride": 1, "pad": 1}
    out, cache = conv_forward_naive(x, w, b, param)
    dout = rng.normal(size=np.shape(out))
    grads = conv_backward_naive(dout, cache)
    assert isinstance(grads, tuple) and len(grads) == 3, "conv_backward_naive should return a tuple (dx, dw, db)"
    dx, dw, db = grads
    assert np.shape(dx) == x.shape and np.shape(dw) == w.shape and np.shape(db) == b.shape, "dx, dw, db have the shapes of x, w, b"
    assert np.allclose(db, dout.sum(axis=(0, 2, 3))), "b[f] is added at every position of every image: db sums dout over axes 0, 2, 3"
    h, numeric = 1e-5, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        numeric[i] = (np.sum(conv_forward_naive(xp, w, b, param)[0] * dout) - np.sum(conv_forward_naive(xm, w, b, param)[0] * dout)) / (2 * h)
    assert np.allclose(dx, numeric, rtol=1e-5, atol=1e-7), "dx does not match centered differences of your forward pass"


@test_case(points=2, hidden=True)
def test_against_torch_autograd(conv_forward_naive, conv_backward_naive, rng):
    import torch
    from autograder.testing import rel_error

    cases = [((2, 3, 5, 5), (3, 3, 3), 1, 1), ((2, 2, 6, 7), (3, 3, 3), 2, 1), ((1, 2, 6, 5), (2, 2, 3), 2, 0)]
    for xshape, (F, HH, WW), stride, pad in cases:
        x, w, b = rng.normal(size=xshape), rng.normal(size=(F, xshape[1], HH, WW)), rng.normal(size=F)
        param = {"stride": stride, "pad": pad}
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        outt = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad)
        dout = rng.normal(size=tuple(outt.shape))
        (outt * torch.from_numpy(dout)).sum().backward()
        _, cache = forward(conv_forward_naive, x.copy(), w.copy(), b.copy(), param)
        got = backward(conv_backward_naive, dout, cache, (x.shape, w.shape, b.shape))
        for what, g, t in zip(("dx", "dw", "db"), got, (xt, wt, bt)):
            err = rel_error(g, t.grad.numpy())
            assert err < VALUE_TOLERANCE, (
                f"{what} differs from the gradient computed by PyTorch autograd for x of shape {xshape}, w of shape "
                f"{w.shape}, stride {stride}, pad {pad} (relative error {err:.1e}, threshold {VALUE_TOLERANCE:.0e}): "
                f"{GRADIENT_HINTS[what]}"
            )


def gradient_check(conv_forward_naive, conv_backward_naive, rng, which, samples=10):
    """Centered differences of sum(out * dout) through the student's own forward pass, at sampled entries."""
    from autograder.testing import eval_numerical_gradient_array, rel_error, sample_indices

    x, w, b = rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(3, 3, 3, 3)), rng.normal(size=3)
    param = {"stride": 2, "pad": 1}
    out, cache = forward(conv_forward_naive, x.copy(), w.copy(), b.copy(), param)
    dout = rng.normal(size=np.shape(out))
    grads = dict(zip(("dx", "dw", "db"), backward(conv_backward_naive, dout, cache, (x.shape, w.shape, b.shape))))
    args = {"dx": x, "dw": w, "db": b}
    position = list(args).index(which)

    def layer(value):
        call = [x, w, b]
        call[position] = value
        return forward(conv_forward_naive, *call, param)[0]

    idx = sample_indices(args[which].shape, samples, rng)
    numeric = eval_numerical_gradient_array(layer, args[which].copy(), dout, idx)
    analytic = np.array([grads[which][i] for i in idx])
    err = rel_error(analytic, numeric)
    times = np.sum(numeric * analytic) / max(np.sum(analytic * analytic), 1e-300)
    assert which != "db" or err < GRAD_THRESHOLD or not (round(times) > 1 and np.allclose(numeric, round(times) * analytic)), (
        f"gradient check failed for db: centered differences through your conv_forward_naive are {round(times)} times your "
        f"db, because your forward pass adds b[f] {round(times)} times to each output (once per input channel?): add the "
        "bias once per output position, after summing over the channels; your db itself may be right"
    )
    assert err < GRAD_THRESHOLD, (
        f"gradient check failed for {which}: relative error {err:.1e} between your {which} and centered differences "
        f"of sum(out * dout) through your conv_forward_naive, stride 2 and pad 1 (threshold {GRAD_THRESHOLD:.0e}): "
        f"{GRADIENT_HINTS[which]}"
    )


@test_case(points=2, hidden=True)
def test_gradient_check_dx(conv_forward_naive, conv_backward_naive, rng):
    gradient_check(conv_forward_naive, conv_backward_naive, rng, "dx")


@test_case(points=2, hidden=True)
def test_gradient_check_dw(conv_forward_naive, conv_backward_naive, rng):
    gradient_check(conv_forward_naive, conv_backward_naive, rng, "dw")


@test_case(points=1, hidden=True)
def test_gradient_check_db(conv_forward_naive, conv_backward_naive, rng):
    gradient_check(conv_forward_naive, conv_backward_naive, rng, "db", samples=3)
