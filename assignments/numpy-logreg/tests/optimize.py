import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "optimize"

NUM_ITERATIONS = 1000
LEARNING_RATE = 0.15
"""The MNIST training run's settings: batch gradient descent from w = 0, b = 0. The step is below
2 / L for this data (L = largest eigenvalue of X @ X.T / m, divided by 4: about 11.3), so the cost
decreases at every iteration."""

PASS_MARK = 0.95
"""Test accuracy (fraction) the student's w, b must reach on the 1,902 MNIST test images of 3s and 5s.
Calibrated from the reference: 0.9606 with these settings (batch gradient descent is deterministic;
0.9600-0.9642 for 1000 iterations at learning rates 0.1-1.0, 0.9606 after 800), so the margin is
0.0106, about 20 test images."""

TRAIN_BUDGET_S = 120
"""Seconds the student's optimize may take on the 11,552 training images (the reference: about 11 s on one core)."""

POSITIVE_DIGIT, NEGATIVE_DIGIT = 5, 3
"""Label 1 is a 5, label 0 a 3."""


@test_case(points=1, hidden=False)
def test_returns_params_grads_costs(optimize, np):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 20)), (rng.uniform(size=(1, 20)) < 0.5).astype(float)
    result = optimize(np.zeros((3, 1)), 0.0, X, Y, num_iterations=201, learning_rate=0.1)
    assert isinstance(result, tuple) and len(result) == 3, "optimize should return a tuple (params, grads, costs)"
    params, grads, costs = result
    assert isinstance(params, dict) and np.shape(params["w"]) == (3, 1) and np.ndim(params["b"]) == 0, (
        'params should be a dict with "w" of shape (dim, 1) and "b" a number'
    )
    assert isinstance(grads, dict) and np.shape(grads["dw"]) == (3, 1), 'grads should be the dict of the last propagate'
    assert len(costs) == 3, "costs should hold the costs of iterations 0, 100 and 200"
    assert costs[0] > costs[2], "the cost should go down"
    # One step by hand from w = 0, b = 0: A = 0.5, dw = X @ (A - Y).T / m = [[0.25], [-1.0]], db = 0.
    params, grads, _ = optimize(np.zeros((2, 1)), 0.0, np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[1.0, 0.0]]),
                                num_iterations=1, learning_rate=0.1)
    assert np.allclose(grads["dw"], [[0.25], [-1.0]]), "the gradient of the first step should be dw = [[0.25], [-1.0]] here"
    assert np.allclose(params["w"], [[-0.025], [0.1]]), (
        f"after one step with learning rate 0.1, w should be 0 - 0.1 * dw = [[-0.025], [0.1]], got {np.ravel(params['w'])}: "
        "multiply the gradient by the learning rate (w = w - learning_rate * dw)"
    )


@test_case(points=2, hidden=True)
def test_against_reference(optimize, rng):
    """250 iterations from random parameters on random data, against the reference."""
    from autograder.testing import check_array, check_scalar, rel_error
    from assignment import solution as ref

    w, b = rng.normal(scale=0.3, size=(10, 1)), float(rng.normal())
    X, Y = rng.normal(size=(10, 40)), (rng.uniform(size=(1, 40)) < 0.5).astype(np.float64)
    result = optimize(w, b, X, Y, 250, 0.05)
    assert isinstance(result, tuple) and len(result) == 3, "optimize should return a tuple (params, grads, costs)"
    params, grads, costs = result
    assert isinstance(params, dict) and "w" in params and "b" in params, 'params should be a dict with keys "w" and "b"'
    assert isinstance(grads, dict) and "dw" in grads and "db" in grads, 'grads should be a dict with keys "dw" and "db"'
    assert isinstance(costs, (list, tuple, np.ndarray)), "costs should be a list of numbers"
    assert len(costs) == 3, (
        f"costs should hold one cost every 100 iterations (iterations 0, 100, 200, ...); "
        f"after 250 iterations it holds {len(costs)}"
    )
    want_params, want_grads, want_costs = ref.optimize(w, b, X, Y, 250, 0.05)
    got = {
        "w": check_array(params["w"], (10, 1), 'params["w"]'),
        "b": check_scalar(params["b"], 'params["b"]'),
        "dw": check_array(grads["dw"], (10, 1), 'grads["dw"]'),
        "db": check_scalar(grads["db"], 'grads["db"]'),
        "costs": np.array([check_scalar(c, "each cost") for c in costs]),
    }
    want = {**want_params, **want_grads, "costs": np.array(want_costs)}
    for what in ("w", "b"):
        err = rel_error(got[what], want[what])
        assert err < 1e-6, (
            f"after 250 iterations, {what} differs from the expected values (relative error {err:.1e}): check the "
            "update, and that each step is the learning rate times the gradient"
        )
    err = rel_error(got["costs"], want["costs"])
    assert err < 1e-6, (
        f"the recorded costs differ from the expected ones (relative error {err:.1e}): record the cost "
        "computed at iterations 0, 100, 200, ... before that iteration's step"
    )
    for what in ("dw", "db"):
        err = rel_error(got[what], want[what])
        assert err < 1e-6, f'grads["{what}"] should be the gradient of the last iteration, before its step (relative error {err:.1e})'


def three_vs_five(split):
    """(X, Y): the 3s and 5s of a split, X float64 (784, m) with examples as columns, Y (1, m), 1. for a 5."""
    keep = (split.labels == POSITIVE_DIGIT) | (split.labels == NEGATIVE_DIGIT)
    X = np.ascontiguousarray(split.images[keep].astype(np.float64).T)
    Y = (split.labels[keep] == POSITIVE_DIGIT).astype(np.float64).reshape(1, -1)
    return X, Y


@test_case(points=4, hidden=True)
def test_mnist_3_vs_5_test_accuracy(optimize, mnist):
    """The grader runs your optimize on the MNIST 3s and 5s and evaluates w, b on the test set."""
    from autograder.testing import report
    from autograder.testing import check_array, check_scalar, with_timeout
    from assignment import solution as ref

    X_train, Y_train = three_vs_five(mnist.train)
    result = with_timeout(optimize, TRAIN_BUDGET_S)(np.zeros((784, 1)), 0.0, X_train, Y_train, NUM_ITERATIONS, LEARNING_RATE)
    assert isinstance(result, tuple) and len(result) == 3, "optimize should return a tuple (params, grads, costs)"
    params = result[0]
    assert isinstance(params, dict) and "w" in params and "b" in params, 'params should be a dict with keys "w" and "b"'
    w, b = check_array(params["w"], (784, 1), 'params["w"]'), check_scalar(params["b"], 'params["b"]')
    X_test, Y_test = three_vs_five(mnist.test)
    acc = float(np.mean(ref.predict(w, b, X_test) == Y_test))
    report(f"Test accuracy on the MNIST 3s and 5s: {acc:.4f} (pass mark {PASS_MARK}).")
    assert acc >= PASS_MARK, (
        f"test accuracy of your model trained on the MNIST 3s and 5s ({NUM_ITERATIONS} iterations, learning rate "
        f"{LEARNING_RATE}) is {acc:.4f}; the pass mark is {PASS_MARK}"
    )
