import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "load_checkpoint"

CHECKPOINT = "alexnet_cifar10.pt"
"""The trained state_dict students submit beside the notebook."""

PASS_MARK = 0.65
"""Accuracy the submitted checkpoint must reach on CIFAR-10's 10,000 test images, scaled to
[0, 1]: the practical's target. Not calibrated in the project's CI, which has no CIFAR-10: the
reference checkpoint (``python assignments/torch-cifar-alexnet/solution.py``) must be trained where CIFAR-10 is, and
``dlgrade validate`` then checks that it reaches this mark; record its accuracy here with the
margin when it is made."""


def submitted_state(attachments):
    """The submitted checkpoint, loaded here with weights_only=True and checked to hold the
    mini-AlexNet's tensors."""
    from autograder.testing import load_state_dict
    from assignment.grading import state_dict_problem

    state = load_state_dict(attachments, CHECKPOINT)
    problem = state_dict_problem(state)
    assert problem is None, f"{CHECKPOINT}: {problem}"
    return state


@test_case(points=1, hidden=False)
def test_loads_a_saved_model_in_eval_mode(save_checkpoint, load_checkpoint, AlexNetCIFAR, torch):
    model = AlexNetCIFAR()
    model.eval()
    save_checkpoint(model, "round_trip_alexnet.pt")
    loaded = load_checkpoint("round_trip_alexnet.pt")
    assert loaded.training is False, "load_checkpoint should return the model in evaluation mode (model.eval())"
    x = torch.rand(2, 3, 32, 32)
    assert torch.equal(loaded(x), model(x)), "the loaded model should compute what the saved one computes"


@test_case(points=2, hidden=True)
def test_loads_the_submitted_checkpoint(load_checkpoint, attachments, device):
    """Your load_checkpoint reads the checkpoint you submitted (in the grader's working folder),
    on the grading machine's device."""
    state = submitted_state(attachments)
    model = load_checkpoint(CHECKPOINT, device=device)
    assert model is not None and not isinstance(model, dict), (
        "load_checkpoint should return the new AlexNetCIFAR (not None, not the state_dict itself)"
    )
    got = model.state_dict()
    ok = isinstance(got, dict) and len(got) == len(state) and all(
        isinstance(g, torch.Tensor) and g.shape == w.shape and torch.equal(g, w) for g, w in zip(got.values(), state.values())
    )
    assert ok, (
        f"load_checkpoint({CHECKPOINT!r}) returned a model that does not hold the weights in the file: load them into "
        "the new model with model.load_state_dict(torch.load(path, map_location=device, weights_only=True))"
    )
    assert model.training is False, "load_checkpoint should return the model in evaluation mode (model.eval())"


@test_case(points=1, hidden=True)
def test_checkpoint_holds_the_mini_alexnet(attachments):
    submitted_state(attachments)


@test_case(points=4, hidden=True)
def test_checkpoint_accuracy_on_the_test_set(attachments, cifar10):
    """The grader evaluates your checkpoint in its own copy of the network (eval mode) on its own
    copy of CIFAR-10's test batch."""
    from autograder.testing import report
    from assignment import grading, solution as ref

    model = ref.AlexNetCIFAR()
    model.load_state_dict(grading.to_reference_names(submitted_state(attachments)))
    images, labels = cifar10.test.images, cifar10.test.labels
    accuracy = ref.evaluate(model, ref.tensor_batches(images, labels, 500))
    report(f"Accuracy of {CHECKPOINT} on the CIFAR-10 test set: {accuracy:.4f} (pass mark {PASS_MARK}).")
    assert accuracy >= PASS_MARK, (
        f"the accuracy of {CHECKPOINT} on the {len(labels):,} CIFAR-10 test images (scaled to [0, 1], no other "
        f"normalisation) is {accuracy:.4f}; the pass mark is {PASS_MARK}"
    )
