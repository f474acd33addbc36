import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "evaluate_rmse"


@test_case(points=1, hidden=False)
def test_returns_a_number(evaluate_rmse, AirlineLSTM, torch):
    X, y = torch.rand(10, 3, 1), torch.rand(10, 1)
    value = evaluate_rmse(AirlineLSTM(), X, y, (104.0, 413.0))
    assert isinstance(value, float) and value >= 0.0, "evaluate_rmse should return the RMSE as a Python float"


@test_case(points=1, hidden=False)
def test_small_example_in_passengers(evaluate_rmse, AirlineLSTM, torch):
    model = AirlineLSTM(4)
    weights = model.state_dict()
    weights["linear.weight"] = torch.zeros_like(weights["linear.weight"])
    weights["linear.bias"] = torch.full_like(weights["linear.bias"], 0.5)
    model.load_state_dict(weights)  # forecasts 0.5 for every window
    X, y = torch.rand(2, 3, 1), torch.tensor([[1.0], [0.0]])
    value = evaluate_rmse(model, X, y, (100.0, 300.0))
    assert abs(value - 100.0) < 1e-3, (
        f"forecasts of 0.5 (200 passengers) for targets 1.0 and 0.0 (300 and 100 passengers) have an RMSE of 100 "
        f"passengers, got {value:.4g}: bring both the forecasts and the targets back to passengers with inverse_scale "
        "before rmse (an RMSE on scaled values is smaller by the factor data_max - data_min)"
    )


@test_case(points=3, hidden=True)
def test_rmse_in_passengers(evaluate_rmse, AirlineLSTM, rng):
    from autograder.testing import check_scalar
    from assignment import solution as ref

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(rng.integers(2**31)))
        reference = ref.AirlineLSTM(4)
    model = AirlineLSTM(4)
    model.load_state_dict(reference.state_dict())
    scaler = (float(rng.uniform(80, 130)), float(rng.uniform(350, 450)))
    X = torch.from_numpy(rng.uniform(0.0, 1.6, size=(30, 3, 1)).astype(np.float32))
    y = torch.from_numpy(rng.uniform(0.0, 1.6, size=(30, 1)).astype(np.float32))
    got = check_scalar(evaluate_rmse(model, X, y, scaler), "evaluate_rmse(model, X, y, scaler)")
    want = ref.evaluate_rmse(reference, X, y, scaler)
    scaled = ref.rmse(y.numpy(), ref.predict(reference, X).numpy())
    assert not abs(got - scaled) < 1e-4 * scaled, (
        "evaluate_rmse returned the RMSE of the scaled values, smaller by the factor data_max - data_min: bring the "
        "forecasts and the targets back to passengers with inverse_scale(..., *scaler) before the rmse"
    )
    assert abs(got - want) < 1e-4 * want, (
        "evaluate_rmse differs from the RMSE in passengers of the model's forecasts: predict(model, X), then bring the "
        "forecasts and the targets back to passengers with inverse_scale(..., *scaler), then rmse (if predict, "
        "inverse_scale or rmse fail their own tests, fix them first)"
    )
