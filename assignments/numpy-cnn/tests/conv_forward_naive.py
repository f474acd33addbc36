import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "conv_forward_naive"

VALUE_TOLERANCE = 1e-7
"""rel_error allowed between the student's out and torch.nn.functional.conv2d in float64 (the
reference's error is below 1e-13 on these inputs; flipping the kernel or shifting the padding
gives errors near 1)."""

SHAPE_CASES = [
    # (N, C, H, W), (F, HH, WW), stride, pad
    ((2, 3, 5, 5), (4, 3, 3), 1, 0),
    ((2, 3, 5, 5), (4, 3, 3), 1, 1),
    ((1, 2, 7, 7), (3, 3, 3), 2, 1),
    ((2, 1, 8, 6), (2, 2, 3), 2, 0),
    ((1, 2, 9, 7), (2, 3, 2), 3, 2),
]


def forward(conv_forward_naive, x, w, b, stride, pad):
    """out of the student's conv_forward_naive, checked for form, shape and finiteness."""
    from autograder.testing import check_array

    result = conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})
    assert isinstance(result, tuple) and len(result) == 2, "conv_forward_naive should return a tuple (out, cache)"
    out = result[0]
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    shape = (N, F, 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride)
    assert isinstance(out, np.ndarray) and out.shape == shape, (
        f"for x of shape {x.shape}, w of shape {w.shape}, stride {stride} and pad {pad}, out should have shape "
        f"{shape}, got {getattr(out, 'shape', type(out).__name__)}: H' = 1 + (H + 2 * pad - HH) // stride "
        "and W' = 1 + (W + 2 * pad - WW) // stride"
    )
    return check_array(out, shape, "out of conv_forward_naive")


def against_torch(conv_forward_naive, rng, cases, hint):
    import torch
    from autograder.testing import rel_error

    for xshape, (F, HH, WW), stride, pad in cases:
        x, w, b = rng.normal(size=xshape), rng.normal(size=(F, xshape[1], HH, WW)), rng.normal(size=F)
        out = forward(conv_forward_naive, x.copy(), w.copy(), b.copy(), stride, pad)
        want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=stride, padding=pad)
        err = rel_error(out, want.numpy())
        assert err < VALUE_TOLERANCE, (
            f"out differs from an independent convolution for x of shape {xshape}, w of shape {w.shape}, stride {stride}, "
            f"pad {pad} (relative error {err:.1e}, threshold {VALUE_TOLERANCE:.0e}): {bias_cause(out - want.numpy(), b) or hint}"
        )


def bias_cause(diff, b):
    """A message when out - want is k * b[f] at every position for one whole number k != 0 (the bias added
    k + 1 times, e.g. once per input channel, or never for k = -1); else None."""
    k = float(np.sum(diff.mean(axis=(0, 2, 3)) * b) / np.sum(b * b))
    if round(k) == 0 or abs(k - round(k)) > 1e-6 or not np.allclose(diff, round(k) * b[None, :, None, None]):
        return None
    if round(k) == -1:
        return "the bias is missing: add b[f] to every output position of filter f"
    return (
        f"out is off by {round(k)} * b[f] at every position: the bias is added {round(k) + 1} times. Add b[f] exactly "
        "once per output position, after summing over all input channels (not once per channel)"
    )


@test_case(points=1, hidden=False)
def test_small_example(conv_forward_naive, np):
    x, w, b = np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), np.array([0.5])
    result = conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
    assert isinstance(result, tuple) and len(result) == 2, "conv_forward_naive should return a tuple (out, cache)"
    out = result[0]
    assert isinstance(out, np.ndarray) and out.shape == (1, 1, 4, 4), "with pad 1 and stride 1 a 3x3 filter keeps the 4x4 size"
    want = np.array([[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]]) + 0.5
    assert np.allclose(out[0, 0], want), "a 3x3 filter of ones sums each 3x3 window of the zero-padded image, plus the bias"
    rng = np.random.default_rng(0)
    out = conv_forward_naive(rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4), {"stride": 2, "pad": 1})[0]
    assert np.shape(out) == (2, 4, 3, 3), "with stride 2 and pad 1, x (2, 3, 5, 5) and w (4, 3, 3, 3) give out (2, 4, 3, 3)"
    out = conv_forward_naive(np.ones((1, 2, 3, 3)), np.ones((1, 2, 3, 3)), np.array([0.5]), {"stride": 1, "pad": 0})[0]
    assert np.allclose(out, 18.5), (
        f"with 2 input channels of ones and a 2x3x3 filter of ones, out is 18 + 0.5 = 18.5, got {np.ravel(out).tolist()}: "
        "sum over all input channels, then add the bias b[f] once per output position (not once per channel)"
    )


@test_case(points=1, hidden=False)
def test_asymmetric_filter_is_not_flipped(conv_forward_naive, np):
    """A filter whose only 1 is its top-left entry copies the top-left pixel of each window (CS231n and
    PyTorch compute a cross-correlation: the filter is not flipped)."""
    x = np.arange(9.0).reshape(1, 1, 3, 3)  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    w = np.array([[[[1.0, 0.0], [0.0, 0.0]]]])
    out = conv_forward_naive(x, w, np.zeros(1), {"stride": 1, "pad": 0})[0]
    assert np.allclose(np.asarray(out)[0, 0], [[0, 1], [3, 4]]), (
        f"with w = [[1, 0], [0, 0]] out should be [[0, 1], [3, 4]], got {np.asarray(out)[0, 0].tolist()}: "
        "multiply each window by w as it is; do not flip the filter"
    )
    out = conv_forward_naive(x, w, np.zeros(1), {"stride": 1, "pad": 1})[0]
    assert np.allclose(np.asarray(out)[0, 0], [[0, 0, 0, 0], [0, 0, 1, 2], [0, 3, 4, 5], [0, 6, 7, 8]]), (
        "with pad 1 the image gets one row and one column of zeros on EVERY side (top, bottom, left, right)"
    )


@test_case(points=1, hidden=True)
def test_output_shapes(conv_forward_naive, rng):
    for xshape, (F, HH, WW), stride, pad in SHAPE_CASES:
        x, w, b = rng.normal(size=xshape), rng.normal(size=(F, xshape[1], HH, WW)), rng.normal(size=F)
        forward(conv_forward_naive, x, w, b, stride, pad)


@test_case(points=2, hidden=True)
def test_values_without_padding(conv_forward_naive, rng):
    cases = [((2, 3, 5, 5), (3, 3, 3), 1, 0), ((2, 2, 7, 6), (3, 3, 2), 2, 0)]
    against_torch(
        conv_forward_naive, rng, cases,
        "out[n, f, i, j] = sum of x[n, :, i*stride:i*stride+HH, j*stride:j*stride+WW] * w[f] plus b[f]; "
        "this is a cross-correlation, as in CS231n and PyTorch: do not flip the filter",
    )


@test_case(points=2, hidden=True)
def test_values_with_padding(conv_forward_naive, rng):
    cases = [((2, 3, 5, 5), (3, 3, 3), 1, 1), ((2, 2, 6, 7), (2, 3, 3), 2, 1), ((1, 2, 5, 6), (2, 2, 3), 1, 2)]
    against_torch(
        conv_forward_naive, rng, cases,
        "pad x with pad zeros on every side (top, bottom, left and right) before sliding the filter, "
        "and do not flip the filter",
    )
