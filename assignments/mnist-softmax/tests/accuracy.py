import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "accuracy"


@test_case(points=1, hidden=False)
def test_perfect_and_wrong_predictions(accuracy, np):
    images = np.zeros((10, 784))
    images[np.arange(10), np.arange(10)] = 1.0
    W = np.zeros((784, 10))
    W[np.arange(10), np.arange(10)] = 5.0
    labels = np.eye(10)
    assert np.isclose(accuracy(W, np.zeros(10), images, labels), 1.0), "every prediction is right here: expected 1.0"
    assert np.isclose(accuracy(W, np.zeros(10), images, np.roll(labels, 1, axis=0)), 0.0), "every prediction is wrong here: expected 0.0"
    b = np.zeros(10)
    b[3] = 5.0  # with W = 0 the bias alone decides: every row is predicted as class 3
    assert np.isclose(accuracy(np.zeros((784, 10)), b, images[:4], np.eye(10)[[3, 3, 1, 2]]), 0.5), (
        "with W = 0 and b favouring class 3 every row is predicted as 3, so 2 of these 4 labels are right (0.5): "
        "predict from forward(images, W, b), bias included"
    )


@test_case(points=1, hidden=True)
def test_values_against_reference(accuracy, rng):
    from autograder.testing import check_scalar
    from assignment import solution as ref

    images = rng.uniform(size=(200, 784))
    W, b = rng.normal(scale=0.05, size=(784, 10)), rng.normal(scale=0.1, size=10)
    labels = np.eye(10)[rng.integers(0, 10, size=200)]
    got = check_scalar(accuracy(W, b, images, labels), "accuracy(W, b, images, labels)")
    want = ref.accuracy(W, b, images, labels)
    assert abs(got - want) < 1e-12, (
        "accuracy should be the fraction (in [0, 1]) of rows whose most probable class is the label (if "
        "forward or softmax fails its own tests, fix it first)"
    )


@test_case(points=1, hidden=True)
def test_the_bias_changes_predictions(accuracy, rng):
    from autograder.testing import check_scalar
    from assignment import solution as ref

    # Weights and biases of the same scale, labels the reference's predictions: accuracy is 1.0,
    # and about half the rows are predicted otherwise when b is left out of the logits.
    images = rng.uniform(size=(200, 784))
    W, b = rng.normal(scale=0.05, size=(784, 10)), rng.normal(scale=1.0, size=10)
    labels = np.eye(10)[np.argmax(ref.forward(images, W, b), axis=1)]
    got = check_scalar(accuracy(W, b, images, labels), "accuracy(W, b, images, labels)")
    assert abs(got - 1.0) < 1e-12, (
        f"accuracy is {got:.3f} where every label is the class of highest probability of softmax(images @ W + b), "
        "so 1.0 was expected: predict with the bias (images @ W + b), not images @ W alone"
    )

