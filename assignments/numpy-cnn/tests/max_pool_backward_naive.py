import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "max_pool_backward_naive"

GRAD_THRESHOLD = 1e-6
"""rel_error allowed between dx and centered differences (h = 1e-5) of sum(out * dout) through the
student's own forward pass, at 12 sampled entries. Max pooling is piecewise linear and the inputs
are continuous, so the differences are exact up to rounding unless a step changes a window's
argmax, which needs two entries within 1e-5 of each other: over 200 random inputs the reference's
worst error is 3.9e-9. Spreading the gradient over the window gives errors near 1."""


def forward_backward(max_pool_forward_naive, max_pool_backward_naive, x, dout_for, param):
    """out of the student's forward pass and dx of its backward pass for dout = dout_for(out.shape)."""
    from autograder.testing import check_array

    result = max_pool_forward_naive(x, dict(param))
    assert isinstance(result, tuple) and len(result) == 2, "max_pool_forward_naive should return a tuple (out, cache)"
    out = result[0]
    assert isinstance(out, np.ndarray) and out.ndim == 4, "out of max_pool_forward_naive should be an (N, C, H', W') array"
    dout = dout_for(out.shape)
    dx = check_array(max_pool_backward_naive(dout, result[1]), x.shape, "dx of max_pool_backward_naive")
    return out, dout, dx


@test_case(points=1, hidden=False)
def test_small_example(max_pool_forward_naive, max_pool_backward_naive, np):
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0], [0.0, 2.0, 1.0, 1.5], [9.0, 1.0, 3.0, 2.0]]]])
    out, cache = max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = max_pool_backward_naive(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]), cache)
    assert isinstance(dx, np.ndarray) and dx.shape == x.shape, "dx should have the shape of x"
    want = np.zeros((4, 4))
    want[0, 1], want[1, 2], want[3, 0], want[3, 2] = 10.0, 20.0, 30.0, 40.0
    assert np.array_equal(dx[0, 0], want), "each entry of dout goes to the position of the maximum of its window, and only there"
    _, cache = max_pool_forward_naive(np.ones((1, 1, 2, 2)), {"pool_height": 2, "pool_width": 2, "stride": 2})
    tied = max_pool_backward_naive(np.array([[[[1.0]]]]), cache)
    assert np.array_equal(np.asarray(tied)[0, 0], [[1.0, 0.0], [0.0, 0.0]]), (
        "when several positions tie for a window's maximum, the gradient goes to the first of them in row-major "
        "order only (as np.argmax and PyTorch do): here the top-left one"
    )


@test_case(points=2, hidden=True)
def test_gradient_goes_to_the_argmax_only(max_pool_forward_naive, max_pool_backward_naive, rng):
    N, C, H, W = 2, 3, 6, 6
    x = rng.normal(size=(N, C, H, W))
    # Non-overlapping 3x3 windows.
    param = {"pool_height": 3, "pool_width": 3, "stride": 3}
    _, dout, dx = forward_backward(
        max_pool_forward_naive, max_pool_backward_naive, x.copy(), lambda s: rng.uniform(1.0, 2.0, size=s), param
    )
    assert dout.shape == (N, C, 2, 2), "3x3 windows with stride 3 on a 6x6 image give out of shape (N, C, 2, 2)"
    for n, c, i, j in np.ndindex(dout.shape):
        window_x = x[n, c, 3 * i:3 * i + 3, 3 * j:3 * j + 3]
        window_dx = dx[n, c, 3 * i:3 * i + 3, 3 * j:3 * j + 3]
        at_max = np.unravel_index(np.argmax(window_x), window_x.shape)
        others = np.delete(window_dx.ravel(), np.ravel_multi_index(at_max, window_x.shape))
        assert np.all(others == 0) and abs(window_dx[at_max] - dout[n, c, i, j]) < 1e-12, (
            "with non-overlapping 3x3 windows, each entry of dout must go entirely to the argmax of its window "
            "(the position of the maximum of x there), and every other position of the window must get 0: "
            "the gradient of a maximum is not spread over the window"
        )


