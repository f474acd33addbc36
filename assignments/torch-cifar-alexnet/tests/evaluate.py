import torch
from otter.test_files import test_case

from assignment.grading import student_model

OK_FORMAT = False
name = "evaluate"

MIN_MARGIN = 0.02
"""The test's images are chosen so that, in evaluation mode, the largest logit exceeds the second
by at least this fraction of the largest absolute logit: rounding (float32 in another order, or
TF32 on a GPU, about 1e-3) cannot change a prediction, so the expected accuracy is exact. With
dropout left on, 27% to 82% of the predictions change (20 seeds), and the accuracy with them."""


def labelled_images(rng, state, n):
    """``n`` images with clear predictions under ``state`` (eval mode), labels of which a random
    number k are the prediction, and k / n, the accuracy evaluate must find."""
    from assignment.solution import AlexNetCIFAR
    from assignment.grading import random_images

    model = AlexNetCIFAR()
    model.load_state_dict(state)
    model.eval()
    x = random_images(rng, 3 * n)
    with torch.no_grad():
        logits = model(x)
    top2 = logits.topk(2, dim=1).values
    clear = ((top2[:, 0] - top2[:, 1]) >= MIN_MARGIN * logits.abs().max(dim=1).values).nonzero().ravel()[:n]
    assert len(clear) == n, "the grader could not draw its test images (please report this)"
    x, predicted = x[clear], logits[clear].argmax(dim=1)
    k = int(rng.integers(n // 4, 3 * n // 4))
    right = torch.zeros(n, dtype=torch.bool)
    right[torch.from_numpy(rng.permutation(n)[:k])] = True
    wrong = (predicted + torch.from_numpy(rng.integers(1, 10, size=n))) % 10
    return x, torch.where(right, predicted, wrong), k / n


@test_case(points=1, hidden=False)
def test_worked_example_in_evaluation_mode(evaluate, AlexNetCIFAR, torch):
    """Every weight and bias zero but the last layer's bias for class 3: every image is predicted 3. The model
    arrives in training mode, as train_epoch leaves it. Labels 3, 3, 0 and then 3, 5: 3 right of 5, 0.6."""
    model = AlexNetCIFAR()
    own = model.state_dict()
    values = [torch.zeros(v.shape) for v in own.values()]
    values[-1][3] = 1.0
    model.load_state_dict(dict(zip(own, values)))
    model.train()
    batches = [(torch.rand(3, 3, 32, 32), torch.tensor([3, 3, 0])), (torch.rand(2, 3, 32, 32), torch.tensor([3, 5]))]
    accuracy = evaluate(model, batches)
    assert isinstance(accuracy, float), f"evaluate should return a Python float, got {type(accuracy).__name__}"
    assert abs(accuracy - 0.6) < 1e-6, (
        f"every image is predicted class 3 and 3 of the 5 labels are 3, so the accuracy is 0.6; evaluate returned "
        f"{accuracy}: count the correct predictions (argmax over dim=1) of every batch, the last, smaller one included, "
        "and divide by the number of images (not a percentage, not a mean of the batches' accuracies)"
    )
    assert model.training is False, (
        "evaluate left the model in training mode, so dropout zeroed random units while it measured: call model.eval() "
        "before predicting"
    )


@test_case(points=3, hidden=True)
def test_accuracy_in_evaluation_mode(evaluate, AlexNetCIFAR, device, rng):
    """Runs on the grading machine's device: the GPU when there is one. The model arrives in
    training mode, as it is after train_epoch."""
    from assignment.solution import AlexNetCIFAR as Reference
    from assignment.grading import spread_weights

    state = spread_weights(Reference(), int(rng.integers(2**31))).state_dict()
    n = 120
    x, labels, want = labelled_images(rng, state, n)
    model = student_model(AlexNetCIFAR, state, note=" (fix AlexNetCIFAR first)")
    model.train()
    batches = [(x[i : i + 50], labels[i : i + 50]) for i in range(0, n, 50)]
    accuracy = evaluate(model, batches, device=device)
    assert isinstance(accuracy, float), f"evaluate should return a Python float, got {type(accuracy).__name__}"
    assert 0.0 <= accuracy <= 1.0, f"evaluate returned {accuracy}: return the fraction of correct predictions, not a percentage"
    assert abs(accuracy - want) < 0.5 / n, (
        f"evaluate returned {accuracy:.4f} for {n} images in 3 batches, which is not the fraction of images whose largest "
        "logit is at their label with dropout off: call model.eval() before predicting, take argmax over the classes "
        "(dim=1), and count the correct predictions of every batch, including the last, smaller one (if AlexNetCIFAR "
        "fails its own tests, fix it first: this test runs your network)"
    )
