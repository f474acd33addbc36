import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "nn_model"

N_H = 4
NUM_ITERATIONS = 5000
"""The flower training run: 4 hidden units, 5000 steps of batch gradient descent at learning rate
1.2 from initialize_parameters(2, 4, 1, seed=3). The reference takes about 0.8 s on one core
(10000 iterations, the notebook's default, add about 0.005 accuracy for twice the time)."""

M_TRAIN, M_HELD_OUT = 400, 2000
"""Training points (the classic flower's 400) and held-out points, from load_planar_dataset with two
seeds drawn from the test's rng. Held-out labels never leave the grader."""

PASS_MARK = 0.88
"""Held-out accuracy (fraction) the student's parameters must reach. Calibrated from the reference
with these settings: 0.909-0.9305 on 8 pairs of data seeds (and on this test's own data,
tests/test_reference_mlp.py), so the margin is at least 0.029, about 58 of the 2000 held-out
points. The classes overlap (noise 0.2), so no model gets far above 0.93; a linear model gets
about 0.5."""

TRAIN_BUDGET_S = 60
"""Seconds the student's nn_model may take for the training run (the reference: about 0.8 s)."""


@test_case(points=1, hidden=False)
def test_returns_parameters(nn_model, np):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 20))
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    parameters = nn_model(X, Y, 3, num_iterations=20)
    assert isinstance(parameters, dict) and all(k in parameters for k in ("W1", "b1", "W2", "b2")), (
        'nn_model should return the parameters, a dict with keys "W1", "b1", "W2", "b2"'
    )
    shapes = {"W1": (3, 2), "b1": (3, 1), "W2": (1, 3), "b2": (1, 1)}
    for key, shape in shapes.items():
        assert np.shape(parameters[key]) == shape, f"{key} should have shape {shape} for n_x = 2, n_h = 3, n_y = 1"
    assert not np.all(parameters["b2"] == 0), "the parameters should have been trained"


def check_parameters(parameters, n_x, n_h, n_y):
    from autograder.testing import check_array

    shapes = {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}
    assert isinstance(parameters, dict) and all(k in parameters for k in shapes), (
        'nn_model should return the parameters, a dict with keys "W1", "b1", "W2", "b2"'
    )
    return {key: check_array(parameters[key], shape, f'parameters["{key}"]') for key, shape in shapes.items()}


@test_case(points=2, hidden=True)
def test_against_reference(nn_model, rng):
    """60 iterations on random data with a random seed and hidden size, against the reference."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    n_h, seed = int(rng.integers(2, 8)), int(rng.integers(1000))
    X = rng.normal(size=(2, 50))
    Y = (rng.uniform(size=(1, 50)) < 0.5).astype(np.float64)
    got = check_parameters(nn_model(X, Y, n_h, num_iterations=60, seed=seed), 2, n_h, 1)
    want = ref.nn_model(X, Y, n_h, num_iterations=60, seed=seed)
    for key in ("W1", "b1", "W2", "b2"):
        err = rel_error(got[key], want[key])
        assert err < 1e-6, (
            f"after 60 iterations, {key} differs from the expected values (relative error {err:.1e}): start from "
            "initialize_parameters(n_x, n_h, n_y, seed) with the n_h and seed given, and step with learning rate 1.2"
        )


@test_case(points=4, hidden=True)
def test_flower_held_out_accuracy(nn_model, rng):
    """The grader trains your nn_model on a fresh flower and measures accuracy on held-out points."""
    from autograder.testing import report
    from autograder.testing import with_timeout
    from assignment import solution as ref

    train_seed, held_out_seed = (int(s) for s in rng.integers(2**31, size=2))
    X, Y = ref.load_planar_dataset(train_seed, M_TRAIN)
    parameters = with_timeout(nn_model, TRAIN_BUDGET_S)(X, Y, N_H, num_iterations=NUM_ITERATIONS, seed=3)
    parameters = check_parameters(parameters, 2, N_H, 1)
    X_held_out, Y_held_out = ref.load_planar_dataset(held_out_seed, M_HELD_OUT)
    acc = float(np.mean(ref.predict(parameters, X_held_out) == Y_held_out))
    report(f"Held-out accuracy: {acc:.4f} (pass mark {PASS_MARK}).")
    assert acc >= PASS_MARK, (
        f"held-out accuracy of your network trained on a flower of {M_TRAIN} points ({N_H} hidden units, "
        f"{NUM_ITERATIONS} iterations) is {acc:.4f}; the pass mark is {PASS_MARK}"
    )
