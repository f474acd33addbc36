import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "rmse"


@test_case(points=1, hidden=False)
def test_small_example(rmse, np):
    value = rmse(np.array([0.0, 0.0]), np.array([3.0, 4.0]))
    assert abs(value - 12.5**0.5) < 1e-9, "errors 3 and 4: sqrt((9 + 16) / 2) = 3.5355"


@test_case(points=2, hidden=True)
def test_root_mean_squared_error(rmse, rng):
    from autograder.testing import check_scalar

    y_true = rng.uniform(100, 600, size=(25, 1))
    y_pred = y_true + rng.normal(scale=40.0, size=(25, 1))
    got = check_scalar(rmse(y_true, y_pred), "rmse(y_true, y_pred)")
    mse = float(np.mean((y_true - y_pred) ** 2))
    assert not abs(got - mse) < 1e-6 * mse, (
        "rmse returned the mean squared error: take its square root, so that the error is in the units of the data"
    )
    assert abs(got - mse**0.5) < 1e-6 * mse**0.5, "rmse(y_true, y_pred) should be sqrt(mean((y_true - y_pred) ** 2)) (the square root of the mean)"
    tensors = check_scalar(rmse(torch.from_numpy(y_true), torch.from_numpy(y_pred)), "rmse of two CPU tensors")
    assert abs(tensors - mse**0.5) < 1e-6 * mse**0.5, "rmse should accept CPU tensors as well as numpy arrays"
