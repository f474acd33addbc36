import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "AirlineLSTM"


def expected_shapes(H):
    return {
        "lstm.weight_ih_l0": (4 * H, 1),
        "lstm.weight_hh_l0": (4 * H, H),
        "lstm.bias_ih_l0": (4 * H,),
        "lstm.bias_hh_l0": (4 * H,),
        "linear.weight": (1, H),
        "linear.bias": (1,),
    }


def random_state(rng, H):
    """Parameters drawn from U(-0.8, 0.8) (larger than the default initialisation, so that every
    gate matters), as a state_dict of float32 tensors."""
    return {k: torch.from_numpy(rng.uniform(-0.8, 0.8, size=s).astype(np.float32)) for k, s in expected_shapes(H).items()}


@test_case(points=1, hidden=False)
def test_layers_and_output_shape(AirlineLSTM, torch):
    model = AirlineLSTM(hidden_size=4)
    assert sorted(model.state_dict()) == sorted(
        ["lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0", "linear.weight", "linear.bias"]
    ), "the model should hold self.lstm (one nn.LSTM layer) and self.linear (nn.Linear)"
    assert tuple(model(torch.zeros(5, 3, 1)).shape) == (5, 1), "windows of shape (5, 3, 1) give forecasts of shape (5, 1)"


@test_case(points=1, hidden=False)
def test_forecast_reads_the_whole_window(AirlineLSTM, torch):
    windows = torch.zeros(2, 3, 1)
    windows[1, -1, 0] = 1.0  # the two windows differ only in their last month
    with torch.no_grad():
        forecasts = AirlineLSTM(hidden_size=4)(windows)
    assert not torch.equal(forecasts[0], forecasts[1]), (
        "two windows that differ only in their last month get the same forecast: apply self.linear to the LSTM's "
        "output at the last time step, out[:, -1, :] (the state after reading the whole window), not the first"
    )


@test_case(points=2, hidden=True)
def test_state_dict_names_and_shapes(AirlineLSTM, rng):
    H = int(rng.choice([3, 5, 7]))
    state = AirlineLSTM(hidden_size=H).state_dict()
    want = expected_shapes(H)
    assert isinstance(state, dict) and sorted(state) == sorted(want), (
        f"AirlineLSTM(hidden_size={H}).state_dict() should hold {sorted(want)}: self.lstm = nn.LSTM(input_size=1, "
        "hidden_size=hidden_size, batch_first=True) and self.linear = nn.Linear(hidden_size, 1), nothing else"
    )
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    assert shapes == want, (
        f"with hidden_size={H} the parameters should have the shapes {want}, got {shapes}: one input feature, "
        "hidden_size units, one output"
    )


@test_case(points=3, hidden=True)
def test_forward_against_reference(AirlineLSTM, rng):
    from autograder.testing import check_tensor
    from assignment import solution as ref

    H, N, look_back = 4, int(rng.integers(5, 12)), int(rng.choice([3, 5]))
    state = random_state(rng, H)
    model = AirlineLSTM(hidden_size=H)
    model.load_state_dict(state)
    X = torch.from_numpy(rng.uniform(0.0, 1.5, size=(N, look_back, 1)).astype(np.float32))
    out = check_tensor(model(X), (N, 1), f"model(X) for windows X of shape ({N}, {look_back}, 1)")
    reference = ref.AirlineLSTM(H)
    reference.load_state_dict(state)
    with torch.no_grad():
        want = reference(X).double()
        first_step = reference.linear(reference.lstm(X)[0][:, 0, :]).double()
    assert not torch.allclose(out, first_step, rtol=1e-4, atol=1e-5), (
        "the forecast uses the LSTM's output at the first time step: apply self.linear to the output at the last time "
        "step, out[:, -1, :], the state after reading the whole window"
    )
    assert torch.allclose(out, want, rtol=1e-4, atol=1e-5), (
        "forward(x) differs from self.linear applied to the LSTM's output at the last time step: x is "
        "(N, look_back, 1), batch first (batch_first=True), and the LSTM starts from a zero state"
    )
