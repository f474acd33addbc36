import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "flatten_forward"


@test_case(points=1, hidden=False)
def test_shape_and_order(flatten_forward, np):
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 2, 2)
    result = flatten_forward(x)
    assert isinstance(result, tuple) and len(result) == 2, "flatten_forward should return a tuple (out, cache)"
    out = result[0]
    assert isinstance(out, np.ndarray) and out.shape == (2, 12), "out should have shape (N, C * H * W)"
    assert np.array_equal(out, x.reshape(2, -1)), "each image becomes one row, in row-major order (as x.reshape(N, -1))"


@test_case(points=1, hidden=True)
def test_values_against_torch(flatten_forward, rng):
    import torch
    from autograder.testing import check_array

    for shape in ((3, 2, 4, 5), (1, 3, 3, 3), (4, 1, 6, 2)):
        x = rng.normal(size=shape)
        result = flatten_forward(x.copy())
        assert isinstance(result, tuple) and len(result) == 2, "flatten_forward should return a tuple (out, cache)"
        want = torch.flatten(torch.from_numpy(x), start_dim=1).numpy()
        out = check_array(result[0], want.shape, f"out of flatten_forward for x of shape {shape}")
        assert np.array_equal(out, want), (
            f"out of flatten_forward for x of shape {shape} has the right shape but not the right order: each image "
            "x[n] becomes row n, flattened in row-major (C, H, W) order, as x.reshape(N, -1) does"
        )
