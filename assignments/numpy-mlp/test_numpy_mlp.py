"""The one-hidden-layer network reference (``solution.py``), against oracles:
PyTorch autograd in float64, finite differences, and the held-out calibration of the numpy-mlp
pass mark."""

from __future__ import annotations


import numpy as np
import torch

from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
from autograder.gradient_check import eval_numerical_gradient, eval_numerical_gradient_at, rel_error, sample_indices
from conftest import assignment_test_module, grader_rng


KEYS = ("W1", "b1", "W2", "b2")


random_problem = assignment_test_module("numpy-mlp", "backward_propagation").random_problem
"""The hidden tests' own random data."""


def cost_of(parameters, X, Y):
    return ref.compute_cost(ref.forward_propagation(X, parameters)[0], Y)


def torch_cost_and_grads(parameters, X, Y):
    """Cost and gradients of the same network by torch autograd in float64 (BCE on probabilities)."""
    p = {k: torch.tensor(v, requires_grad=True) for k, v in parameters.items()}
    A1 = torch.tanh(p["W1"] @ torch.from_numpy(X) + p["b1"])
    A2 = torch.sigmoid(p["W2"] @ A1 + p["b2"])
    cost = torch.nn.functional.binary_cross_entropy(A2, torch.from_numpy(Y))
    cost.backward()
    return cost.item(), {f"d{k}": v.grad.numpy() for k, v in p.items()}


def test_planar_dataset_is_the_flower():
    X, Y = ref.load_planar_dataset(seed=1)
    assert X.shape == (2, 400) and Y.shape == (1, 400) and X.dtype == np.float64
    assert Y[0, :200].sum() == 0 and Y[0, 200:].sum() == 200
    assert np.abs(X).max() < 5.0  # petals of length a = 4, plus noise
    assert np.array_equal(ref.load_planar_dataset(seed=1)[0], X) and not np.array_equal(ref.load_planar_dataset(seed=2)[0], X)
    assert ref.load_planar_dataset(seed=3, m=2000)[0].shape == (2, 2000)


def test_layer_sizes_and_initialization_follow_the_contract():
    assert ref.layer_sizes(np.zeros((5, 3)), np.zeros((2, 3))) == (5, 4, 2)
    parameters = ref.initialize_parameters(3, 4, 1, seed=7)
    rng = np.random.default_rng(7)
    assert np.array_equal(parameters["W1"], rng.standard_normal((4, 3)) * 0.01)
    assert np.array_equal(parameters["W2"], rng.standard_normal((1, 4)) * 0.01)
    assert parameters["b1"].shape == (4, 1) and parameters["b2"].shape == (1, 1)
    assert not parameters["b1"].any() and not parameters["b2"].any()


def test_forward_and_cost_match_torch():
    parameters, X, Y = random_problem(np.random.default_rng(1), 3, 5, 20)
    A2, cache = ref.forward_propagation(X, parameters)
    assert set(cache) == {"Z1", "A1", "Z2", "A2"} and A2 is cache["A2"] and A2.shape == (1, 20)
    want_cost, _ = torch_cost_and_grads(parameters, X, Y)
    cost = ref.compute_cost(A2, Y)
    assert type(cost) is float and abs(cost - want_cost) < 1e-12


def test_backward_matches_torch_autograd():
    parameters, X, Y = random_problem(np.random.default_rng(2), 3, 6, 25)
    _, cache = ref.forward_propagation(X, parameters)
    grads = ref.backward_propagation(parameters, cache, X, Y)
    _, want = torch_cost_and_grads(parameters, X, Y)
    for key in KEYS:
        assert grads[f"d{key}"].shape == parameters[key].shape
        assert rel_error(grads[f"d{key}"], want[f"d{key}"]) < 1e-9, key


def test_backward_matches_finite_differences():
    parameters, X, Y = random_problem(np.random.default_rng(3), 2, 4, 15)
    _, cache = ref.forward_propagation(X, parameters)
    grads = ref.backward_propagation(parameters, cache, X, Y)
    for key in KEYS:
        numeric = eval_numerical_gradient(lambda v: cost_of({**parameters, key: v}, X, Y), parameters[key].copy())
        assert rel_error(grads[f"d{key}"], numeric) < 1e-7, key


