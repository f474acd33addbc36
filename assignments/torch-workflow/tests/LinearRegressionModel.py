import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "LinearRegressionModel"


@test_case(points=1, hidden=False)
def test_parameters_initialisation_and_forward(LinearRegressionModel, torch):
    model = LinearRegressionModel()
    state = model.state_dict()
    assert sorted(state) == ["bias", "weights"], "the state_dict should hold exactly 'weights' and 'bias'"
    assert state["weights"].shape == (1,) and state["bias"].shape == (1,), "weights and bias should have shape (1,)"
    # 40 draws from a standard normal are all the same, or none is negative, with a chance of about 1e-12.
    draws = [v.item() for _ in range(20) for v in LinearRegressionModel().state_dict().values()]
    assert len(set(draws)) > 1 and min(draws) < 0, (
        f"the weights and biases of 20 new models are all {'the same' if len(set(draws)) == 1 else 'non-negative'}: "
        "initialise them at random from a standard normal with torch.randn (about half negative), not torch.zeros "
        "or torch.rand (uniform on [0, 1))"
    )
    assert model(torch.zeros(5, 1)).shape == (5, 1), "forward of an (N, 1) input should be (N, 1)"
    model.load_state_dict({"weights": torch.tensor([2.0]), "bias": torch.tensor([1.0])})
    out = model(torch.tensor([[0.0], [1.0], [3.0]]))
    assert out.detach().flatten().tolist() == [1.0, 3.0, 7.0], (
        "with weights 2 and bias 1, forward of x = 0, 1, 3 should be 1, 3, 7: return self.weights * x + self.bias"
    )


@test_case(points=1, hidden=True)
def test_state_dict_names_shapes_and_dtype(LinearRegressionModel):
    state = LinearRegressionModel().state_dict()
    assert isinstance(state, dict) and sorted(state) == ["bias", "weights"], (
        "model.state_dict() should hold exactly two entries, 'weights' and 'bias': make them nn.Parameter attributes "
        "self.weights and self.bias"
    )
    for key in ("weights", "bias"):
        value = state[key]
        assert isinstance(value, torch.Tensor) and tuple(value.shape) == (1,), f"{key} should be a tensor of shape (1,)"
        assert value.dtype == torch.float32, f"{key} should be float32, got {value.dtype}"


@test_case(points=1, hidden=True)
def test_parameters_are_initialised_at_random(LinearRegressionModel):
    from assignment.grading import contract_state
    first, second = contract_state(LinearRegressionModel()), contract_state(LinearRegressionModel())
    assert isinstance(first, dict) and sorted(first) == ["bias", "weights"], "the state_dict should hold 'weights' and 'bias'"
    assert first["weights"].item() != second["weights"].item() and first["bias"].item() != second["bias"].item(), (
        "two new models have the same parameters: initialise weights and bias at random with torch.randn"
    )
    # The distribution, from 100 models (200 draws): a standard normal has about half its draws
    # negative and a spread near 1; torch.rand (uniform on [0, 1)) has none negative, spread 0.29.
    # For torch.randn, a negative share outside [0.3, 0.7] or a standard deviation outside [0.7, 1.3]
    # is more than 5 standard errors away: about 1e-7.
    draws = []
    for _ in range(100):
        state = contract_state(LinearRegressionModel())
        draws += [float(state["weights"].reshape(-1)[0]), float(state["bias"].reshape(-1)[0])]
    draws = np.array(draws)
    negative, spread = float(np.mean(draws < 0)), float(np.std(draws))
    assert 0.3 <= negative <= 0.7 and 0.7 <= spread <= 1.3, (
        f"over 100 new models, {negative:.0%} of the initial weights and biases are negative and their standard "
        f"deviation is {spread:.2f}: draw them from a standard normal (torch.randn, about half negative, standard "
        "deviation 1), not torch.rand (uniform on [0, 1), never negative)"
    )


@test_case(points=2, hidden=True)
def test_forward_values(LinearRegressionModel, rng):
    from assignment.grading import load_contract_state
    w, b = (float(v) for v in rng.normal(size=2))
    model = LinearRegressionModel()
    load_contract_state(model, {"weights": torch.tensor([w]), "bias": torch.tensor([b])})
    X = torch.from_numpy(rng.normal(size=(20, 1)).astype("float32"))
    out = model(X)
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (20, 1), "model(X) for X of shape (20, 1) should be (20, 1)"
    assert torch.allclose(out, torch.tensor([w]) * X + torch.tensor([b]), rtol=1e-6, atol=1e-6), (
        "forward(x) should return self.weights * x + self.bias"
    )
