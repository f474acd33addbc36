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
def test_small_example_in_passengers(evaluate_rmse, torch):
    # A linear model that forecasts the last month of each window (weights [0, 1], bias 0).
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(2, 1))
    with torch.no_grad():
        model[1].weight.copy_(torch.tensor([[0.0, 1.0]]))
        model[1].bias.zero_()
    X = torch.tensor([[[0.0], [0.5]], [[0.5], [1.0]]])
    y = torch.tensor([[1.0], [1.0]])
    value = evaluate_rmse(model, X, y, (100.0, 300.0))
    assert abs(value - (100.0**2 / 2) ** 0.5) < 1e-4, (
        f"scaled forecasts 0.5 and 1.0 are 200 and 300 passengers, the targets 1.0 and 1.0 are 300 and 300: the RMSE is "
        f"70.71 passengers, got {value:.4g}: bring both the forecasts and the targets back to passengers with "
        "inverse_scale before rmse (an RMSE on scaled values is smaller by the factor data_max - data_min)"
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
