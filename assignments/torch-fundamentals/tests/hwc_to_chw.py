import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "hwc_to_chw"


@test_case(points=1, hidden=False)
def test_shape_and_values(hwc_to_chw, torch):
    image = torch.zeros(224, 200, 3)
    assert hwc_to_chw(image).shape == (3, 224, 200), "a (224, 200, 3) image becomes (3, 224, 200)"
    image = torch.arange(24.0).reshape(2, 3, 4)  # H, W, C = 2, 3, 4: pixel (0, 0) has channels 0, 1, 2, 3
    out = hwc_to_chw(image)
    assert out.shape == (4, 2, 3) and out[:, 0, 0].tolist() == [0.0, 1.0, 2.0, 3.0], (
        "out[:, 0, 0] should be the 4 channels of pixel (0, 0), image[0, 0] = [0, 1, 2, 3], since out[c, h, w] == "
        "image[h, w, c]: reorder the dimensions with permute (reshape and view give the right shape, the wrong values)"
    )


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
