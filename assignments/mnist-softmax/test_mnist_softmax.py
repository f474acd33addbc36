"""The reference solution against oracles: PyTorch in float64 and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
from autograder.datasets import load_digits_as_mnist, one_hot
from autograder.gradient_check import eval_numerical_gradient, eval_numerical_gradient_at, rel_error, sample_indices


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


@pytest.mark.slow
def test_reference_training_reaches_the_pass_mark_on_held_out_digits():
    """Accuracy on held-out data (the real-MNIST calibration runs in the build verification test)."""
    data = load_digits_as_mnist()
    W, b = ref.train(data.train.images, one_hot(data.train.labels), epochs=20)
    assert ref.accuracy(W, b, data.test.images, one_hot(data.test.labels)) >= 0.91


