import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "to_device"


@test_case(points=1, hidden=False)
def test_to_cpu_keeps_values(to_device, torch):
    t = torch.arange(6.0).reshape(2, 3)
    moved = to_device(t, "cpu")
    assert isinstance(moved, torch.Tensor) and torch.equal(moved, t), "to_device(t, 'cpu') should have t's values and shape"


@test_case(points=2, hidden=True)
def test_keeps_values_shape_and_dtype(to_device, device, rng):
    """Runs on the grading machine's device: the GPU when there is one."""
    tensors = (
        torch.from_numpy(rng.normal(size=(3, 4))),
        torch.from_numpy(rng.integers(-100, 100, size=(2, 3, 2))),
        torch.from_numpy(rng.normal(size=5).astype("float32")),
    )
    for t in tensors:
        moved = to_device(t, device)
        assert isinstance(moved, torch.Tensor), f"to_device should return a torch tensor, got {type(moved).__name__}"
        assert moved.dtype == t.dtype, f"to_device changed the dtype from {t.dtype} to {moved.dtype}: only the device should change"
        assert moved.shape == t.shape and torch.equal(moved, t), f"to_device(t, {device!r}) should keep t's shape and values"
