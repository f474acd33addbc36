import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "forward"


@test_case(points=1, hidden=False)
def test_zero_weights_give_uniform_probabilities(forward, np):
    images = np.random.default_rng(0).uniform(size=(4, 784))
    probs = forward(images, np.zeros((784, 10)), np.zeros(10))
    assert isinstance(probs, np.ndarray) and probs.shape == (4, 10), "forward should return an (N, 10) array"
    assert np.allclose(probs, 0.1), "with W = 0 and b = 0 every class has probability 0.1"


@test_case(points=2, hidden=True)
def test_values_against_reference(forward, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    images = rng.uniform(size=(50, 784))
    W, b = rng.normal(scale=0.1, size=(784, 10)), rng.normal(size=10)
    probs = check_array(forward(images, W, b), (50, 10), "forward(images, W, b)")
    err = rel_error(probs, ref.forward(images, W, b))
    assert err < 1e-7, (
        f"forward values differ from the reference: relative error {err:.1e} (threshold 1e-7); forward is "
        "softmax(images @ W + b): if softmax fails its own tests, fix it first"
    )
