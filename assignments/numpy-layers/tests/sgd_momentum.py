import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "sgd_momentum"

STEPS = 5
"""Consecutive steps checked, each from the config the previous step returned."""


def step(sgd_momentum, w, dw, config):
    """(next_w, config) of one student step, checked for form, with the velocity checked for shape."""
    from autograder.testing import check_array

    result = sgd_momentum(w, dw, config)
    assert isinstance(result, tuple) and len(result) == 2, "sgd_momentum should return a tuple (next_w, config)"
    next_w, config = result
    assert isinstance(config, dict) and "velocity" in config, (
        "sgd_momentum should return the config dict holding the new velocity under 'velocity'"
    )
    check_array(config["velocity"], w.shape, "config['velocity']")
    return check_array(next_w, w.shape, "next_w"), config


@test_case(points=1, hidden=False)
def test_cs231n_values(sgd_momentum, np):
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    result = sgd_momentum(w, dw, {"learning_rate": 1e-3, "velocity": v})
    assert isinstance(result, tuple) and len(result) == 2, "sgd_momentum should return a tuple (next_w, config)"
    next_w, config = result
    expected_next_w = np.asarray([  # CS231n, FullyConnectedNets.ipynb
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    expected_velocity = np.asarray([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    assert np.allclose(next_w, expected_next_w, rtol=1e-6, atol=0), "next_w should be w + v with v = momentum * v - learning_rate * dw"
    assert np.allclose(config["velocity"], expected_velocity, rtol=1e-6, atol=0), "the returned config['velocity'] should be the new v"


@test_case(points=2, hidden=True)
def test_steps_against_reference(sgd_momentum, rng):
    """Five steps from a config without velocity, each from the config the previous step returned."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    w = rng.normal(size=(6, 4))
    student = want = {"learning_rate": float(rng.uniform(0.01, 0.5)), "momentum": float(rng.uniform(0.5, 0.95))}
    student_w = want_w = w
    for k in range(1, STEPS + 1):
        dw = rng.normal(size=w.shape)
        student_w, student = step(sgd_momentum, student_w.copy(), dw, student)
        want_w, want = ref.sgd_momentum(want_w, dw, want)
        for what, got, expected in (("next_w", student_w, want_w), ("config['velocity']", student["velocity"], want["velocity"])):
            err = rel_error(got, expected)
            assert err < 1e-10, (
                f"after step {k} of {STEPS}, each from the config the previous step returned, {what} is wrong (relative "
                f"error {err:.1e}): v = momentum * v - learning_rate * dw from v = 0, next_w = w + v, and return the new "
                "v in config['velocity']"
            )


@test_case(points=1, hidden=True)
def test_defaults(sgd_momentum, rng):
    """config None: learning_rate 1e-2, momentum 0.9, velocity zeros; then a second step."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    w, dw1, dw2 = rng.normal(size=(3, 5)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    w1, config = step(sgd_momentum, w.copy(), dw1, None)
    w2, _ = step(sgd_momentum, w1, dw2, config)
    want_w1, want_config = ref.sgd_momentum(w, dw1, None)
    want_w2, _ = ref.sgd_momentum(want_w1, dw2, want_config)
    err = max(rel_error(w1, want_w1), rel_error(w2, want_w2))
    assert err < 1e-10, (
        f"with config = None, two steps give wrong weights (relative error {err:.1e}): the defaults are "
        "learning_rate 1e-2, momentum 0.9 and a zero velocity, and the returned config keeps them"
    )
