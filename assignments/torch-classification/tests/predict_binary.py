import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "predict_binary"


@test_case(points=1, hidden=False)
def test_labels_shape_and_values(predict_binary, ClassificationModel, torch):
    model = ClassificationModel(2, 1, 10)
    model.train()
    preds = predict_binary(model, torch.randn(7, 2))
    assert not model.training, (
        "predict_binary left the model in training mode: call model.eval() before predicting (dropout off, batch "
        "norm with its running statistics)"
    )
    assert isinstance(preds, torch.Tensor) and tuple(preds.shape) == (7,), "predictions for an (N, 2) input are (N,)"
    assert preds.dtype == torch.int64, "the predicted labels should be int64 (.long())"
    assert set(preds.tolist()) <= {0, 1}, "the predicted labels should be 0s and 1s"
    far = predict_binary(ClassificationModel(2, 1, 10), 1000 * torch.randn(7, 2))
    assert set(far.tolist()) <= {0, 1}, (
        f"for inputs far from 0 the labels were {far.tolist()}: round torch.sigmoid(logits), not the logits"
    )


@test_case(points=2, hidden=True)
def test_matches_reference_on_device(predict_binary, ClassificationModel, device, rng):
    """The model is moved to the grading machine's device (the GPU when there is one); X stays on the CPU."""
    from assignment import solution as ref

    state = {k: torch.from_numpy(rng.normal(scale=2.0, size=tuple(v.shape)).astype("float32"))
             for k, v in ref.ClassificationModel(2, 1, 10).state_dict().items()}
    X = torch.from_numpy(rng.normal(size=(50, 2)).astype("float32"))
    reference = ref.ClassificationModel(2, 1, 10)
    reference.load_state_dict(state)
    with torch.no_grad():  # shift the logits so that half of them are positive, none near 0
        middle = reference(X).flatten().sort().values[24:26]
    state["layer_3.bias"] -= middle.mean()
    reference.load_state_dict(state)
    model = ClassificationModel(2, 1, 10)
    model.load_state_dict(state)
    model.to(device)
    preds = predict_binary(model, X)
    assert isinstance(preds, torch.Tensor) and tuple(preds.shape) == (50,), (
        "predict_binary(model, X) for X of shape (50, 2) should return 50 labels, shape (50,) (squeeze the logits "
        f"from (N, 1) to (N,)), got {tuple(preds.shape) if isinstance(preds, torch.Tensor) else type(preds).__name__}"
    )
    assert preds.dtype == torch.int64, f"the predicted labels should be int64 (.long()), got {preds.dtype}"
    assert set(preds.tolist()) <= {0, 1}, (
        "predict_binary should return 0s and 1s: turn the logits into probabilities with torch.sigmoid, then round them"
    )
    want = ref.predict_binary(reference, X)
    assert torch.equal(preds, want), (
        "predict_binary(model, X) should predict 1 where torch.sigmoid(logits) is above 0.5 and 0 elsewhere, for "
        "the model's logits of X"
    )


@test_case(points=1, hidden=True)
def test_predicts_in_evaluation_mode(predict_binary, rng):
    """A grader-made network with batch norm (autograder.testing.BATCHNORM_NET, 1 logit(s)), handed to
    predict_binary in training mode: its labels must be those of the network in evaluation mode, computed here."""
    from autograder.testing import train_mode_twin

    model, local = train_mode_twin(predict_binary, 2, 1, int(rng.integers(2**31)))
    X = torch.from_numpy(rng.normal(size=(60, 2)).astype("float32"))
    labels = predict_binary(model, X)
    with torch.no_grad():
        logits = local(X)
    want, clear = (logits[:, 0] > 0).long(), logits[:, 0].abs() > 1e-3
    ok = isinstance(labels, torch.Tensor) and tuple(labels.shape) == (60,)
    assert ok and torch.equal(labels[clear].long(), want[clear]), (
        "for a network with batch normalisation handed over in training mode, predict_binary's labels are not those of "
        "the network in evaluation mode: call model.eval() before predicting (dropout off, batch norm with its running "
        "statistics), as the notebook says"
    )

