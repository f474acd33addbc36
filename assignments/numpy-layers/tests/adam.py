import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "adam"

STEPS = 5
"""Consecutive steps checked, each from the config the previous step returned."""


def step(adam, w, dw, config):
    """(next_w, config) of one student step, checked for form, with m, v and t checked."""
    from autograder.testing import check_array, check_scalar

    result = adam(w, dw, config)
    assert isinstance(result, tuple) and len(result) == 2, "adam should return a tuple (next_w, config)"
    next_w, config = result
    assert isinstance(config, dict) and all(k in config for k in ("m", "v", "t")), (
        "adam should return the config dict holding the new 'm', 'v' and 't'"
    )
    check_array(config["m"], w.shape, "config['m']")
    check_array(config["v"], w.shape, "config['v']")
    check_scalar(config["t"], "config['t']")
    return check_array(next_w, w.shape, "next_w"), config


@test_case(points=1, hidden=False)
def test_cs231n_values(adam, np):
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    result = adam(w, dw, {"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    assert isinstance(result, tuple) and len(result) == 2, "adam should return a tuple (next_w, config)"
    next_w, config = result
    expected_next_w = np.asarray([  # CS231n, FullyConnectedNets.ipynb
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.asarray([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.asarray([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    assert np.allclose(config["m"], expected_m, rtol=1e-6, atol=0), "m = beta1 * m + (1 - beta1) * dw"
    assert np.allclose(config["v"], expected_v, rtol=1e-6, atol=0), "v = beta2 * v + (1 - beta2) * dw ** 2"
    assert config["t"] == 6, "t is incremented (from 5 to 6 here) before it is used"
    assert np.allclose(next_w, expected_next_w, rtol=1e-6, atol=0), "next_w is wrong: check the bias correction with the new t"


@test_case(points=2, hidden=True)
def test_steps_against_reference(adam, rng):
    """Five steps from a config with the learning rate and the betas and epsilon (their defaults are
    test_defaults' to check, so that a slip there is charged once), each from the config the previous
    step returned."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    w = rng.normal(size=(6, 4))
    student = want = {"learning_rate": float(rng.uniform(1e-3, 1e-1)), "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    student_w = want_w = w
    for k in range(1, STEPS + 1):
        dw = rng.normal(size=w.shape)
        student_w, student = step(adam, student_w.copy(), dw, student)
        want_w, want = ref.adam(want_w, dw, want)
        assert student["t"] == k, f"after step {k}, config['t'] should be {k}: it starts at 0 and each step adds 1"
        for what, got, expected in (("config['m']", student["m"], want["m"]), ("config['v']", student["v"], want["v"])):
            err = rel_error(got, expected)
            assert err < 1e-10, (
                f"after step {k} of {STEPS}, each from the config the previous step returned, {what} is wrong (relative "
                f"error {err:.1e}): m = beta1 * m + (1 - beta1) * dw and v = beta2 * v + (1 - beta2) * dw ** 2, from zeros"
            )
        err = rel_error(student_w, want_w)
        assert err < 1e-10, (
            f"after step {k} of {STEPS}, next_w is wrong (relative error {err:.1e}) although m and v are right: use the "
            "bias-corrected m / (1 - beta1 ** t) and v / (1 - beta2 ** t), with the new t, and add epsilon to the square root"
        )


@test_case(points=1, hidden=True)
def test_defaults(adam, rng):
    """config None: learning_rate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-8; then a second step."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    w, dw1, dw2 = rng.normal(size=(3, 5)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    w1, config = step(adam, w.copy(), dw1, None)
    w2, _ = step(adam, w1, dw2, config)
    want_w1, want_config = ref.adam(w, dw1, None)
    want_w2, _ = ref.adam(want_w1, dw2, want_config)
    err = max(rel_error(w1, want_w1), rel_error(w2, want_w2))
    assert err < 1e-10, (
        f"with config = None, two steps give wrong weights (relative error {err:.1e}): the defaults are learning_rate "
        "1e-3, beta1 0.9, beta2 0.999, epsilon 1e-8, m and v zeros and t = 0, and the returned config keeps them"
    )
