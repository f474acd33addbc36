import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "sigmoid"


@test_case(points=1, hidden=False)
def test_known_values(sigmoid, np):
    s = sigmoid(np.array([0.0, 2.0]))
    assert isinstance(s, np.ndarray) and s.shape == (2,), "sigmoid(z) should be an array of the shape of z"
    assert np.allclose(s, [0.5, 0.88079708]), "sigmoid(0) is 0.5 and sigmoid(2) is about 0.8808"
    S = sigmoid(np.zeros((3, 4)))
    assert np.shape(S) == (3, 4) and np.allclose(S, 0.5), "sigmoid works elementwise on arrays of any shape"
    with np.errstate(all="ignore"):
        extreme = sigmoid(np.array([-1000.0, 1000.0]))
    assert np.all(np.isfinite(extreme)) and np.allclose(extreme, [0.0, 1.0]), (
        f"sigmoid([-1000, 1000]) should be [0, 1], got {extreme}: np.exp(1000) overflows to inf and inf / inf is NaN; "
        "use a numerically stable form (1 / (1 + np.exp(-z)) for z >= 0, np.exp(z) / (1 + np.exp(z)) for z < 0)"
    )


@test_case(points=1, hidden=True)
def test_values_against_reference(sigmoid, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    z = rng.normal(scale=5.0, size=(3, 40))
    s = check_array(sigmoid(z.copy()), (3, 40), "sigmoid(z)")
    err = rel_error(s, ref.sigmoid(z))
    assert err < 1e-7, f"sigmoid values differ from 1 / (1 + exp(-z)): relative error {err:.1e} (threshold 1e-7)"


@test_case(points=1, hidden=True)
def test_stable_for_inputs_of_1000(sigmoid, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    z = rng.uniform(-1000.0, 1000.0, size=(4, 50))
    z[0, :4] = [1000.0, -1000.0, 0.0, 710.0]  # the extremes, a tie, and just past exp's overflow
    s = check_array(sigmoid(z.copy()), (4, 50), "sigmoid(z) for z in [-1000, 1000]")
    err = rel_error(s, ref.sigmoid(z))
    assert err < 1e-7, f"sigmoid is not numerically stable for inputs of +-1000 (relative error {err:.1e})"
