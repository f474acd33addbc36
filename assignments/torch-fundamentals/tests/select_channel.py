import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "select_channel"


@test_case(points=1, hidden=False)
def test_shape(select_channel, torch):
    images = torch.zeros(5, 3, 8, 6)
    assert select_channel(images, 1).shape == (5, 8, 6), "channel c of every image of a (5, 3, 8, 6) batch is (5, 8, 6)"


@test_case(points=2, hidden=True)
def test_values(select_channel, rng):
    N, C, H, W = 4, 3, 5, 6
    images = torch.from_numpy(rng.normal(size=(N, C, H, W)))
    for c in range(C):
        out = select_channel(images, c)
        assert isinstance(out, torch.Tensor), f"select_channel should return a torch tensor, got {type(out).__name__}"
        assert tuple(out.shape) == (N, H, W) and torch.equal(out, images[:, c]), (
            "select_channel(images, c) should index dimension 1 (the channels) of the (N, C, H, W) batch, keeping "
            "every image: an (N, H, W) tensor"
        )
