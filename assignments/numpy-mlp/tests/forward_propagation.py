import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "forward_propagation"


@test_case(points=1, hidden=False)
def test_small_example(forward_propagation, np):
    X = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0]])
    parameters = {
        "W1": np.array([[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]]), "b1": np.array([[0.1], [-0.2], [0.0]]),
        "W2": np.array([[1.0, -0.5, 0.7]]), "b2": np.array([[0.05]]),
    }
    result = forward_propagation(X, parameters)
    assert isinstance(result, tuple) and len(result) == 2, "forward_propagation should return a tuple (A2, cache)"
    A2, cache = result
    assert isinstance(A2, np.ndarray) and A2.shape == (1, 3), "A2 should be a numpy array of shape (n_y, m)"
    assert np.allclose(A2, [[0.5103599744, 0.4306655963, 0.6712523315]]), "A2 is wrong for this example"
    assert isinstance(cache, dict) and all(k in cache for k in ("Z1", "A1", "Z2", "A2")), (
        'cache should be a dict with keys "Z1", "A1", "Z2", "A2"'
    )
    assert np.shape(cache["Z1"]) == (3, 3) and np.shape(cache["A1"]) == (3, 3), "Z1 and A1 should have shape (n_h, m)"
    assert np.allclose(cache["A1"], np.tanh(cache["Z1"])), "A1 should be tanh(Z1)"


@test_case(points=2, hidden=True)
def test_values_against_reference(forward_propagation, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    n_x, n_h, m = 3, 5, 30
    X = rng.normal(size=(n_x, m))
    parameters = {
        "W1": rng.normal(size=(n_h, n_x)), "b1": rng.normal(size=(n_h, 1)),
        "W2": rng.normal(size=(1, n_h)), "b2": rng.normal(size=(1, 1)),
    }
    result = forward_propagation(X, parameters)
    assert isinstance(result, tuple) and len(result) == 2, "forward_propagation should return a tuple (A2, cache)"
    A2, cache = result
    assert isinstance(cache, dict) and all(k in cache for k in ("Z1", "A1", "Z2", "A2")), (
        'cache should be a dict with keys "Z1", "A1", "Z2", "A2"'
    )
    _, want = ref.forward_propagation(X, parameters)
    hints = {
        "Z1": "Z1 = W1 @ X + b1", "A1": "A1 = tanh(Z1)", "Z2": "Z2 = W2 @ A1 + b2", "A2": "A2 = sigmoid(Z2)",
    }
    for key in ("Z1", "A1", "Z2", "A2"):
        got = check_array(cache[key], want[key].shape, f'cache["{key}"]')
        err = rel_error(got, want[key])
        assert err < 1e-7, f'cache["{key}"] differs from the expected values (relative error {err:.1e}): {hints[key]}'
    err = rel_error(check_array(A2, want["A2"].shape, "A2"), want["A2"])
    assert err < 1e-7, f"the A2 returned differs from the expected values (relative error {err:.1e})"
