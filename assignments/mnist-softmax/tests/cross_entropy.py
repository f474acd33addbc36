import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "cross_entropy"


@test_case(points=1, hidden=False)
def test_uniform_prediction(cross_entropy, np):
    probs = np.full((3, 10), 0.1)
    labels = np.eye(10)[[0, 4, 9]]
    loss = cross_entropy(probs, labels)
    assert np.ndim(loss) == 0, "cross_entropy should return a single number"
    assert np.isclose(float(loss), np.log(10)), "a uniform prediction over 10 classes has loss log(10)"


@test_case(points=2, hidden=True)
def test_values_against_reference(cross_entropy, rng):
    from autograder.testing import check_scalar, rel_error
    from assignment import solution as ref

    probs = ref.softmax(rng.normal(scale=2.0, size=(40, 10)))
    labels = np.eye(10)[rng.integers(0, 10, size=40)]
    loss = check_scalar(cross_entropy(probs, labels), "cross_entropy(probs, labels)")
    err = rel_error(loss, ref.cross_entropy(probs, labels))
    assert err < 1e-7, f"the loss differs from the reference (mean over the batch?): relative error {err:.1e}"

