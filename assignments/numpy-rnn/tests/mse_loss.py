import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "mse_loss"


@test_case(points=1, hidden=False)
def test_small_example(mse_loss, np):
    pred = np.array([[[1.0], [2.0]], [[0.5], [-1.0]]])
    y = np.array([[[0.0], [2.0]], [[1.5], [1.0]]])
    result = mse_loss(pred, y)
    assert isinstance(result, tuple) and len(result) == 2, "mse_loss should return a tuple (loss, dpred)"
    loss, dpred = result
    assert np.ndim(loss) == 0, "the loss should be a single number"
    assert np.isclose(float(loss), 1.5), "the loss is wrong for this example: the mean of (pred - y) ** 2 over all 4 entries"
    assert np.shape(dpred) == pred.shape, "dpred should have the shape of pred"
    assert np.allclose(dpred, np.array([[[0.5], [0.0]], [[-0.5], [-1.0]]])), "dpred is wrong for this example"


@test_case(points=2, hidden=True)
def test_values_against_reference(mse_loss, rng):
    from autograder.testing import check_array, check_scalar, rel_error
    from assignment import solution as ref

    pred, y = rng.normal(size=(3, 7, 2)), rng.normal(size=(3, 7, 2))
    result = mse_loss(pred, y)
    assert isinstance(result, tuple) and len(result) == 2, "mse_loss should return a tuple (loss, dpred)"
    want_loss, want_dpred = ref.mse_loss(pred, y)
    err = rel_error(check_scalar(result[0], "the loss"), want_loss)
    assert err < 1e-9, (
        f"the loss differs from mean((pred - y) ** 2) (relative error {err:.1e}): average over every entry of pred "
        "(all sequences, steps and outputs), with no factor 1/2"
    )
    err = rel_error(check_array(result[1], pred.shape, "dpred"), want_dpred)
    assert err < 1e-9, (
        f"dpred differs from the gradient of the loss (relative error {err:.1e}): the derivative of "
        "mean((pred - y) ** 2) is 2 * (pred - y) / pred.size"
    )
