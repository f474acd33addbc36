import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "predict"


@test_case(points=1, hidden=False)
def test_shape_and_eval_mode(predict, LinearRegressionModel, torch):
    preds = predict(LinearRegressionModel(), torch.zeros(7, 1))
    assert isinstance(preds, torch.Tensor) and preds.shape == (7, 1), "predictions for an (N, 1) input are (N, 1)"
    model = LinearRegressionModel()
    model.train()
    predict(model, torch.zeros(3, 1))
    assert model.training is False, (
        "a model handed to predict in training mode is still in training mode afterwards: call model.eval() before "
        "predicting (dropout off, batch norm with its running statistics)"
    )


@test_case(points=2, hidden=True)
def test_matches_reference_architecture_on_device(predict, LinearRegressionModel, device, rng):
    """The model is moved to the grading machine's device (the GPU when there is one); X stays on the CPU."""
    from assignment.grading import contract_state, load_contract_state
    from assignment import solution as ref

    w, b = (float(v) for v in rng.normal(size=2))
    model = LinearRegressionModel()
    load_contract_state(model, {"weights": torch.tensor([w]), "bias": torch.tensor([b])})
    model.to(device)
    X = torch.from_numpy(rng.uniform(-1.0, 2.0, size=(23, 1)).astype("float32"))
    preds = predict(model, X)
    assert isinstance(preds, torch.Tensor) and tuple(preds.shape) == (23, 1), "predict(model, X) for X of shape (23, 1) should be (23, 1)"
    reference = ref.LinearRegressionModel()
    reference.load_state_dict(contract_state(model))
    assert torch.allclose(preds, ref.predict(reference, X), rtol=1e-6, atol=1e-6), (
        "predict(model, X) should return the model's predictions for X (moved to the device of the model's "
        "parameters), not for other data"
    )


@test_case(points=1, hidden=True)
def test_predicts_in_evaluation_mode(predict, rng):
    """A grader-made network with batch norm (autograder.testing.BATCHNORM_NET, one input, one output),
    handed to predict in training mode: its predictions must be those of the network in evaluation
    mode, computed here."""
    from autograder.testing import train_mode_twin

    model, local = train_mode_twin(predict, 1, 1, int(rng.integers(2**31)))
    X = torch.from_numpy(rng.uniform(-1.0, 2.0, size=(23, 1)).astype("float32"))
    preds = predict(model, X)
    with torch.no_grad():
        want = local(X)
    ok = isinstance(preds, torch.Tensor) and tuple(preds.shape) == (23, 1)
    assert ok and torch.allclose(preds, want, rtol=1e-6, atol=1e-6), (
        "for a network with batch normalisation handed over in training mode, predict's outputs are not those of the "
        "network in evaluation mode: call model.eval() before predicting (dropout off, batch norm with its running "
        "statistics), as the notebook says"
    )

