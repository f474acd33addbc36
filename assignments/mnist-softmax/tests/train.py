import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "train"

PASS_MARK = 0.91
"""Test accuracy (fraction) the student's trained W, b must reach on the 10,000 MNIST test images.
Calibrated from the reference: 0.9227-0.9237 on seeds 0-4 with the same budget."""

TRAIN_BUDGET_S = 180
"""Seconds the student's train() may take on the 60,000 training images (the reference: about 10 s)."""


@test_case(points=1, hidden=False)
def test_returns_shapes(train, np):
    rng = np.random.default_rng(0)
    images, labels = rng.uniform(size=(40, 784)), np.eye(10)[rng.integers(0, 10, size=40)]
    result = train(images, labels, epochs=1, lr=0.1, batch_size=20, seed=0)
    assert isinstance(result, tuple) and len(result) == 2, "train should return a tuple (W, b)"
    assert np.shape(result[0]) == (784, 10) and np.shape(result[1]) == (10,), "W should be (784, 10), b (10,)"
    runs = [train(images, labels, epochs=1, lr=0.5, batch_size=5, seed=s)[1] for s in (1, 1, 2)]
    assert np.allclose(runs[0], runs[1]), (
        "train with the same seed should give the same weights: shuffle with rng = np.random.default_rng(seed)"
    )
    assert not np.allclose(runs[0], runs[2]), (
        "train with seed=1 and seed=2 gives the same weights: shuffle with np.random.default_rng(seed), not a fixed seed"
    )
    # a worked example: one epoch with batch_size = N from W = 0, b = 0 is one SGD step, W = -lr * gradW(0)
    images = np.zeros((2, 784))
    images[0, 0] = images[1, 1] = 1.0
    labels = np.eye(10)[[0, 1]]
    W, b = train(images, labels, epochs=1, lr=0.5, batch_size=2, seed=0)
    want_b = -0.5 * np.array([-0.4, -0.4] + [0.1] * 8)
    assert np.allclose(b, want_b), (
        f"after one step with lr = 0.5 from zero, b should be {want_b}, got {np.round(b, 3)}: start from "
        "zeros and step by -lr * gradient"
    )
    assert np.allclose(np.asarray(W)[0], -0.5 * np.array([-0.45] + [0.05] * 9)), "W[0] should be -lr * gradW[0] after one step"


@test_case(points=2, hidden=True)
def test_one_full_batch_step_from_zero(train, rng):
    """With batch_size = N and one epoch, train is one SGD step from zero: W = -lr * gradW(0)."""
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    images, labels = rng.uniform(size=(25, 784)), np.eye(10)[rng.integers(0, 10, size=25)]
    result = train(images, labels, epochs=1, lr=0.5, batch_size=25, seed=3)
    assert isinstance(result, tuple) and len(result) == 2, "train should return a tuple (W, b)"
    want_W, want_b = ref.train(images, labels, epochs=1, lr=0.5, batch_size=25, seed=3)
    W = check_array(result[0], want_W.shape, "W")
    assert np.any(W != 0), (
        "after one epoch with batch_size = N, W is still all zeros: no step was taken. With one minibatch starting at 0, "
        "loop over range(0, N, batch_size) so that the last (here the only) minibatch is not skipped"
    )
    for what, got, want in (("W", result[0], want_W), ("b", result[1], want_b)):
        err = rel_error(check_array(got, want.shape, what), want)
        assert err < 1e-6, (
            f"after one full-batch SGD step from zero initialisation, {what} differs from the expected "
            f"values (relative error {err:.1e}): check the initialisation, the update and the learning rate"
        )


@test_case(points=1, hidden=True)
def test_seed_decides_the_shuffle(train, rng):
    """Two runs with one seed give the same W; two seeds shuffle differently, so W differs."""
    from autograder.testing import check_array

    images, labels = rng.uniform(size=(40, 784)), np.eye(10)[rng.integers(0, 10, size=40)]
    runs = {}
    for name, seed in (("first", 1), ("again", 1), ("other", 2)):
        result = train(images, labels, epochs=2, lr=0.5, batch_size=8, seed=seed)
        assert isinstance(result, tuple) and len(result) == 2, "train should return a tuple (W, b)"
        runs[name] = check_array(result[0], (784, 10), "W")
    assert np.array_equal(runs["first"], runs["again"]), (
        "two calls of train with the same seed returned different W: draw the per-epoch shuffle from a generator "
        "seeded with seed (np.random.default_rng(seed)), not from the global random state"
    )
    assert not np.allclose(runs["first"], runs["other"], rtol=0, atol=1e-12), (
        "train with seed=1 and seed=2 returned the same W with batch_size < N: the seed must decide the order of "
        "the minibatches (np.random.default_rng(seed)); a fixed seed or no shuffle ignores it"
    )


@test_case(points=4, hidden=True)
def test_mnist_test_accuracy(train, mnist):
    """The grader trains your model on the MNIST training set and evaluates it on the test set."""
    from autograder.testing import report
    from autograder.testing import check_array, show_confusion_matrix, with_timeout
    from assignment import solution as ref
    from autograder.datasets import one_hot

    result = with_timeout(train, TRAIN_BUDGET_S)(mnist.train.images, one_hot(mnist.train.labels))
    assert isinstance(result, tuple) and len(result) == 2, "train should return a tuple (W, b)"
    W, b = check_array(result[0], (784, 10), "W"), check_array(result[1], (10,), "b")
    test_images = mnist.test.images.astype(np.float64)
    acc = ref.accuracy(W, b, test_images, one_hot(mnist.test.labels))
    train_images = mnist.train.images.astype(np.float64)  # the test labels are secret: no picture of them
    show_confusion_matrix(mnist.train.labels, np.argmax(train_images @ W + b, axis=1), 10,
                          title="Your trained W, b on the MNIST training set", labels_secret=mnist.train.labels_secret)
    report(f"Test accuracy of your trained model: {acc:.4f} (pass mark {PASS_MARK}).")
    assert acc >= PASS_MARK, f"test accuracy of your trained model is {acc:.4f}; the pass mark is {PASS_MARK}"

