import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "random_tensor"


@test_case(points=1, hidden=False)
def test_shape_range_and_repeatability(random_tensor, torch):
    t = random_tensor((7, 7), 0)
    assert isinstance(t, torch.Tensor) and t.shape == (7, 7), "random_tensor((7, 7), 0) should be a (7, 7) tensor"
    assert t.dtype == torch.float32, "torch.rand makes float32 tensors"
    assert bool(((t >= 0) & (t < 1)).all()), "torch.rand draws from [0, 1)"
    assert torch.equal(random_tensor((7, 7), 0), t), "the same seed must give the same tensor"


@test_case(points=2, hidden=True)
def test_values_are_torch_rand_after_manual_seed(random_tensor, rng):
    for _ in range(3):
        shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 4))))
        seed = int(rng.integers(2**31))
        t = random_tensor(shape, seed)
        assert isinstance(t, torch.Tensor), f"random_tensor should return a torch tensor, got {type(t).__name__}"
        assert tuple(t.shape) == shape, f"random_tensor({shape}, seed) has shape {tuple(t.shape)}, expected {shape}"
        want = torch.rand(shape, generator=torch.Generator().manual_seed(seed))
        assert torch.equal(t, want), (
            "random_tensor(shape, seed) should return torch.rand(shape) drawn right after torch.manual_seed(seed) "
            "(PyTorch's generator, not NumPy's; seed first, then draw)"
        )


@test_case(points=1, hidden=True)
def test_seed_decides_the_values(random_tensor, rng):
    seed = int(rng.integers(2**31))
    first, again, other = random_tensor((4, 5), seed), random_tensor((4, 5), seed), random_tensor((4, 5), seed + 1)
    assert torch.equal(first, again), "two calls with the same seed must return the same tensor: call torch.manual_seed(seed) before drawing"
    assert not torch.equal(first, other), "different seeds should give different tensors"
