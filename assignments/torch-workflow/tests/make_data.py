import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "make_data"


@test_case(points=1, hidden=False)
def test_default_line(make_data, torch):
    X, y = make_data()
    assert isinstance(X, torch.Tensor) and X.shape == (50, 1), "X should be a (50, 1) tensor: arange, then unsqueeze(dim=1)"
    assert isinstance(y, torch.Tensor) and y.shape == (50, 1), "y should have the shape of X, (50, 1)"
    assert abs(X[0, 0].item()) < 1e-7 and abs(X[-1, 0].item() - 0.98) < 1e-6, "X runs from 0 to 0.98 in steps of 0.02"
    assert torch.allclose(y, 0.3 * X + 0.9), "y should be 0.3 * X + 0.9"


@test_case(points=2, hidden=True)
def test_values_against_reference(make_data, rng):
    from assignment import solution as ref

    weight, bias, start = (float(v) for v in rng.uniform(-2.0, 2.0, size=3))
    end, step = start + float(rng.uniform(1.0, 3.0)), float(rng.choice([0.01, 0.05, 0.1]))
    result = make_data(weight, bias, start, end, step)
    assert isinstance(result, tuple) and len(result) == 2, "make_data should return a tuple (X, y)"
    want_X, want_y = ref.make_data(weight, bias, start, end, step)
    for what, got, want in (("X", result[0], want_X), ("y", result[1], want_y)):
        assert isinstance(got, torch.Tensor), f"{what} should be a torch tensor, got {type(got).__name__}"
        assert tuple(got.shape) == tuple(want.shape), (
            f"{what} has shape {tuple(got.shape)}, expected {tuple(want.shape)}: one sample per row, (N, 1) "
            "(torch.arange(start, end, step).unsqueeze(dim=1))"
        )
        assert got.dtype == torch.float32, f"{what} should be float32, got {got.dtype}"
        assert torch.allclose(got, want, rtol=1e-6, atol=1e-6), (
            f"{what} differs from the expected values: X = torch.arange(start, end, step) (end excluded), "
            "y = weight * X + bias"
        )
