import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "propagate"

GRADCHECK_THRESHOLD = 1e-6
"""rel_error allowed between the analytic and the centered-difference gradient (h = 1e-5).
The reference's error on this test's data is about 1e-10; on 20 other seeds it and a textbook
log(A) cost stay under 1e-8 (tests/test_reference_logreg.py)."""


@test_case(points=1, hidden=False)
def test_small_example(propagate, np):
    w, b = np.array([[1.0], [2.0]]), 2.0
    X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
    Y = np.array([[1, 0, 1]])
    result = propagate(w, b, X, Y)
    assert isinstance(result, tuple) and len(result) == 2, "propagate should return a tuple (grads, cost)"
    grads, cost = result
    assert isinstance(grads, dict) and "dw" in grads and "db" in grads, 'grads should be a dict with keys "dw" and "db"'
    assert np.shape(grads["dw"]) == (2, 1), "dw should have the shape of w, (dim, 1)"
    assert np.allclose(grads["dw"], [[0.99845601], [2.39507239]]), "dw is wrong for this example"
    assert np.ndim(grads["db"]) == 0 and np.isclose(float(grads["db"]), 0.00145557813678), "db is wrong for this example"
    assert np.ndim(cost) == 0 and np.isclose(float(cost), 5.801545319394553), "cost is wrong for this example"


def call_propagate(propagate, w, b, X, Y):
    """The student's (grads, cost), checked for structure: (dw as float64, db, cost)."""
    from autograder.testing import check_array, check_scalar

    result = propagate(w, b, X, Y)
    assert isinstance(result, tuple) and len(result) == 2, "propagate should return a tuple (grads, cost)"
    grads, cost = result
    assert isinstance(grads, dict) and "dw" in grads and "db" in grads, 'grads should be a dict with keys "dw" and "db"'
    dw = check_array(grads["dw"], w.shape, 'grads["dw"]')
    return dw, check_scalar(grads["db"], 'grads["db"]'), check_scalar(cost, "cost")


def random_problem(rng, dim, m):
    w = rng.normal(scale=0.3, size=(dim, 1))
    b = float(rng.normal())
    X = rng.normal(size=(dim, m))
    Y = (rng.uniform(size=(1, m)) < 0.5).astype(np.float64)
    return w, b, X, Y


@test_case(points=2, hidden=True)
def test_values_against_reference(propagate, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    w, b, X, Y = random_problem(rng, 30, 50)
    dw, db, cost = call_propagate(propagate, w, b, X, Y)
    grads_ref, cost_ref = ref.propagate(w, b, X, Y)
    err = rel_error(cost, cost_ref)
    assert err < 1e-7, f"the cost differs from the reference (mean over the m examples?): relative error {err:.1e}"
    for what, got, want in (("dw", dw, grads_ref["dw"]), ("db", db, grads_ref["db"])):
        err = rel_error(got, want)
        assert err < 1e-7, f"{what} differs from the reference gradient: relative error {err:.1e} (threshold 1e-7)"


@test_case(points=2, hidden=True)
def test_numerical_gradient_check(propagate, rng):
    """Centered differences of the cost the student's own propagate returns (CS231n gradient check)."""
    from autograder.testing import check_scalar, eval_numerical_gradient_at, rel_error, sample_indices

    w, b, X, Y = random_problem(rng, 20, 15)
    dw, db, _ = call_propagate(propagate, w.copy(), b, X, Y)

    def cost_w(w_):
        return check_scalar(propagate(w_, b, X, Y)[1], "cost")

    def cost_b(b_):
        return check_scalar(propagate(w, float(b_[0]), X, Y)[1], "cost")

    w_idx = sample_indices(w.shape, 10, rng)
    checks = (
        ("dw", np.array([dw[i] for i in w_idx]), eval_numerical_gradient_at(cost_w, w.copy(), w_idx)),
        ("db", np.array([db]), eval_numerical_gradient_at(cost_b, np.array([b]), [(0,)])),
    )
    for what, analytic, numeric in checks:
        err = rel_error(analytic, numeric)
        assert err < GRADCHECK_THRESHOLD, (
            f"gradient check failed for {what}: relative error {err:.1e} between your gradient and centered "
            f"differences of the cost your propagate returns (threshold {GRADCHECK_THRESHOLD:.0e})"
        )
