import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "load_model"


@test_case(points=1, hidden=False)
def test_round_trip(save_model, load_model, LinearRegressionModel, torch):
    model = LinearRegressionModel()
    save_model(model, "round_trip_model.pt")
    loaded = load_model("round_trip_model.pt")
    X = torch.arange(0.0, 1.0, 0.25).unsqueeze(1)
    assert torch.equal(loaded(X), model(X)), "the loaded model should predict exactly as the saved one"


@test_case(points=2, hidden=True)
def test_loaded_model_predicts_identically(save_model, load_model, LinearRegressionModel, rng):
    from assignment.grading import contract_state, load_contract_state
    import uuid

    w, b = (float(v) for v in rng.normal(size=2))
    model = LinearRegressionModel()
    load_contract_state(model, {"weights": torch.tensor([w]), "bias": torch.tensor([b])})
    path = f"/tmp/linear-{uuid.uuid4().hex}.pt"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded is not None and not isinstance(loaded, dict), (
        "load_model should return the new LinearRegressionModel (not None, not the state_dict itself)"
    )
    state = contract_state(loaded)
    assert isinstance(state, dict) and sorted(state) == ["bias", "weights"], "the loaded model's state_dict should hold 'weights' and 'bias'"
    assert torch.equal(state["weights"], torch.tensor([w])) and torch.equal(state["bias"], torch.tensor([b])), (
        "the model load_model returns does not hold the saved parameters: call model.load_state_dict(torch.load(path)) "
        "on the new model"
    )
    X = torch.from_numpy(rng.uniform(-1.0, 2.0, size=(12, 1)).astype("float32"))
    assert torch.equal(loaded(X), model(X)), "the loaded model should predict exactly as the saved one"
