import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "update_parameters"


@test_case(points=1, hidden=False)
def test_one_step(update_parameters, np):
    parameters = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1)), "W2": np.ones((1, 2)), "b2": np.zeros((1, 1))}
    grads = {"dW1": np.full((2, 3), 0.5), "db1": np.ones((2, 1)), "dW2": np.full((1, 2), -1.0), "db2": np.full((1, 1), 2.0)}
    new = update_parameters(parameters, grads, learning_rate=0.1)
    assert isinstance(new, dict) and all(k in new for k in ("W1", "b1", "W2", "b2")), (
        'update_parameters should return a dict with keys "W1", "b1", "W2", "b2"'
    )
    assert np.allclose(new["W1"], 0.95) and np.allclose(new["b1"], -0.1), "W1 and b1 should be W1 - 0.1 * dW1 and b1 - 0.1 * db1"
    assert np.allclose(new["W2"], 1.1) and np.allclose(new["b2"], -0.2), "W2 and b2 should be W2 - 0.1 * dW2 and b2 - 0.1 * db2"


@test_case(points=2, hidden=True)
def test_values_against_reference(update_parameters, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    shapes = {"W1": (4, 3), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    parameters = {k: rng.normal(size=s) for k, s in shapes.items()}
    grads = {f"d{k}": rng.normal(size=s) for k, s in shapes.items()}
    learning_rate = float(rng.uniform(0.1, 2.0))
    for label, args in (("the default learning rate 1.2", ()), (f"learning_rate={learning_rate:.3f}", (learning_rate,))):
        new = update_parameters(parameters, grads, *args)
        assert isinstance(new, dict) and all(k in new for k in shapes), (
            'update_parameters should return a dict with keys "W1", "b1", "W2", "b2"'
        )
        want = ref.update_parameters(parameters, grads, *args)
        for key in shapes:
            err = rel_error(check_array(new[key], shapes[key], key), want[key])
            assert err < 1e-9, (
                f"{key} after one step with {label} differs from the expected value (relative error {err:.1e}): "
                f"it should be {key} - learning_rate * d{key} (a step against the gradient)"
            )
