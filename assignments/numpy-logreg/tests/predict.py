import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "predict"


@test_case(points=1, hidden=False)
def test_obvious_cases(predict, np):
    w, b = np.array([[1.0], [-1.0]]), 0.0
    X = np.array([[3.0, -3.0, 1.0], [0.0, 0.0, 4.0]])
    Y_prediction = predict(w, b, X)
    assert isinstance(Y_prediction, np.ndarray) and Y_prediction.shape == (1, 3), "predict should return a (1, m) array"
    assert np.array_equal(Y_prediction, [[1.0, 0.0, 0.0]]), "predict is wrong for this example"
    at_half = predict(w, 0.0, np.zeros((2, 1)))
    assert np.array_equal(at_half, [[0.0]]), (
        "for w.T @ x + b == 0 the probability is exactly 0.5, which is predicted 0. (the threshold is strict: > 0.5 is 1.)"
    )


@test_case(points=1, hidden=True)
def test_values_against_reference(predict, rng):
    from autograder.testing import check_array
    from assignment import solution as ref

    w, b = rng.normal(size=(12, 1)), float(rng.normal())
    X = rng.normal(size=(12, 300))
    got = check_array(predict(w, b, X), (1, 300), "predict(w, b, X)")
    assert np.all((got == 0) | (got == 1)), "predict should return only the values 0. and 1."
    assert np.array_equal(got, ref.predict(w, b, X)), "predict should be 1. where sigmoid(w.T @ X + b) > 0.5, else 0."


@test_case(points=1, hidden=True)
def test_probability_of_exactly_half(predict, rng):
    from autograder.testing import check_array

    w, b = rng.normal(size=(8, 1)), 0.0
    X = rng.normal(size=(8, 40))
    X[:, ::2] = 0.0  # every other example has w.T @ x + b == 0: probability exactly 0.5
    got = check_array(predict(w, b, X), (1, 40), "predict(w, b, X)")
    assert np.all(got[0, ::2] == 0), "a probability of exactly 0.5 must be predicted 0. (the threshold is strict: > 0.5 is 1.)"
