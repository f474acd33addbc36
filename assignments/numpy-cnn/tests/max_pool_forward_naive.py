import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "max_pool_forward_naive"

POOL_CASES = [
    # (N, C, H, W), pool_height, pool_width, stride
    ((2, 3, 4, 4), 2, 2, 2),
    ((2, 2, 6, 6), 3, 3, 3),
    ((1, 3, 7, 7), 3, 3, 2),
    ((2, 2, 5, 7), 3, 2, 1),
    ((1, 2, 8, 5), 2, 3, 2),
    # (H - pool_height) not divisible by the stride: the last partial window is dropped, so
    # rounding the output size up (ceil instead of //) gives one row/column too many.
    ((1, 2, 8, 8), 3, 3, 2),
    ((2, 1, 7, 6), 2, 2, 2),
]


def forward(max_pool_forward_naive, x, ph, pw, stride):
    """out of the student's max_pool_forward_naive, checked for form, shape and finiteness."""
    from autograder.testing import check_array

    result = max_pool_forward_naive(x, {"pool_height": ph, "pool_width": pw, "stride": stride})
    assert isinstance(result, tuple) and len(result) == 2, "max_pool_forward_naive should return a tuple (out, cache)"
    out = result[0]
    N, C, H, W = x.shape
    shape = (N, C, 1 + (H - ph) // stride, 1 + (W - pw) // stride)
    assert isinstance(out, np.ndarray) and out.shape == shape, (
        f"for x of shape {x.shape}, a {ph}x{pw} window and stride {stride}, out should have shape {shape}, got "
        f"{getattr(out, 'shape', type(out).__name__)}: H' = 1 + (H - pool_height) // stride and "
        "W' = 1 + (W - pool_width) // stride"
    )
    return check_array(out, shape, "out of max_pool_forward_naive")


@test_case(points=1, hidden=False)
def test_small_example(max_pool_forward_naive, np):
    x = np.arange(32, dtype=np.float64).reshape(1, 2, 4, 4)
    result = max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert isinstance(result, tuple) and len(result) == 2, "max_pool_forward_naive should return a tuple (out, cache)"
    out = result[0]
    assert isinstance(out, np.ndarray) and out.shape == (1, 2, 2, 2), "2x2 windows with stride 2 halve H and W"
    assert np.array_equal(out[0, 0], [[5, 7], [13, 15]]), "each entry is the maximum of its 2x2 window"
    assert np.array_equal(out[0, 1], out[0, 0] + 16), "each channel is pooled separately"
    odd = max_pool_forward_naive(np.arange(25, dtype=np.float64).reshape(1, 1, 5, 5), {"pool_height": 2, "pool_width": 2, "stride": 2})[0]
    assert np.shape(odd) == (1, 1, 2, 2), (
        f"a 5x5 image with 2x2 windows and stride 2 gives a 2x2 output, H' = 1 + (H - pool_height) // stride "
        f"(the last row and column fit no whole window), got {np.shape(odd)}"
    )


@test_case(points=1, hidden=True)
def test_output_shapes(max_pool_forward_naive, rng):
    for xshape, ph, pw, stride in POOL_CASES:
        forward(max_pool_forward_naive, rng.normal(size=xshape), ph, pw, stride)


@test_case(points=2, hidden=True)
def test_values_against_torch(max_pool_forward_naive, rng):
    import torch
    from autograder.testing import rel_error

    for xshape, ph, pw, stride in POOL_CASES:
        x = rng.normal(size=xshape)
        out = forward(max_pool_forward_naive, x.copy(), ph, pw, stride)
        want = torch.nn.functional.max_pool2d(torch.from_numpy(x), (ph, pw), stride=stride).numpy()
        err = rel_error(out, want)
        assert err < 1e-12, (
            f"out differs from an independent max pooling for x of shape {xshape}, a {ph}x{pw} window "
            f"(pool_height x pool_width) and stride {stride} (relative error {err:.1e}): out[n, c, i, j] is the maximum "
            "of x[n, c, i*stride:i*stride+pool_height, j*stride:j*stride+pool_width]"
        )
