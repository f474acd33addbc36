import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "predict_binary"


@test_case(points=1, hidden=False)
def test_labels_shape_and_values(predict_binary, ClassificationModel, torch):
    preds = predict_binary(ClassificationModel(2, 1, 10), torch.randn(7, 2))
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
