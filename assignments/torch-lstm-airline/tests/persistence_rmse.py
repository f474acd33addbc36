import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "persistence_rmse"


@test_case(points=1, hidden=False)
def test_small_example(persistence_rmse, torch):
    X = torch.tensor([[[0.0], [0.5]], [[0.5], [1.0]]])
    y = torch.tensor([[1.0], [1.0]])
    value = persistence_rmse(X, y, (100.0, 300.0))
    assert abs(value - (100.0**2 / 2) ** 0.5) < 1e-6, "forecasts 0.5 and 1.0 for targets 1.0 and 1.0: RMSE 70.71 passengers"


@test_case(points=2, hidden=True)
def test_last_month_of_the_window(persistence_rmse, rng):
    from autograder.testing import check_scalar
    from assignment import solution as ref

    scaler = (float(rng.uniform(80, 130)), float(rng.uniform(350, 450)))
    X = torch.from_numpy(rng.uniform(0.0, 1.6, size=(30, 3, 1)).astype(np.float32))
    y = torch.from_numpy(rng.uniform(0.0, 1.6, size=(30, 1)).astype(np.float32))
    got = check_scalar(persistence_rmse(X, y, scaler), "persistence_rmse(X, y, scaler)")
    want = ref.persistence_rmse(X, y, scaler)
    assert abs(got - want) < 1e-4 * want, (
        "persistence_rmse should forecast y[i] by X[i, -1, 0], the last month of the window, and return the rmse of "
        "forecasts and targets both brought back to passengers with inverse_scale(..., *scaler)"
    )