def test_gradient_check_threshold_has_a_wide_margin():
    """The hidden gradient check's setting (3 inputs, 4 hidden units, 10 examples, 4 sampled entries
    per parameter) on 20 seeds: the reference stays 50x under its threshold."""
    tests = assignment_test_module("numpy-mlp", "backward_propagation")
    worst = 0.0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        parameters, X, Y = tests.random_problem(rng, 3, 4, 10)
        _, cache = ref.forward_propagation(X, parameters)
        grads = ref.backward_propagation(parameters, cache, X, Y)
        for key in KEYS:
            idx = sample_indices(parameters[key].shape, tests.SAMPLES_PER_PARAMETER, rng)
            numeric = eval_numerical_gradient_at(lambda v: cost_of({**parameters, key: v}, X, Y), parameters[key].copy(), idx)
            worst = max(worst, rel_error(np.array([grads[f"d{key}"][i] for i in idx]), numeric))
    assert worst < tests.GRADCHECK_THRESHOLD / 50, worst


def test_update_and_nn_model_match_torch_sgd():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2, 30))
    Y = (rng.uniform(size=(1, 30)) < 0.5).astype(np.float64)
    parameters = ref.nn_model(X, Y, 3, num_iterations=40, seed=5)
    start = ref.initialize_parameters(2, 3, 1, seed=5)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in start.items()}
    sgd = torch.optim.SGD(list(p.values()), lr=1.2)
    for _ in range(40):
        sgd.zero_grad()
        A2 = torch.sigmoid(p["W2"] @ torch.tanh(p["W1"] @ torch.from_numpy(X) + p["b1"]) + p["b2"])
        torch.nn.functional.binary_cross_entropy(A2, torch.from_numpy(Y)).backward()
        sgd.step()
    for key in KEYS:
        assert rel_error(parameters[key], p[key].detach().numpy()) < 1e-9, key
    before = {k: v.copy() for k, v in start.items()}
    grads = {f"d{k}": np.ones_like(v) for k, v in start.items()}
    updated = ref.update_parameters(start, grads, 0.5)
    assert all(np.array_equal(start[k], before[k]) for k in KEYS), "update_parameters must not modify its argument"
    assert all(np.allclose(updated[k], before[k] - 0.5) for k in KEYS)


def test_predict_threshold_is_strict():
    parameters = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1)), "W2": np.array([[1.0, -1.0]]), "b2": np.zeros((1, 1))}
    X = np.array([[0.0, 1.0, -1.0], [0.0, 0.0, 0.0]])
    predictions = ref.predict(parameters, X)
    assert predictions.shape == (1, 3) and predictions.dtype == np.float64
    assert predictions.tolist() == [[0.0, 0.0, 0.0]]  # A2 is exactly 0.5 everywhere: W2 @ A1 = 0
    parameters["W2"] = np.array([[1.0, 0.5]])
    assert ref.predict(parameters, X).tolist() == [[0.0, 1.0, 0.0]]


def test_held_out_calibration_of_the_pass_mark():
    """The reference, trained as the hidden accuracy test trains the student's nn_model, clears
    PASS_MARK by at least 0.02 on that test's own data (same seeds as the grader's rng fixture) and
    on 8 other flowers; logistic-regression-like capacity (1 hidden unit) does not reach it."""
    tests = assignment_test_module("numpy-mlp", "nn_model")
    fixture = grader_rng("numpy-mlp", "nn_model", "test_flower_held_out_accuracy")
    seed_pairs = [tuple(int(s) for s in fixture.integers(2**31, size=2))] + [(100 + s, 200 + s) for s in range(8)]
    accuracies = []
    for train_seed, held_out_seed in seed_pairs:
        X, Y = ref.load_planar_dataset(train_seed, tests.M_TRAIN)
        X_test, Y_test = ref.load_planar_dataset(held_out_seed, tests.M_HELD_OUT)
        parameters = ref.nn_model(X, Y, tests.N_H, num_iterations=tests.NUM_ITERATIONS, seed=3)
        accuracies.append(float(np.mean(ref.predict(parameters, X_test) == Y_test)))
    assert min(accuracies) >= tests.PASS_MARK + 0.02, accuracies
    X, Y = ref.load_planar_dataset(*seed_pairs[0][:1], m=tests.M_TRAIN)
    X_test, Y_test = ref.load_planar_dataset(seed_pairs[0][1], tests.M_HELD_OUT)
    small = ref.nn_model(X, Y, 1, num_iterations=2000, seed=3)
    assert float(np.mean(ref.predict(small, X_test) == Y_test)) < tests.PASS_MARK
