import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "predict"

BATCH_SIZES = (7, 16, 5)
"""Batches of unequal sizes, none of them 10 (the number of classes), so that an argmax over the
wrong dimension gives a wrong number of labels."""


@test_case(points=1, hidden=False)
def test_one_label_per_image(predict, TinyVGG, torch):
    model = TinyVGG(input_shape=1, hidden_units=4, output_shape=10)
    model.train()
    batches = [(torch.rand(n, 1, 28, 28), torch.zeros(n, dtype=torch.int64)) for n in (3, 4)]
    labels = predict(model, batches, "cpu")
    assert not model.training, (
        "predict left the model in training mode: call model.eval() before predicting (dropout off, batch norm "
        "with its running statistics)"
    )
    assert isinstance(labels, torch.Tensor) and tuple(labels.shape) == (7,), "predict should return one label per image: shape (7,)"
    assert labels.dtype == torch.int64 and bool(((labels >= 0) & (labels < 10)).all()), "labels should be int64 classes in [0, 10)"


def clear_margin(logits):
    """Images whose top two logits are clearly apart (by 0.1% of the largest logit), where a GPU's TF32
    convolutions cannot swap the most probable class."""
    top2 = logits.topk(2, dim=1).values
    return (top2[:, 0] - top2[:, 1]) > 1e-3 * logits.abs().max()


def problem(rng, mnist):
    """A reference TinyVGG (hidden_units 8, torch's default init from a seed drawn from ``rng``, the
    classifier's bias set to centre the logits), noisy MNIST test images X (28, 1, 28, 28) and the
    batches of BATCH_SIZES made of them, with random labels."""
    from assignment import solution as ref

    torch.manual_seed(int(rng.integers(2**31)))
    ref_model = ref.TinyVGG(input_shape=1, hidden_units=8, output_shape=10)
    n = sum(BATCH_SIZES)
    idx = rng.choice(len(mnist.test.labels), size=n, replace=False)
    X = torch.from_numpy(mnist.test.images[idx]).reshape(-1, 1, 28, 28)
    X = X + torch.from_numpy(rng.normal(scale=0.5, size=X.shape).astype("float32"))  # spread the logits apart
    starts = [sum(BATCH_SIZES[:i]) for i in range(len(BATCH_SIZES) + 1)]
    batches = [(X[a:b], torch.from_numpy(rng.integers(0, 10, size=b - a))) for a, b in zip(starts, starts[1:])]
    with torch.no_grad():  # centre the logits over these images, so that the predicted classes vary
        features = ref_model.block_2(ref_model.block_1(X)).flatten(1)
        ref_model.classifier[1].bias.copy_(-features.mean(dim=0) @ ref_model.classifier[1].weight.T)
    return ref_model, X, batches


@test_case(points=3, hidden=True)
def test_labels_against_reference(predict, TinyVGG, mnist, device, rng):
    """MNIST test images in batches of BATCH_SIZES, a reference model's weights, on the grading machine's device
    (the GPU when there is one). The labels of the batches are random: predict must not use them."""
    from assignment import solution as ref

    ref_model, X, batches = problem(rng, mnist)
    n = len(X)
    model = TinyVGG(input_shape=1, hidden_units=8, output_shape=10)
    model.load_state_dict(ref_model.state_dict())
    labels = predict(model, batches, device)
    want = ref.predict(ref_model, batches, "cpu")
    shape = tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__
    assert shape == (n,), (
        f"predict on batches of {list(BATCH_SIZES)} images returned {shape}, expected one label per image, ({n},): "
        "take each batch's argmax over the class dimension, dim=1, and concatenate the batches"
    )
    assert labels.dtype == torch.int64, f"predict should return int64 labels, got {labels.dtype}"
    with torch.no_grad():
        clear = clear_margin(ref_model(X))
    assert torch.equal(labels[clear], want[clear]), (
        "your predicted labels are not the most probable classes of the logits: take "
        "torch.softmax(logits, dim=1).argmax(dim=1) for each batch, in the order of the batches (if TinyVGG fails "
        "its own tests, fix it first)"
    )


@test_case(points=1, hidden=True)
def test_predicts_in_evaluation_mode(predict, device, rng):
    """A grader-made network with batch norm (autograder.testing.BATCHNORM_NET), handed to predict in
    training mode: its labels must be those of the network in evaluation mode, computed here."""
    from autograder.testing import train_mode_twin

    model, local = train_mode_twin(predict, 784, 10, int(rng.integers(2**31)))
    X = torch.from_numpy(rng.uniform(size=(sum(BATCH_SIZES), 1, 28, 28)).astype("float32"))
    starts = [sum(BATCH_SIZES[:i]) for i in range(len(BATCH_SIZES) + 1)]
    batches = [(X[a:b], torch.zeros(b - a, dtype=torch.int64)) for a, b in zip(starts, starts[1:])]
    labels = predict(model, batches, device)
    with torch.no_grad():
        logits = local(X)
    clear = clear_margin(logits)
    ok = isinstance(labels, torch.Tensor) and tuple(labels.shape) == (len(X),)
    assert ok and torch.equal(labels[clear], logits.argmax(dim=1)[clear]), (
        "for a network with batch normalisation handed over in training mode, predict's labels are not those of the "
        "network in evaluation mode: call model.eval() before predicting (dropout off, batch norm with its running "
        "statistics), as the notebook says"
    )