@test_case(points=2, hidden=True)
def test_against_torch_autograd(max_pool_forward_naive, max_pool_backward_naive, rng):
    import torch
    from autograder.testing import rel_error

    cases = [((2, 3, 4, 4), 2, 2, 2), ((1, 3, 7, 7), 3, 3, 2), ((2, 2, 5, 7), 3, 2, 1)]
    for xshape, ph, pw, stride in cases:
        x = rng.normal(size=xshape)
        xt = torch.tensor(x, requires_grad=True)
        outt = torch.nn.functional.max_pool2d(xt, (ph, pw), stride=stride)
        dout = rng.normal(size=tuple(outt.shape))
        (outt * torch.from_numpy(dout)).sum().backward()
        param = {"pool_height": ph, "pool_width": pw, "stride": stride}
        _, _, dx = forward_backward(max_pool_forward_naive, max_pool_backward_naive, x.copy(), lambda s: dout, param)
        err = rel_error(dx, xt.grad.numpy())
        overlap = "overlapping " if stride < max(ph, pw) else ""
        assert err < 1e-10, (
            f"dx differs from the gradient computed by PyTorch autograd for x of shape {xshape}, {overlap}{ph}x{pw} "
            f"windows and stride {stride} (relative error {err:.1e}): each entry of dout goes to the argmax of its "
            "window only, and when windows overlap the contributions to one position add up"
        )


@test_case(points=1, hidden=True)
def test_ties_go_to_the_first_maximum(max_pool_forward_naive, max_pool_backward_naive, rng):
    import torch
    from autograder.testing import rel_error

    # Small integers: most windows have several positions tied for the maximum. PyTorch's
    # max_pool2d, like np.argmax of the flattened window, routes the gradient to the first.
    for xshape, ph, pw, stride in [((2, 3, 6, 6), 2, 2, 2), ((1, 2, 5, 5), 3, 3, 1)]:
        x = rng.integers(0, 3, size=xshape).astype(np.float64)
        xt = torch.tensor(x, requires_grad=True)
        outt = torch.nn.functional.max_pool2d(xt, (ph, pw), stride=stride)
        dout = rng.uniform(1.0, 2.0, size=tuple(outt.shape))
        (outt * torch.from_numpy(dout)).sum().backward()
        param = {"pool_height": ph, "pool_width": pw, "stride": stride}
        _, _, dx = forward_backward(max_pool_forward_naive, max_pool_backward_naive, x.copy(), lambda s: dout, param)
        err = rel_error(dx, xt.grad.numpy())
        assert err < 1e-10, (
            f"with ties (x of small integers, shape {xshape}, {ph}x{pw} windows, stride {stride}) dx differs from "
            f"PyTorch's (relative error {err:.1e}): when several positions of a window share the maximum, its dout "
            "goes to the first of them in row-major order (np.argmax of the flattened window), not to all of them"
        )


@test_case(points=1, hidden=True)
def test_gradient_check(max_pool_forward_naive, max_pool_backward_naive, rng):
    from autograder.testing import eval_numerical_gradient_at, rel_error, sample_indices

    x = rng.normal(size=(2, 3, 4, 4))
    param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    _, dout, dx = forward_backward(
        max_pool_forward_naive, max_pool_backward_naive, x.copy(), lambda s: rng.normal(size=s), param
    )

    def loss(value):
        return float(np.sum(max_pool_forward_naive(value, dict(param))[0] * dout))

    # Half the sampled entries at window maxima (nonzero gradient), half anywhere.
    window_max = x.reshape(2, 3, 2, 2, 2, 2).max(axis=(3, 5))
    maxima = [i for i in np.ndindex(x.shape) if x[i] == window_max[i[0], i[1], i[2] // 2, i[3] // 2]]
    idx = [maxima[k] for k in rng.choice(len(maxima), size=6, replace=False)] + sample_indices(x.shape, 6, rng)
    numeric = eval_numerical_gradient_at(loss, x.copy(), idx)
    err = rel_error(np.array([dx[i] for i in idx]), numeric)
    assert err < GRAD_THRESHOLD, (
        f"gradient check failed for dx: relative error {err:.1e} between your dx and centered differences of "
        f"sum(out * dout) through your max_pool_forward_naive (threshold {GRAD_THRESHOLD:.0e}): the gradient goes "
        "to the argmax of each window only"
    )
