import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "initialize_parameters"

KEYS = ("W1", "b1", "W2", "b2")


@test_case(points=1, hidden=False)
def test_shapes_and_scale(initialize_parameters, np):
    parameters = initialize_parameters(2, 4, 1)
    assert isinstance(parameters, dict) and set(parameters) >= {"W1", "b1", "W2", "b2"}, (
        'initialize_parameters should return a dict with keys "W1", "b1", "W2", "b2"'
    )
    shapes = {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    for key, shape in shapes.items():
        assert np.shape(parameters[key]) == shape, f"{key} should have shape {shape} for n_x = 2, n_h = 4, n_y = 1"
    assert np.all(parameters["b1"] == 0) and np.all(parameters["b2"] == 0), "the biases should be zeros"
    assert np.allclose(parameters["W1"][0], [0.0018905338, -0.0052274844]), (
        "W1 should be rng.standard_normal((n_h, n_x)) * 0.01 with rng = np.random.default_rng(seed)"
    )
    assert np.allclose(parameters["W2"], [[0.0028121067, -0.0055382284, 0.0097756745, -0.0031055655]]), (
        "W2 should be rng.standard_normal((n_y, n_h)) * 0.01, drawn from the same rng right after W1"
    )
    seeded = initialize_parameters(2, 4, 1, seed=0)
    assert np.allclose(seeded["W1"][0], [0.0012573022, -0.0013210486]), (
        "initialize_parameters(2, 4, 1, seed=0) should start W1 with [0.00126, -0.00132]: "
        "use the seed argument, rng = np.random.default_rng(seed)"
    )


@test_case(points=2, hidden=True)
def test_values_against_reference(initialize_parameters, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    n_x, n_h, n_y = (int(n) for n in rng.integers(1, 12, size=3))
    seed = int(rng.integers(1000))
    parameters = initialize_parameters(n_x, n_h, n_y, seed)
    assert isinstance(parameters, dict) and all(k in parameters for k in KEYS), (
        'initialize_parameters should return a dict with keys "W1", "b1", "W2", "b2"'
    )
    want = ref.initialize_parameters(n_x, n_h, n_y, seed)
    for key in ("b1", "b2"):
        got = check_array(parameters[key], want[key].shape, key)
        assert np.all(got == 0), f"{key} should be all zeros"
    for key, how in (("W1", "rng.standard_normal((n_h, n_x)) * 0.01, drawn first"), ("W2", "rng.standard_normal((n_y, n_h)) * 0.01, drawn after W1")):
        got = check_array(parameters[key], want[key].shape, key)
        err = rel_error(got, want[key])
        assert err < 1e-12, (
            f"{key} differs from the expected values (relative error {err:.1e}): with rng = "
            f"np.random.default_rng(seed), {key} should be {how}, and use the seed argument"
        )
