import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "compute_cost"


@test_case(points=1, hidden=False)
def test_small_example(compute_cost, np):
    cost = compute_cost(np.array([[0.8, 0.1, 0.6]]), np.array([[1.0, 0.0, 1.0]]))
    assert np.ndim(cost) == 0, "compute_cost should return a single number"
    assert np.isclose(float(cost), 0.2797765635793423), "the cost is wrong for this example"


@test_case(points=1, hidden=True)
def test_values_against_reference(compute_cost, rng):
    from autograder.testing import check_scalar, rel_error
    from assignment import solution as ref

    m = 57
    A2 = rng.uniform(0.02, 0.98, size=(1, m))
    Y = (rng.uniform(size=(1, m)) < 0.5).astype(np.float64)
    cost = check_scalar(compute_cost(A2, Y), "cost")
    err = rel_error(cost, ref.compute_cost(A2, Y))
    assert err < 1e-7, (
        f"the cost differs from the mean cross-entropy -(1/m) * sum(Y * log(A2) + (1 - Y) * log(1 - A2)) "
        f"(relative error {err:.1e}): is it averaged over the m examples, with the minus sign?"
    )
