import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "backward_propagation"

GRADCHECK_THRESHOLD = 1e-5
"""rel_error allowed between the analytic gradient and centered differences (h = 1e-5) of the cost
the student's own forward_propagation and compute_cost return. The reference's worst error over
this check on 20 seeds is 9.6e-8 (small entries of dW1; tests/test_reference_mlp.py asserts 50x
under the threshold); the tanh-derivative bug (1 - A1 for 1 - A1**2) gives errors of order 1e-1."""

SAMPLES_PER_PARAMETER = 4
"""Entries of each of W1, b1, W2 checked (b2 has one): 13 entries, 52 calls into the sandbox."""


@test_case(points=1, hidden=False)
def test_small_example(backward_propagation, np):
    X = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    parameters = {
        "W1": np.array([[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]]), "b1": np.array([[0.1], [-0.2], [0.0]]),
        "W2": np.array([[1.0, -0.5, 0.7]]), "b2": np.array([[0.05]]),
    }
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    grads = backward_propagation(parameters, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}, X, Y)
    assert isinstance(grads, dict) and all(k in grads for k in ("dW1", "db1", "dW2", "db2")), (
        'grads should be a dict with keys "dW1", "db1", "dW2", "db2"'
    )
    for key, shape in {"dW1": (3, 2), "db1": (3, 1), "dW2": (1, 3), "db2": (1, 1)}.items():
        assert np.shape(grads[key]) == shape, f"{key} should have the shape of its parameter, {shape}"
    assert np.allclose(grads["dW2"], [[-0.2590218353780619, 0.06839195664892643, 0.24945412792288843]]), "dW2 is wrong for this example"
    assert np.allclose(grads["db2"], [[-0.1292406992788475]]), "db2 is wrong for this example"
    assert np.allclose(grads["db1"], [[-0.15715097461731956], [0.03477837425458999], [-0.12367031297888913]]), "db1 is wrong for this example"
    assert np.allclose(grads["dW1"][0], [-0.25162746363382865, 0.079407088689913]), "dW1 is wrong for this example"


SHAPES = {"W1": ("n_h", "n_x"), "b1": ("n_h", 1), "W2": ("n_y", "n_h"), "b2": ("n_y", 1)}


def random_problem(rng, n_x, n_h, m):
    """Parameters of moderate size (tanh not saturated), X (n_x, m), Y (1, m) of 0/1."""
    parameters = {
        "W1": rng.normal(scale=0.8, size=(n_h, n_x)), "b1": rng.normal(scale=0.5, size=(n_h, 1)),
        "W2": rng.normal(scale=0.8, size=(1, n_h)), "b2": rng.normal(scale=0.5, size=(1, 1)),
    }
    X = rng.normal(size=(n_x, m))
    Y = (rng.uniform(size=(1, m)) < 0.5).astype(np.float64)
    return parameters, X, Y


def call_backward(backward_propagation, parameters, cache, X, Y):
    """The student's grads, checked for structure and shapes, as float64 arrays."""
    from autograder.testing import check_array

    grads = backward_propagation(parameters, cache, X, Y)
    assert isinstance(grads, dict) and all(k in grads for k in ("dW1", "db1", "dW2", "db2")), (
        'grads should be a dict with keys "dW1", "db1", "dW2", "db2"'
    )
    return {f"d{k}": check_array(grads[f"d{k}"], parameters[k].shape, f'grads["d{k}"]') for k in SHAPES}


@test_case(points=2, hidden=True)
def test_values_against_reference(backward_propagation, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    parameters, X, Y = random_problem(rng, 3, 5, 40)
    _, cache = ref.forward_propagation(X, parameters)
    got = call_backward(backward_propagation, parameters, cache, X, Y)
    want = ref.backward_propagation(parameters, cache, X, Y)
    hints = {
        "dW2": "dZ2 @ A1.T / m with dZ2 = A2 - Y",
        "db2": "the sum of dZ2 over the examples (axis=1, keepdims=True) / m",
        "dW1": "dZ1 @ X.T / m with dZ1 = (W2.T @ dZ2) * (1 - A1**2), the derivative of tanh",
        "db1": "the sum of dZ1 over the examples (axis=1, keepdims=True) / m",
    }
    for key in ("dW2", "db2", "dW1", "db1"):
        err = rel_error(got[key], want[key])
        assert err < 1e-7, f"{key} differs from the expected gradient (relative error {err:.1e}): it should be {hints[key]}"


@test_case(points=2, hidden=True)
def test_numerical_gradient_check(backward_propagation, forward_propagation, compute_cost, rng):
    """Centered differences of compute_cost(forward_propagation(X, parameters)[0], Y), both the student's."""
    from autograder.testing import check_array, check_scalar, eval_numerical_gradient_at, rel_error, sample_indices

    parameters, X, Y = random_problem(rng, 3, 4, 10)
    result = forward_propagation(X, parameters)
    assert isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict), (
        "forward_propagation should return a tuple (A2, cache)"
    )
    got = call_backward(backward_propagation, parameters, result[1], X, Y)

    def cost_at(key):
        def cost(value):
            A2 = forward_propagation(X, {**parameters, key: value})[0]
            return check_scalar(compute_cost(check_array(A2, (1, X.shape[1]), "A2"), Y), "cost")
        return cost

    for key in ("W1", "b1", "W2", "b2"):
        idx = sample_indices(parameters[key].shape, SAMPLES_PER_PARAMETER, rng)
        numeric = eval_numerical_gradient_at(cost_at(key), parameters[key].copy(), idx)
        analytic = np.array([got[f"d{key}"][i] for i in idx])
        err = rel_error(analytic, numeric)
        assert err < GRADCHECK_THRESHOLD, (
            f"gradient check failed for d{key}: relative error {err:.1e} between your gradient and centered "
            f"differences of the cost your forward_propagation and compute_cost return (threshold {GRADCHECK_THRESHOLD:.0e})"
        )
