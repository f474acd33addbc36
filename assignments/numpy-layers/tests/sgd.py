import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "sgd"


def step(sgd, w, dw, config):
    """(next_w, config) of one student sgd step, checked for form."""
    from autograder.testing import check_array

    result = sgd(w, dw, config)
    assert isinstance(result, tuple) and len(result) == 2, "sgd should return a tuple (next_w, config)"
    assert isinstance(result[1], dict), "the second value sgd returns should be the config dict"
    return check_array(result[0], w.shape, "next_w"), result[1]


@test_case(points=1, hidden=False)
def test_one_step(sgd, np):
    w, dw = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[10.0, 0.0], [-5.0, 1.0]])
    result = sgd(w, dw, {"learning_rate": 0.1})
    assert isinstance(result, tuple) and len(result) == 2, "sgd should return a tuple (next_w, config)"
    next_w, config = result
    assert np.allclose(next_w, [[0.0, -2.0], [1.0, 2.9]]), "next_w = w - learning_rate * dw"
    assert isinstance(config, dict) and config.get("learning_rate") == 0.1, "return the config dict, with its learning_rate"


@test_case(points=1, hidden=True)
def test_against_reference(sgd, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    w, dw, lr = rng.normal(size=(6, 4)), rng.normal(size=(6, 4)), float(rng.uniform(0.01, 1.0))
    next_w, _ = step(sgd, w.copy(), dw, {"learning_rate": lr})
    err = rel_error(next_w, ref.sgd(w, dw, {"learning_rate": lr})[0])
    assert err < 1e-12, f"next_w is wrong (relative error {err:.1e}): it should be w - learning_rate * dw"


@test_case(points=1, hidden=True)
def test_default_learning_rate(sgd, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    w, dw = rng.normal(size=(5,)), rng.normal(size=(5,))
    for config in (None, {}):
        next_w, returned = step(sgd, w.copy(), dw, config)
        err = rel_error(next_w, ref.sgd(w, dw, config)[0])
        assert err < 1e-12, (
            f"with config = {config}, next_w is wrong (relative error {err:.1e}): the default learning_rate is 1e-2"
        )
        assert returned.get("learning_rate") == 1e-2, "the returned config should hold the learning_rate used (1e-2 by default)"
