import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "seeded_matmul_on_device"


@test_case(points=1, hidden=False)
def test_shape_and_repeatability(seeded_matmul_on_device, get_device, torch):
    product = seeded_matmul_on_device(1234, get_device())
    assert isinstance(product, torch.Tensor) and product.shape == (2, 2), "A (2, 3) times the transpose of B (2, 3) is (2, 2)"
    assert torch.equal(seeded_matmul_on_device(1234, get_device()), product), "the same seed must give the same product"
    assert not torch.allclose(product, product.T), (
        "the product is symmetric, as A @ A.T is: B equals A. Seed once, before drawing A, and not again before B, "
        "so that B is the next draw"
    )


@test_case(points=2, hidden=True)
def test_values_on_the_grading_device(seeded_matmul_on_device, device, rng):
    """Runs on the grading machine's device: the GPU when there is one."""
    from autograder.testing import rel_error

    seed = int(rng.integers(2**31))
    product = seeded_matmul_on_device(seed, device)
    assert isinstance(product, torch.Tensor), f"seeded_matmul_on_device should return a torch tensor, got {type(product).__name__}"
    assert tuple(product.shape) == (2, 2), f"A @ B.T for A and B of shape (2, 3) is (2, 2), got {tuple(product.shape)}"
    generator = torch.Generator().manual_seed(seed)
    A, B = torch.rand(2, 3, generator=generator), torch.rand(2, 3, generator=generator)
    err = rel_error(product.double().numpy(), (A.double() @ B.double().T).numpy())
    assert err < 1e-5, (
        f"the product differs from A @ B.T (relative error {err:.1e}): seed once with torch.manual_seed(seed), "
        "then draw A and then B with torch.rand(2, 3) on the CPU, and multiply A by the transpose of B"
    )
