"""The logistic regression reference (``solution.py``), against oracles:
PyTorch in float64, finite differences, and the real-MNIST calibration of the numpy-logreg pass mark."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
from autograder.datasets import load_digits_as_mnist, load_mnist
from autograder.gradient_check import eval_numerical_gradient, eval_numerical_gradient_at, rel_error, sample_indices
from conftest import assignment_test_module


random_problem = assignment_test_module("numpy-logreg", "propagate").random_problem
"""The hidden tests' own random data."""


def naive_cost(w, b, X, Y):
    """The textbook cost a student writes, ``-(1/m) sum(Y log A + (1 - Y) log(1 - A))``."""
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def torch_cost_and_grads(w, b, X, Y):
    """Mean binary cross-entropy of the logits w.T @ X + b and its gradient, by torch autograd in float64."""
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, dtype=torch.float64, requires_grad=True)
    z = wt.T @ torch.from_numpy(X) + bt
    cost = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.from_numpy(Y))
    cost.backward()
    return cost.item(), wt.grad.numpy(), bt.grad.item()


def three_vs_five(split):
    keep = (split.labels == 3) | (split.labels == 5)
    return split.images[keep].astype(np.float64).T, (split.labels[keep] == 5).astype(np.float64).reshape(1, -1)


def test_sigmoid_matches_torch():
    z = np.random.default_rng(0).normal(scale=8, size=(5, 30))
    assert rel_error(ref.sigmoid(z), torch.sigmoid(torch.from_numpy(z)).numpy()) < 1e-12
    assert ref.sigmoid(0) == 0.5 and ref.sigmoid(np.zeros((2, 3))).shape == (2, 3)


