"""The PyTorch fundamentals reference (``solution.py``) against oracles: NumPy
(matmul, argmax, indexing, squeeze, transpose), PyTorch's own generator, and the values the
course's exercise solutions print (learnpytorch.io, "00. PyTorch Fundamentals", 4 decimals)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.assignment_package import own_module
from conftest import DEVICES

ref = own_module(__file__, "solution")



def test_exercise_values_printed_by_the_course():
    """Exercises 4 (seed 0), 6-9 (seed 1234) and 10 (seed 7)."""
    torch.manual_seed(0)
    A, B = torch.rand(7, 7), torch.rand(1, 7)
    want = [1.8542, 1.9611, 2.2884, 3.0481, 1.7067, 2.5290, 1.7989]
    assert np.allclose(ref.matmul_transpose(A, B).numpy().ravel(), want, atol=5e-5)
    product = ref.seeded_matmul_on_device(1234, "cpu")
    assert np.allclose(product.numpy(), [[0.3647, 0.4709], [0.5184, 0.5617]], atol=5e-5)
    max_value, min_value, argmax, argmin = ref.extremes(product)
    assert (round(max_value, 4), round(min_value, 4), argmax, argmin) == (0.5617, 0.3647, 3, 0)
    t = ref.random_tensor((1, 1, 1, 10), 7)
    want = [0.5349, 0.1988, 0.6592, 0.6569, 0.2328, 0.4251, 0.2071, 0.6297, 0.3653, 0.8513]
    assert t.shape == (1, 1, 1, 10) and np.allclose(ref.squeeze_all(t).numpy(), want, atol=5e-5)


def test_random_tensor_is_the_seeded_generator_and_repeats():
    for shape, seed in (((7, 7), 0), ((2, 3, 4), 99), ((5,), 2**31 - 1)):
        t = ref.random_tensor(shape, seed)
        assert t.dtype == torch.float32 and tuple(t.shape) == shape
        assert torch.equal(t, torch.rand(shape, generator=torch.Generator().manual_seed(seed)))
        assert ((t >= 0) & (t < 1)).all()
    assert not torch.equal(ref.random_tensor((4, 4), 1), ref.random_tensor((4, 4), 2))


def test_matmul_transpose_matches_numpy():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    C = ref.matmul_transpose(torch.from_numpy(A), torch.from_numpy(B))
    assert C.dtype == torch.float64 and C.shape == (5, 4)
    assert np.allclose(C.numpy(), np.einsum("nk,mk->nm", A, B), rtol=1e-14, atol=0)


def test_extremes_match_numpy_on_flattened_tensors_with_ties():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 5)).astype(np.float32)
    got = ref.extremes(torch.from_numpy(x))
    assert got == (float(x.max()), float(x.min()), int(np.argmax(x)), int(np.argmin(x)))
    assert all(type(v) in (int, float) for v in got)
    tied = torch.tensor([[1, 5, 5], [0, 2, 0]])
    assert ref.extremes(tied) == (5, 0, 1, 3)  # first occurrence, as np.argmax


def test_get_device_follows_cuda_availability():
    assert ref.get_device() == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("device", DEVICES)
def test_to_device_keeps_values_and_dtype(device):
    for t in (torch.arange(12, dtype=torch.int64).reshape(3, 4), torch.randn(2, 5, dtype=torch.float64)):
        moved = ref.to_device(t, device)
        assert moved.device.type == device and moved.dtype == t.dtype and torch.equal(moved.cpu(), t)


@pytest.mark.parametrize("device", DEVICES)
def test_seeded_matmul_on_device_matches_numpy(device):
    generator = torch.Generator().manual_seed(5)
    A, B = torch.rand(2, 3, generator=generator).numpy(), torch.rand(2, 3, generator=generator).numpy()
    got = ref.seeded_matmul_on_device(5, device)
    assert got.device.type == "cpu" and got.shape == (2, 2)
    assert np.allclose(got.numpy(), A.astype(np.float64) @ B.T.astype(np.float64), rtol=1e-6, atol=0)


def test_select_channel_squeeze_and_permute_match_numpy():
    rng = np.random.default_rng(2)
    images = rng.normal(size=(4, 3, 5, 6))
    assert np.array_equal(ref.select_channel(torch.from_numpy(images), 2).numpy(), images[:, 2])
    x = rng.normal(size=(1, 3, 1, 4, 1))
    assert np.array_equal(ref.squeeze_all(torch.from_numpy(x)).numpy(), np.squeeze(x))
    image = rng.normal(size=(5, 7, 3))
    out = ref.hwc_to_chw(torch.from_numpy(image))
    assert np.array_equal(out.numpy(), np.transpose(image, (2, 0, 1)))
    assert out[1, 4, 6] == image[4, 6, 1]
