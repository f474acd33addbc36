import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "predict_multiclass"


@test_case(points=1, hidden=False)
def test_labels_shape_and_values(predict_multiclass, ClassificationModel, torch):
    model = ClassificationModel(2, 3, 10)
    model.train()
    preds = predict_multiclass(model, torch.randn(7, 2))
    assert not model.training, (
        "predict_multiclass left the model in training mode: call model.eval() before predicting (dropout off, "
        "batch norm with its running statistics)"
    )
    assert isinstance(preds, torch.Tensor) and tuple(preds.shape) == (7,), (
        "one predicted class per row: shape (N,); take the argmax over the classes, dim=1 (dim=0 runs over the samples)"
    )
    assert preds.dtype == torch.int64, "the predicted classes should be int64"
    assert set(preds.tolist()) <= {0, 1, 2}, "the predicted classes of a 3-class model are 0, 1 or 2"


@test_case(points=2, hidden=True)
def test_matches_reference_on_device(predict_multiclass, ClassificationModel, device, rng):
    """The model is moved to the grading machine's device (the GPU when there is one); X stays on the CPU."""
    from assignment import solution as ref

    classes = int(rng.integers(3, 6))
    state = {k: torch.from_numpy(rng.normal(scale=2.0, size=tuple(v.shape)).astype("float32"))
             for k, v in ref.ClassificationModel(2, classes, 10).state_dict().items()}
    model = ClassificationModel(2, classes, 10)
    model.load_state_dict(state)
    model.to(device)
    X = torch.from_numpy(rng.normal(size=(40, 2)).astype("float32"))
    preds = predict_multiclass(model, X)
    got_shape = tuple(preds.shape) if isinstance(preds, torch.Tensor) else type(preds).__name__
    assert isinstance(preds, torch.Tensor) and tuple(preds.shape) == (40,), (
        f"predict_multiclass(model, X) for X of shape (40, 2) and a {classes}-class model should return 40 class "
        f"indices, shape (40,), got {got_shape}: take the argmax over the classes, dim=1 (dim=0 runs over the samples)"
    )
    assert preds.dtype == torch.int64, f"the predicted classes should be int64, got {preds.dtype}"
    reference = ref.ClassificationModel(2, classes, 10)
    reference.load_state_dict(state)
    want = ref.predict_multiclass(reference, X)
    assert torch.equal(preds, want), (
        "predict_multiclass(model, X) should return, for each row of X, the class of the largest logit "
        "(torch.softmax(logits, dim=1).argmax(dim=1))"
    )


@test_case(points=1, hidden=True)
def test_predicts_in_evaluation_mode(predict_multiclass, rng):
    """A grader-made network with batch norm (autograder.testing.BATCHNORM_NET, 4 logit(s)), handed to
    predict_multiclass in training mode: its labels must be those of the network in evaluation mode, computed here."""
    from autograder.testing import train_mode_twin

    model, local = train_mode_twin(predict_multiclass, 2, 4, int(rng.integers(2**31)))
    X = torch.from_numpy(rng.normal(size=(60, 2)).astype("float32"))
    labels = predict_multiclass(model, X)
    with torch.no_grad():
        logits = local(X)
    want, clear = logits.argmax(dim=1), (logits.topk(2, dim=1).values[:, 0] - logits.topk(2, dim=1).values[:, 1]) > 1e-3
    ok = isinstance(labels, torch.Tensor) and tuple(labels.shape) == (60,)
    assert ok and torch.equal(labels[clear].long(), want[clear]), (
        "for a network with batch normalisation handed over in training mode, predict_multiclass's labels are not those of "
        "the network in evaluation mode: call model.eval() before predicting (dropout off, batch norm with its running "
        "statistics), as the notebook says"
    )

