import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "save_model"


@test_case(points=2, hidden=True)
def test_each_path_holds_its_own_model(save_model, load_model, LinearRegressionModel, device, rng):
    """Two models, one of them on the grading machine's device, saved to two files in the sandbox's
    private /tmp and loaded back; each must predict exactly as its original."""
    import uuid

    from assignment import solution as ref

    X = torch.from_numpy(rng.uniform(-1.0, 2.0, size=(12, 1)).astype("float32"))
    originals = []
    for _ in range(2):
        w, b = (float(v) for v in rng.normal(size=2))
        model = LinearRegressionModel()
        model.load_state_dict({"weights": torch.tensor([w]), "bias": torch.tensor([b])})
        originals.append(model)
    originals[1].to(device)
    paths = [f"/tmp/linear-{uuid.uuid4().hex}.pt" for _ in originals]
    for model, path in zip(originals, paths):
        save_model(model, path)
    for model, path in zip(originals, paths):
        loaded = load_model(path)
        reference = ref.LinearRegressionModel()
        reference.load_state_dict(model.state_dict())
        assert torch.equal(loaded(X), ref.predict(reference, X)), (
            "a model saved with save_model(model, path) and loaded with load_model(path) predicts differently from "
            "the original: save_model should write model.state_dict() to the file path it is given, and load_model "
            "load that file into a new model with load_state_dict"
        )
