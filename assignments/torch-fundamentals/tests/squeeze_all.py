import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "squeeze_all"


@test_case(points=1, hidden=False)
def test_exercise_shape(squeeze_all, torch):
    t = torch.arange(10.0).reshape(1, 1, 1, 10)
    out = squeeze_all(t)
    assert isinstance(out, torch.Tensor) and out.shape == (10,), "(1, 1, 1, 10) squeezed is (10,)"
    assert torch.equal(out, torch.arange(10.0)), "squeezing keeps the values"
    out = squeeze_all(torch.zeros(1, 3, 1, 4))
    assert out.shape == (3, 4), (
        f"(1, 3, 1, 4) squeezed is (3, 4), got {tuple(out.shape)}: remove the dimensions of size 1 and only those "
        "(flattening with reshape(-1) or view(-1) also merges the 3 and the 4)"
    )


@test_case(points=2, hidden=True)
def test_removes_only_size_one_dimensions(squeeze_all, rng):
    for shape, want in (((1, 3, 1, 4, 1), (3, 4)), ((2, 1, 5), (2, 5)), ((6,), (6,))):
        t = torch.from_numpy(rng.normal(size=shape))
        out = squeeze_all(t)
        assert isinstance(out, torch.Tensor), f"squeeze_all should return a torch tensor, got {type(out).__name__}"
        assert tuple(out.shape) == want, (
            f"a tensor of shape {shape} squeezed should have shape {want}, got {tuple(out.shape)}: remove every "
            "dimension of size 1 and only those"
        )
        assert torch.equal(out, t.reshape(want)), "squeeze_all should keep the values in their order"