def test_sigmoid_is_stable_at_1000_without_warnings():
    z = np.array([-1000.0, -745.0, -710.0, -30.0, 0.0, 30.0, 710.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = ref.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    assert rel_error(s, torch.sigmoid(torch.from_numpy(z)).numpy()) < 1e-12


def test_initialize_with_zeros_follows_the_contract():
    w, b = ref.initialize_with_zeros(7)
    assert w.shape == (7, 1) and w.dtype == np.float64 and not w.any()
    assert type(b) is float and b == 0.0


def test_propagate_matches_torch_autograd():
    w, b, X, Y = random_problem(np.random.default_rng(1), 12, 9)
    grads, cost = ref.propagate(w, b, X, Y)
    want_cost, want_dw, want_db = torch_cost_and_grads(w, b, X, Y)
    assert abs(cost - want_cost) < 1e-12 and type(cost) is float
    assert grads["dw"].shape == (12, 1) and type(grads["db"]) is float
    assert rel_error(grads["dw"], want_dw) < 1e-9 and rel_error(grads["db"], want_db) < 1e-9


def test_propagate_cost_is_the_textbook_cost_and_finite_when_saturated():
    w, b, X, Y = random_problem(np.random.default_rng(2), 6, 20)
    assert rel_error(ref.propagate(w, b, X, Y)[1], naive_cost(w, b, X, Y)) < 1e-12
    # logits of +-200: A rounds to exactly 0 or 1, where log(A) would be -inf
    _, cost = ref.propagate(np.full((1, 1), 200.0), 0.0, np.array([[1.0, -1.0]]), np.array([[0.0, 1.0]]))
    assert np.isclose(cost, 200.0)


def test_propagate_gradients_match_finite_differences():
    w, b, X, Y = random_problem(np.random.default_rng(3), 10, 25)
    grads, _ = ref.propagate(w, b, X, Y)
    numeric_dw = eval_numerical_gradient(lambda w_: ref.propagate(w_, b, X, Y)[1], w.copy())
    numeric_db = eval_numerical_gradient(lambda b_: ref.propagate(w, float(b_[0]), X, Y)[1], np.array([b]))
    assert rel_error(grads["dw"], numeric_dw) < 1e-7 and rel_error(grads["db"], numeric_db[0]) < 1e-7


def test_gradient_check_threshold_has_a_wide_margin():
    """The hidden gradient check (20 features, 15 examples, 10 sampled entries of dw, and db) on
    many seeds: the reference, and a textbook log(A) cost, stay 100x under its threshold."""
    threshold = assignment_test_module("numpy-logreg", "propagate").GRADCHECK_THRESHOLD
    worst = 0.0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        w, b, X, Y = random_problem(rng, 20, 15)
        grads, _ = ref.propagate(w, b, X, Y)
        idx = sample_indices(w.shape, 10, rng)
        for cost in (lambda w_, b_: ref.propagate(w_, b_, X, Y)[1], lambda w_, b_: naive_cost(w_, b_, X, Y)):
            numeric = eval_numerical_gradient_at(lambda w_: cost(w_, b), w.copy(), idx)
            numeric_db = eval_numerical_gradient_at(lambda b_: cost(w, float(b_[0])), np.array([b]), [(0,)])
            worst = max(worst, rel_error(np.array([grads["dw"][i] for i in idx]), numeric), rel_error([grads["db"]], numeric_db))
    assert worst < threshold / 100


def test_optimize_matches_torch_sgd_and_records_every_100_iterations():
    w, b, X, Y = random_problem(np.random.default_rng(4), 10, 40)
    w_in = w.copy()
    params, grads, costs = ref.optimize(w, b, X, Y, 250, 0.05)
    assert np.array_equal(w, w_in), "optimize must not modify its argument"
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, dtype=torch.float64, requires_grad=True)
    sgd = torch.optim.SGD([wt, bt], lr=0.05)
    want_costs = []
    for i in range(250):
        sgd.zero_grad()
        cost = torch.nn.functional.binary_cross_entropy_with_logits(wt.T @ torch.from_numpy(X) + bt, torch.from_numpy(Y))
        cost.backward()
        if i == 249:
            last_dw, last_db = wt.grad.numpy().copy(), bt.grad.item()
        if i % 100 == 0:
            want_costs.append(cost.item())
        sgd.step()
    assert len(costs) == 3 and rel_error(np.array(costs), np.array(want_costs)) < 1e-10
    assert rel_error(params["w"], wt.detach().numpy()) < 1e-9 and rel_error(params["b"], bt.item()) < 1e-9
    assert rel_error(grads["dw"], last_dw) < 1e-9 and rel_error(grads["db"], last_db) < 1e-9
    assert type(params["b"]) is float and params["w"].shape == (10, 1)


def test_predict_threshold_is_strict():
    w, X = np.array([[1.0], [-2.0]]), np.array([[0.0, 1e-9, -1e-9, 2.0], [0.0, 0.0, 0.0, 1.0]])
    Y_prediction = ref.predict(w, 0.0, X)
    assert Y_prediction.shape == (1, 4) and Y_prediction.dtype == np.float64
    assert Y_prediction.tolist() == [[0.0, 1.0, 0.0, 0.0]]


def test_optimize_learns_held_out_3s_and_5s_of_the_digits_stand_in():
    """Accuracy on held-out data without MNIST (the real-MNIST calibration is the next test)."""
    data = load_digits_as_mnist()
    (X, Y), (X_test, Y_test) = three_vs_five(data.train), three_vs_five(data.test)
    w, b = ref.initialize_with_zeros(784)
    params, _, costs = ref.optimize(w, b, X, Y, 300, 0.15)
    assert costs == sorted(costs, reverse=True)
    assert np.mean(ref.predict(params["w"], params["b"], X_test) == Y_test) >= 0.95


def test_mnist_calibration_of_the_pass_mark(mnist_dir):
    """The reference, run exactly as the hidden MNIST test runs the student's optimize, clears
    PASS_MARK by at least 0.005, and its settings are a descent step (the cost never goes up)."""
    settings = assignment_test_module("numpy-logreg", "optimize")
    data = load_mnist(mnist_dir)
    (X, Y), (X_test, Y_test) = settings.three_vs_five(data.train), settings.three_vs_five(data.test)
    assert X.shape == (784, 11552) and X_test.shape == (784, 1902)
    lipschitz = np.linalg.eigvalsh(X @ X.T / X.shape[1])[-1] / 4
    assert settings.LEARNING_RATE < 2 / lipschitz
    params, _, costs = ref.optimize(np.zeros((784, 1)), 0.0, X, Y, settings.NUM_ITERATIONS, settings.LEARNING_RATE)
    assert len(costs) == settings.NUM_ITERATIONS // 100 and costs == sorted(costs, reverse=True)
    accuracy = float(np.mean(ref.predict(params["w"], params["b"], X_test) == Y_test))
    assert accuracy >= settings.PASS_MARK + 0.005, f"reference test accuracy {accuracy:.4f}"
