import torch
from otter.test_files import test_case

from assignment.grading import student_model

OK_FORMAT = False
name = "train_epoch"

UPDATE_RTOL = 1e-2
"""Largest error of the change train_epoch makes to the parameters, relative to the reference's
change (norms over all parameters), after 3 batches without dropout. The reference on one thread
(as in the sandbox) against the reference on two: at most 1.2e-6 over 20 seeds; convolutions on a
GPU round to TF32 by default (relative errors of about 1e-3), a margin of 10x. Skipping
optimizer.zero_grad() gives errors of 0.74 to 0.96 (5 seeds)."""

LOSS_RTOL = 1e-4
"""Relative error allowed on the returned mean loss (one thread against two: at most 8e-8 over 20
seeds)."""


def random_batches(rng, sizes):
    from assignment.grading import random_images

    return [(random_images(rng, n), torch.from_numpy(rng.integers(0, 10, size=n))) for n in sizes]


@test_case(points=1, hidden=False)
def test_two_batches_by_hand(train_epoch, make_optimizer, AlexNetCIFAR, torch):
    """With every weight and bias zero, every hidden unit is 0 whatever the images, the logits are the last
    layer's bias b, and only b has a gradient: the batch's mean of softmax(b) - onehot(label). Plain SGD (lr 0.1,
    no momentum, no weight decay) then moves b alone, and its two steps can be worked out by hand."""
    model = AlexNetCIFAR()
    own = model.state_dict()
    model.load_state_dict({name: torch.zeros(value.shape) for name, value in own.items()})
    model.eval()  # as evaluate leaves it
    optimizer = make_optimizer(model, lr=0.1, momentum=0.0, weight_decay=0.0)
    batches = [(torch.rand(2, 3, 32, 32), torch.tensor([0, 0])), (torch.rand(1, 3, 32, 32), torch.tensor([1]))]
    loss = train_epoch(model, batches, optimizer)
    assert model.training is True, "train_epoch should put the model in training mode (model.train()), so that dropout is on"

    first = torch.full((10,), 0.1, dtype=torch.float64)  # softmax(0) - onehot(0): batch 1's gradient of b
    first[0] -= 1.0
    b1 = -0.1 * first  # [0.09, -0.01, ..., -0.01]
    second = torch.softmax(b1, 0)  # batch 2's gradient of b
    second[1] -= 1.0
    want, stale = b1 - 0.1 * second, b1 - 0.1 * (first + second)
    got = list(model.state_dict().values())[-1].double()
    assert not torch.allclose(got, stale, atol=1e-6), (
        "the second step also used the first batch's gradient (the gradients add up): call optimizer.zero_grad() "
        "before loss.backward() for every batch"
    )
    assert torch.allclose(got, want, atol=1e-6), (
        f"after the two batches the last layer's bias should be {[round(v, 4) for v in want.tolist()]}, got "
        f"{[round(v, 4) for v in got.tolist()]}: for every batch, in order, compute F.cross_entropy(model(images), "
        "labels), optimizer.zero_grad(), loss.backward(), optimizer.step() (if make_optimizer fails its own tests, "
        "fix it first)"
    )
    batch_losses = [torch.log(torch.tensor(10.0, dtype=torch.float64)), -torch.log_softmax(b1, 0)[1]]
    want_loss = ((2 * batch_losses[0] + batch_losses[1]) / 3).item()
    assert isinstance(loss, float) and abs(loss - want_loss) < 1e-5, (
        f"the losses of the two batches (before their steps) are ln 10 = {batch_losses[0].item():.4f} for 2 images and "
        f"{batch_losses[1].item():.4f} for 1, so train_epoch should return their mean over the images, {want_loss:.4f}, as a "
        f"Python float; it returned {loss!r}"
    )


@test_case(points=3, hidden=True)
def test_epoch_against_reference(train_epoch, make_optimizer, AlexNetCIFAR, device, rng):
    """Runs on the grading machine's device: the GPU when there is one. Without dropout (the test
    builds AlexNetCIFAR(dropout=0.0)), training is deterministic and comparable."""
    from autograder.testing import check_scalar, with_timeout
    from assignment import grading, solution as ref

    ref_model = ref.AlexNetCIFAR(dropout=0.0)
    grading.spread_weights(ref_model, int(rng.integers(2**31)))
    start = {k: v.clone() for k, v in ref_model.state_dict().items()}
    batches = random_batches(rng, (8, 8, 5))
    settings = {"lr": 0.01, "momentum": 0.9, "weight_decay": 5e-4}

    model = student_model(AlexNetCIFAR, start, note=" (fix AlexNetCIFAR first)", dropout=0.0)
    optimizer = make_optimizer(model, **settings)
    loss = check_scalar(with_timeout(train_epoch, 60)(model, batches, optimizer, device=device), "the loss train_epoch returns")
    got = model.state_dict()

    want_loss = ref.train_epoch(ref_model, batches, ref.make_optimizer(ref_model, **settings))
    want = ref_model.state_dict()
    assert isinstance(got, dict) and len(got) == len(want), "model.state_dict() changed its entries during training"
    change = torch.cat([(g.double() - w.double()).ravel() for g, w in zip(got.values(), want.values())])
    reference_change = torch.cat([(w.double() - s.double()).ravel() for s, w in zip(start.values(), want.values())])
    error = (change.norm() / reference_change.norm()).item()
    assert error <= UPDATE_RTOL, (
        f"after train_epoch on 3 batches (dropout 0, SGD lr 0.01, momentum 0.9, weight decay 5e-4) the weights differ "
        f"from the expected ones (error {error:.1e} of the expected change): for every batch, in order, compute "
        "F.cross_entropy(model(images), labels), zero the old gradients (optimizer.zero_grad()), call loss.backward() "
        "and optimizer.step() (if make_optimizer fails its own tests, fix it first)"
    )
    assert abs(loss - want_loss) <= LOSS_RTOL * want_loss, (
        "train_epoch should return the mean cross-entropy over all images (F.cross_entropy of each batch, before its "
        "step, weighted by the batch's size), as a Python float"
    )


@test_case(points=1, hidden=True)
def test_puts_the_model_in_training_mode(train_epoch, make_optimizer, AlexNetCIFAR, device, rng):
    model = AlexNetCIFAR()
    model.eval()
    train_epoch(model, random_batches(rng, (4,)), make_optimizer(model), device=device)
    assert model.training is True, "train_epoch should put the model in training mode (model.train()), so that dropout is on"
