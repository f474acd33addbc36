import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "predict"


@test_case(points=1, hidden=False)
def test_small_example(predict, np):
    X = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0]])
    parameters = {
        "W1": np.array([[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]]), "b1": np.array([[0.1], [-0.2], [0.0]]),
        "W2": np.array([[1.0, -0.5, 0.7]]), "b2": np.array([[0.05]]),
    }
    predictions = predict(parameters, X)
    assert isinstance(predictions, np.ndarray) and predictions.shape == (1, 3), "predict should return a (1, m) array"
    assert np.array_equal(predictions, [[1, 0, 1]]), "predict is wrong for this example"
    at_half = predict(dict(parameters, b1=np.zeros((3, 1)), b2=np.zeros((1, 1))), np.zeros((2, 1)))
    assert np.array_equal(at_half, [[0.0]]), (
        "with zero biases and x = 0 the output probability is exactly 0.5, which is predicted 0. "
        "(the threshold is strict: A2 > 0.5 is 1.)"
    )


def random_parameters(rng, n_x, n_h):
    return {
        "W1": rng.normal(size=(n_h, n_x)), "b1": rng.normal(size=(n_h, 1)),
        "W2": rng.normal(size=(1, n_h)), "b2": rng.normal(size=(1, 1)),
    }


@test_case(points=1, hidden=True)
def test_values_against_reference(predict, rng):
    from autograder.testing import check_array
    from assignment import solution as ref

    parameters = random_parameters(rng, 2, 6)
    X = rng.normal(size=(2, 300))
    got = check_array(predict(parameters, X), (1, 300), "predict(parameters, X)")
    assert np.all((got == 0) | (got == 1)), "predict should return only the values 0 and 1"
    assert np.array_equal(got, ref.predict(parameters, X)), "predict should be 1 where A2 > 0.5, else 0"


@test_case(points=1, hidden=True)
def test_probability_of_exactly_half(predict, rng):
    from autograder.testing import check_array

    parameters = random_parameters(rng, 2, 4)
    parameters["b1"][:] = 0.0
    parameters["b2"][:] = 0.0
    X = rng.normal(size=(2, 40))
    X[:, ::2] = 0.0  # every other example: Z1 = 0, A1 = 0, Z2 = 0, so A2 is exactly 0.5
    got = check_array(predict(parameters, X), (1, 40), "predict(parameters, X)")
    assert np.all(got[0, ::2] == 0), "a probability of exactly 0.5 must be predicted 0 (the threshold is strict: > 0.5 is 1)"
