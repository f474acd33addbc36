import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "save_model"


@test_case(points=2, hidden=True)
def test_each_path_holds_its_own_model(save_model, load_model, LinearRegressionModel, device, rng):
    """Two models, one of them on the grading machine's device, saved to two files in the sandbox's
    private /tmp and loaded back; each must hold exactly its original's parameters (serialisation
    keeps every bit) and predict as the original does. Predictions come from the student's own
    forward and are compared with a float32 tolerance: a fused multiply-add forward
    (``torch.addcmul``) on another device may differ in the last bit, which is not a save/load bug."""
    from assignment.grading import contract_state, load_contract_state
    import uuid

    X = torch.from_numpy(rng.uniform(-1.0, 2.0, size=(12, 1)).astype("float32"))
    originals, expected = [], []
    for _ in range(2):
        w, b = (float(v) for v in rng.normal(size=2))
        model = LinearRegressionModel()
        load_contract_state(model, {"weights": torch.tensor([w]), "bias": torch.tensor([b])})
        originals.append(model)
        expected.append(({"weights": torch.tensor([w]), "bias": torch.tensor([b])}, model(X).detach()))
    originals[1].to(device)
    paths = [f"/tmp/linear-{uuid.uuid4().hex}.pt" for _ in originals]
    for model, path in zip(originals, paths):
        save_model(model, path)
    for (state, predictions), path in zip(expected, paths):
        loaded = load_model(path)
        assert loaded is not None and not isinstance(loaded, dict), (
            "load_model should return the new LinearRegressionModel (not None, not the state_dict itself)"
        )
        held = {k: torch.as_tensor(v).detach().cpu() for k, v in dict(contract_state(loaded)).items()}
        assert sorted(held) == ["bias", "weights"] and all(torch.equal(held[k], state[k]) for k in state), (
            "a model saved with save_model(model, path) and loaded with load_model(path) does not hold the original's "
            "parameters: save_model should write model.state_dict() to the file path it is given, and load_model "
            "load that file into a new LinearRegressionModel with load_state_dict"
        )
        assert torch.allclose(loaded(X).detach().cpu(), predictions, rtol=1e-6, atol=1e-6), (
            "the loaded model holds the saved parameters but predicts differently from the original: check that "
            "load_model returns the LinearRegressionModel it loaded the state_dict into"
        )
