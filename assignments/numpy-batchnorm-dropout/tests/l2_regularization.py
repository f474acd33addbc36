import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "l2_regularization"


@test_case(points=1, hidden=False)
def test_small_example(l2_regularization, np):
    result = l2_regularization(np.ones((2, 3)), 2.0)
    assert isinstance(result, tuple) and len(result) == 2, "l2_regularization should return a tuple (loss, dW)"
    loss, dW = result
    assert np.ndim(loss) == 0, "loss should be a single number"
    assert np.isclose(float(loss), 6.0), "loss is 0.5 * reg * sum(W ** 2): 0.5 * 2 * 6 = 6 here"
    assert np.shape(dW) == (2, 3), "dW should have the shape of W"


@test_case(points=1, hidden=True)
def test_loss_against_reference(l2_regularization, rng):
    from autograder.testing import check_scalar, rel_error
    from assignment import solution as ref

    W, reg = rng.normal(size=(30, 20)), float(rng.uniform(0.1, 2.0))
    result = l2_regularization(W.copy(), reg)
    assert isinstance(result, tuple) and len(result) == 2, "l2_regularization should return a tuple (loss, dW)"
    loss = check_scalar(result[0], "loss")
    err = rel_error(loss, ref.l2_regularization(W, reg)[0])
    assert err < 1e-10, f"the loss differs from the reference (relative error {err:.1e}): loss = 0.5 * reg * sum(W ** 2)"


@test_case(points=1, hidden=True)
def test_gradient(l2_regularization, rng):
    """dW against the reference and against centered differences of your own loss."""
    from autograder.testing import check_array, eval_numerical_gradient_at, rel_error, sample_indices
    from assignment import solution as ref

    W, reg = rng.normal(size=(30, 20)), float(rng.uniform(0.1, 2.0))
    result = l2_regularization(W.copy(), reg)
    assert isinstance(result, tuple) and len(result) == 2, "l2_regularization should return a tuple (loss, dW)"
    dW = check_array(result[1], W.shape, "dW")
    err = rel_error(dW, ref.l2_regularization(W, reg)[1])
    assert err < 1e-10, f"dW differs from the gradient of 0.5 * reg * sum(W ** 2) (relative error {err:.1e})"
    idx = sample_indices(W.shape, 8, rng)
    numeric = eval_numerical_gradient_at(lambda W_: float(l2_regularization(W_, reg)[0]), W, idx)
    err = rel_error(np.array([dW[i] for i in idx]), numeric)
    assert err < 1e-7, f"dW does not match centered differences of your loss (relative error {err:.1e}, threshold 1e-7)"
