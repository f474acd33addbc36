"""The reference solution and dataset loaders, against oracles: PyTorch in float64 and finite differences."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
from autograder.datasets import (
    load_airline_passengers, load_cifar10, load_digits_as_mnist, load_mnist, load_tiny_shakespeare, one_hot, read_idx,
)
from autograder.gradient_check import eval_numerical_gradient, eval_numerical_gradient_at, rel_error, sample_indices


def test_rel_error_is_cs231n():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0
    assert np.isclose(rel_error(np.array([1.0]), np.array([3.0])), 0.5)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0
    with pytest.raises(ValueError, match="shapes"):
        rel_error(np.zeros(2), np.zeros(3))


def test_softmax_and_cross_entropy_match_torch():
    rng = np.random.default_rng(0)
    X = rng.normal(scale=5, size=(20, 10))
    labels = rng.integers(0, 10, size=20)
    probs = ref.softmax(X)
    assert rel_error(probs, torch.softmax(torch.from_numpy(X), dim=1).numpy()) < 1e-12
    want = torch.nn.functional.cross_entropy(torch.from_numpy(X), torch.from_numpy(labels)).item()
    assert abs(ref.cross_entropy(probs, np.eye(10)[labels]) - want) < 1e-9


def test_softmax_is_stable_at_1000():
    X = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0]])
    P = ref.softmax(X)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1)
    assert np.allclose(P[1], 1 / 3)


def test_gradients_match_torch_autograd_and_finite_differences():
    rng = np.random.default_rng(1)
    images, labels = rng.uniform(size=(7, 12)), np.eye(4)[rng.integers(0, 4, size=7)]
    W, b = rng.normal(size=(12, 4)), rng.normal(size=4)
    gradW, gradb = ref.gradients(images, labels, W, b)

    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(torch.from_numpy(images) @ Wt + bt, torch.from_numpy(labels.argmax(1)))
    loss.backward()
    assert rel_error(gradW, Wt.grad.numpy()) < 1e-9 and rel_error(gradb, bt.grad.numpy()) < 1e-9

    numeric = eval_numerical_gradient(lambda W_: ref.cross_entropy(ref.forward(images, W_, b), labels), W.copy())
    assert rel_error(gradW, numeric) < 1e-7
    idx = sample_indices(b.shape, 3, rng)
    sparse = eval_numerical_gradient_at(lambda b_: ref.cross_entropy(ref.forward(images, W, b_), labels), b.copy(), idx)
    assert rel_error(np.array([gradb[i] for i in idx]), sparse) < 1e-7


def test_sample_indices_are_distinct_and_in_range():
    idx = sample_indices((5, 3), 10, np.random.default_rng(0))
    assert len(set(idx)) == 10 and all(0 <= i < 5 and 0 <= j < 3 for i, j in idx)
    assert len(sample_indices((2,), 10, np.random.default_rng(0))) == 2


def test_mnist_loader_reads_the_real_files(mnist_dir):
    data = load_mnist(mnist_dir)
    assert data.train.images.shape == (60000, 784) and data.test.images.shape == (10000, 784)
    assert data.train.images.dtype == np.float32 and 0 <= data.train.images.min() and data.train.images.max() <= 1
    assert data.train.labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(data.test.labels).sum() == 10000


def test_idx_reader_rejects_wrong_magic_and_truncation(tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress((1234).to_bytes(4, "big") + bytes(10)))
    with pytest.raises(ValueError, match="magic"):
        read_idx(bad)
    short = tmp_path / "short.gz"
    short.write_bytes(gzip.compress((2049).to_bytes(4, "big") + (5).to_bytes(4, "big") + bytes(3)))
    with pytest.raises(ValueError, match="expected 13 bytes"):
        read_idx(short)


def test_load_mnist_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        load_mnist(tmp_path)


def test_text_and_series_datasets_are_the_published_files():
    from conftest import data_dir

    folder = data_dir()
    if folder is None or not (folder / "tinyshakespeare").is_dir():
        pytest.skip("the shared data folder is not here: set DLGRADE_DATA_DIR")
    text = load_tiny_shakespeare(folder)
    assert len(text) == 1115394 and len(set(text)) == 65 and text.startswith("First Citizen:")
    series = load_airline_passengers(folder)
    assert series.shape == (144,) and series[0] == 112 and series[-1] == 432 and series.sum() == 40363


def test_cifar10_loader_reads_the_python_batch_format(tmp_path):
    import pickle

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(4, 3072), dtype=np.uint8)
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": data, b"labels": [int(v) for v in rng.integers(0, 10, 4)], b"batch_label": name.encode()}, f)
    cifar = load_cifar10(tmp_path)
    assert cifar.train.images.shape == (20, 3, 32, 32) and cifar.test.images.shape == (4, 3, 32, 32)
    assert cifar.test.images[0, 1, 0, 0] == np.float32(data[0, 1024]) / 255  # channel-major rows: green starts at 1024
    (folder / "test_batch").unlink()
    with pytest.raises(FileNotFoundError, match="cifar-10-batches-py/test_batch"):
        load_cifar10(tmp_path)


def test_digits_stand_in_follows_the_mnist_contract():
    data = load_digits_as_mnist()
    assert data.train.images.shape[1] == 784 and data.test.images.shape[1] == 784
    assert len(data.train.images) + len(data.test.images) == 1797
    assert 0 <= data.train.images.min() and data.train.images.max() <= 1


@pytest.mark.slow
def test_reference_training_reaches_the_pass_mark_on_held_out_digits():
    """Accuracy on held-out data (the real-MNIST calibration runs in the build verification test)."""
    data = load_digits_as_mnist()
    W, b = ref.train(data.train.images, one_hot(data.train.labels), epochs=20)
    assert ref.accuracy(W, b, data.test.images, one_hot(data.test.labels)) >= 0.91


def test_layer_gradient_matches_the_upstream_weighted_jacobian():
    """eval_numerical_gradient_array of a linear layer x @ W is df @ W.T, in full and sampled."""
    from autograder.gradient_check import eval_numerical_gradient_array

    rng = np.random.default_rng(2)
    x, W, df = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    full = eval_numerical_gradient_array(lambda v: v @ W, x.copy(), df)
    assert rel_error(full, df @ W.T) < 1e-8
    idx = sample_indices(x.shape, 5, rng)
    sparse = eval_numerical_gradient_array(lambda v: v @ W, x.copy(), df, idx)
    assert rel_error(sparse, np.array([(df @ W.T)[i] for i in idx])) < 1e-8
