import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "hwc_to_chw"


@test_case(points=1, hidden=False)
def test_shape(hwc_to_chw, torch):
    image = torch.zeros(224, 200, 3)
    assert hwc_to_chw(image).shape == (3, 224, 200), "a (224, 200, 3) image becomes (3, 224, 200)"


@test_case(points=2, hidden=True)
def test_values(hwc_to_chw, rng):
    H, W, C = 5, 7, 3
    image = torch.from_numpy(rng.normal(size=(H, W, C)))
    out = hwc_to_chw(image)
    assert isinstance(out, torch.Tensor), f"hwc_to_chw should return a torch tensor, got {type(out).__name__}"
    assert tuple(out.shape) == (C, H, W), f"an ({H}, {W}, {C}) image should become ({C}, {H}, {W}), got {tuple(out.shape)}"
    assert torch.equal(out, image.permute(2, 0, 1)), (
        "out[c, h, w] should equal image[h, w, c]: reorder the dimensions with permute (reshape and view keep the "
        "memory order, so they give the right shape with the wrong values)"
    )
