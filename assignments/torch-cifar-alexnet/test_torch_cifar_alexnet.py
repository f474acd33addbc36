"""torch-cifar-alexnet without CIFAR-10: the reference (``solution.py``) against oracles (the
parameter table, hand-written SGD, the real batch format), its loaders on batch files in the real
CIFAR-10 format written here, and the assignment built, graded and validated against a data
folder of such files with a stand-in checkpoint.

The stand-in: the reference network with spread-out random weights, and a synthetic test batch
whose labels are that network's own clear predictions for a chosen fraction of the images, so the
hidden accuracy test must find exactly that fraction (0.70 passes the 0.65 mark, 0.60 fails it).
Where ``$DLGRADE_DATA_DIR`` holds the real CIFAR-10 and the reference checkpoint has been trained
(``python assignments/torch-cifar-alexnet/solution.py``), the last test checks the real pass mark."""

from __future__ import annotations

import pickle
import pickletools
import shutil

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from autograder.build.assign import build
from autograder.bundle import Bundle
from autograder.cli import main
from autograder.grading.grade import grade_submission
from conftest import DEVICES, REPO, assignment_test_module, data_dir, options, scores_by_test
from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
grading = own_module(__file__, "grading")
from autograder.datasets import CIFAR10_BATCHES, load_cifar10, missing_files

ASSIGNMENT = REPO / "assignments" / "torch-cifar-alexnet"
CHECKPOINT = "alexnet_cifar10.pt"
ACCURACY_TEST = "load_checkpoint.test_checkpoint_accuracy_on_the_test_set"
checkpoint_tests = assignment_test_module("torch-cifar-alexnet", "load_checkpoint")
evaluate_tests = assignment_test_module("torch-cifar-alexnet", "evaluate")



def random_uint8_images(rng, n):
    return np.round(grading.random_images(rng, n).numpy() * 255).astype(np.uint8)


def write_cifar_dir(folder, test_images, test_labels, seed=0, per_batch=8):
    """A data folder holding ``cifar-10-batches-py/`` in the real format: five small training
    batches of random images and the given test batch. Returns the folder."""
    rng = np.random.default_rng(seed)
    batches = folder / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    for i, name in enumerate(CIFAR10_BATCHES[:-1]):
        labels = rng.integers(0, 10, size=per_batch)
        raw = grading.cifar_batch_bytes(random_uint8_images(rng, per_batch), labels, f"training batch {i + 1} of 5".encode())
        (batches / name).write_bytes(raw)
    (batches / CIFAR10_BATCHES[-1]).write_bytes(grading.cifar_batch_bytes(test_images, test_labels))
    return folder


def stand_in(seed=7, n=100):
    """The stand-in checkpoint's state_dict, n test images (uint8) it predicts with clear margins,
    and those predictions."""
    state = grading.spread_weights(ref.AlexNetCIFAR(), seed).state_dict()
    model = ref.AlexNetCIFAR()
    model.load_state_dict(state)
    model.eval()
    rng = np.random.default_rng(seed)
    images = random_uint8_images(rng, 3 * n)
    with torch.no_grad():
        logits = model(torch.from_numpy(images).float() / 255)
    top2 = logits.topk(2, dim=1).values
    clear = ((top2[:, 0] - top2[:, 1]) >= 0.05 * logits.abs().max(dim=1).values).nonzero().ravel()[:n].numpy()
    assert len(clear) == n
    return state, images[clear], logits[clear].argmax(dim=1).numpy()


def labels_for_accuracy(predicted, accuracy, seed=0):
    """Labels equal to ``predicted`` for round(accuracy * n) random images and different elsewhere."""
    rng = np.random.default_rng(seed)
    n = len(predicted)
    wrong = rng.permutation(n)[: n - round(accuracy * n)]
    labels = predicted.copy()
    labels[wrong] = (labels[wrong] + rng.integers(1, 10, size=len(wrong))) % 10
    return labels


# ---------------------------------------------------------------- the reference


def test_parameter_count_is_the_practicals_and_the_maps_shrink_32_10_3_1():
    model = ref.AlexNetCIFAR()
    counts = [p.numel() for p in model.parameters()]
    per_layer = [w + b for w, b in zip(counts[0::2], counts[1::2])]
    assert per_layer == [1_344, 55_424, 221_376, 331_968, 221_312, 132_096, 1_049_600, 10_250]
    assert sum(counts) == ref.NUM_PARAMETERS == 2_023_370
    x, sizes = torch.zeros(2, 3, 32, 32), []
    for layer in model.features:
        x = layer(x)
        if isinstance(layer, torch.nn.MaxPool2d):
            sizes.append(tuple(x.shape[1:]))
    assert sizes == [(48, 10, 10), (128, 3, 3), (128, 1, 1)]
    assert model(torch.zeros(5, 3, 32, 32)).shape == (5, 10)


def test_state_dict_problem_names_the_difference_and_accepts_other_names():
    overlapping = ref.AlexNetCIFAR()
    for i, layer in enumerate(overlapping.features):
        if isinstance(layer, torch.nn.MaxPool2d):
            overlapping.features[i] = torch.nn.MaxPool2d(3, stride=2)
    overlapping.classifier[1] = torch.nn.Linear(128 * 3 * 3, 1024)
    problem = grading.state_dict_problem(overlapping.state_dict())
    assert "classifier.1.weight" in problem and "(1024, 1152)" in problem and "3,071,946" in problem and "2,023,370" in problem
    assert "16" in grading.state_dict_problem({"w": torch.zeros(3)}) and "dict of tensors" in grading.state_dict_problem([1])

    renamed = {f"layer{i}": v for i, v in enumerate(ref.AlexNetCIFAR().state_dict().values())}
    assert grading.state_dict_problem(renamed) is None
    model = ref.AlexNetCIFAR()
    model.load_state_dict(grading.to_reference_names(renamed))
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), renamed.values()))


def test_batch_files_are_python2_pickles_like_the_real_ones():
    rng = np.random.default_rng(0)
    images, labels = random_uint8_images(rng, 3), np.array([1, 9, 0])
    raw = grading.cifar_batch_bytes(images, labels, b"training batch 2 of 5")
    opcodes = {op.name for op, _, _ in pickletools.genops(raw)}
    assert raw[:2] == b"\x80\x02" and "SHORT_BINSTRING" in opcodes and not opcodes & {"BINBYTES", "SHORT_BINBYTES", "BINUNICODE"}
    batch = pickle.loads(raw, encoding="bytes")
    assert list(batch) == [b"batch_label", b"labels", b"data", b"filenames"]
    assert batch[b"batch_label"] == b"training batch 2 of 5" and batch[b"labels"] == [1, 9, 0]
    assert batch[b"data"].dtype == np.uint8 and batch[b"data"].shape == (3, 3072)
    assert pickle.loads(raw, encoding="latin1")["labels"] == [1, 9, 0]
    with pytest.raises(UnicodeDecodeError):  # as with the real files, Python 3's default ASCII fails
        pickle.loads(raw)


def test_load_cifar_batch_is_nchw_channel_major():
    data = np.arange(2 * 3072).astype(np.uint8).reshape(2, 3072)
    images, labels = ref.load_cifar_batch(grading.cifar_batch_bytes(data.reshape(2, 3, 32, 32), [4, 2]))
    assert images.shape == (2, 3, 32, 32) and images.dtype == np.uint8 and labels.dtype == np.int64
    for i, c, h, w in [(0, 0, 0, 1), (1, 1, 0, 0), (1, 2, 31, 31), (0, 1, 5, 7)]:
        assert images[i, c, h, w] == data[i, c * 1024 + h * 32 + w]
    assert labels.tolist() == [4, 2]


def test_the_loaders_read_a_data_folder_in_the_real_format(tmp_path):
    rng = np.random.default_rng(1)
    test_images, test_labels = random_uint8_images(rng, 6), rng.integers(0, 10, size=6)
    folder = write_cifar_dir(tmp_path, test_images, test_labels, per_batch=4)
    assert missing_files("cifar10", folder) == []
    data = load_cifar10(folder)
    assert data.train.images.shape == (20, 3, 32, 32) and data.train.images.dtype == np.float32
    assert np.array_equal(data.test.images, test_images.astype(np.float32) / 255) and np.array_equal(data.test.labels, test_labels)
    first, first_labels = ref.load_cifar_batch((folder / "cifar-10-batches-py" / "data_batch_1").read_bytes())
    assert np.array_equal(first.astype(np.float32) / 255, data.train.images[:4]) and np.array_equal(first_labels, data.train.labels[:4])


@pytest.mark.parametrize("device", DEVICES)
def test_train_epoch_is_sgd_with_momentum_and_weight_decay_by_hand(device):
    """PyTorch's SGD (dampening 0): g = grad + wd * p; buf = g (first step), buf = m * buf + g; p -= lr * buf."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = grading.spread_weights(ref.AlexNetCIFAR(dropout=0.0), 3)
    start = [p.detach().clone().double() for p in model.parameters()]
    batches = [(grading.random_images(rng, n), torch.from_numpy(rng.integers(0, 10, size=n))) for n in (6, 3)]
    lr, momentum, wd = 0.01, 0.9, 5e-4

    oracle = grading.spread_weights(ref.AlexNetCIFAR(dropout=0.0), 3)
    params, buffers, losses = list(oracle.parameters()), None, []
    for images, labels in batches:
        loss = torch.nn.functional.cross_entropy(oracle(images), labels)
        grads = torch.autograd.grad(loss, params)
        steps = [g + wd * p.detach() for g, p in zip(grads, params)]
        buffers = steps if buffers is None else [momentum * b + s for b, s in zip(buffers, steps)]
        with torch.no_grad():
            for p, b in zip(params, buffers):
                p -= lr * b
        losses.append(loss.item() * len(labels))

    mean_loss = ref.train_epoch(model, batches, ref.make_optimizer(model, lr, momentum, wd), device)
    assert model.training and next(model.parameters()).device.type == device
    assert abs(mean_loss - sum(losses) / 9) < 1e-4 * mean_loss
    got = torch.cat([(p.detach().cpu().double() - s).ravel() for p, s in zip(model.parameters(), start)])
    want = torch.cat([(p.detach().double() - s).ravel() for p, s in zip(params, start)])
    assert (got - want).norm() / want.norm() < 1e-3


@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_counts_the_fraction_with_dropout_off(device):
    state, images, predicted = stand_in(n=40)
    labels = labels_for_accuracy(predicted, 0.75)
    model = ref.AlexNetCIFAR()
    model.load_state_dict(state)
    model.train()
    batches = ref.tensor_batches(torch.from_numpy(images).float() / 255, torch.from_numpy(labels), 16)
    assert ref.evaluate(model, batches, device) == 0.75 and not model.training


def test_the_hidden_evaluate_test_always_finds_clear_images():
    for seed in range(2):
        rng = np.random.default_rng(seed)
        state = grading.spread_weights(ref.AlexNetCIFAR(), seed).state_dict()
        x, labels, want = evaluate_tests.labelled_images(rng, state, 120)
        model = ref.AlexNetCIFAR()
        model.load_state_dict(state)
        assert x.shape == (120, 3, 32, 32) and ref.evaluate(model, ref.tensor_batches(x, labels, 50)) == want


def test_checkpoint_round_trip_and_the_instructors_training_command(tmp_path):
    rng = np.random.default_rng(2)
    folder = write_cifar_dir(tmp_path / "data", random_uint8_images(rng, 10), rng.integers(0, 10, size=10))
    lines = []
    model, history = ref.train_cifar10(folder, epochs=2, batch_size=16, log=lines.append)
    assert len(lines) == 2 and all(len(v) == 2 for v in history.values())
    assert all(0.0 <= a <= 1.0 for a in history["train_accuracy"] + history["test_accuracy"])
    path = tmp_path / CHECKPOINT
    ref.main(["--data-dir", str(folder), "--out", str(path), "--epochs", "1", "--device", "cpu"])
    loaded = ref.load_checkpoint(str(path))
    assert not loaded.training and grading.state_dict_problem(torch.load(path, weights_only=True)) is None
    ref.save_checkpoint(model, str(path))
    again = ref.load_checkpoint(str(path))
    assert all(torch.equal(a, b) for a, b in zip(again.state_dict().values(), model.state_dict().values()))


# ---------------------------------------------------------------- the assignment, on synthetic CIFAR-10


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A copy of the assignment holding the stand-in checkpoint, and two data folders in which
    the checkpoint's test accuracy is 0.70 and 0.60."""
    root = tmp_path_factory.mktemp("cifar-alexnet")
    folder = root / "torch-cifar-alexnet"
    shutil.copytree(ASSIGNMENT, folder, ignore=shutil.ignore_patterns(CHECKPOINT))
    state, images, predicted = stand_in()
    (folder / "attachments").mkdir(exist_ok=True)
    torch.save(state, folder / "attachments" / CHECKPOINT)
    passing = write_cifar_dir(root / "data-70", images, labels_for_accuracy(predicted, 0.70))
    failing = write_cifar_dir(root / "data-60", images, labels_for_accuracy(predicted, 0.60))
    return folder, passing, failing


def test_graded_without_cifar10_only_the_pass_mark_fails_and_it_says_by_how_much(synthetic, sandbox_mode, tmp_path):
    folder, _, failing = synthetic
    built = build(folder, tmp_path / "dist", options=None)
    result = grade_submission(built.solution_notebook, Bundle.load(built.autograder_zip), options(sandbox_mode, failing))
    scores = scores_by_test(result)
    failed = {t.name: t.output for t in result.tests if t.score < t.max_score}
    assert list(failed) == [ACCURACY_TEST], (failed, result.error, result.stdout[-2000:])
    assert f"is 0.6000; the pass mark is {checkpoint_tests.PASS_MARK}" in failed[ACCURACY_TEST]
    assert "100 CIFAR-10 test images" in failed[ACCURACY_TEST]
    assert len(scores) == 24 and result.cell_errors == []


def test_validate_on_synthetic_cifar10(synthetic, sandbox_mode):
    folder, passing, _ = synthetic
    run = CliRunner().invoke(main, ["validate", str(folder), "--data-dir", str(passing), "--sandbox", sandbox_mode])
    assert run.exit_code == 0, run.output
    assert "FAIL" not in run.output and run.output.count("  ok   mutant ") == len(list((ASSIGNMENT / "mutants").glob("*.toml")))


# ---------------------------------------------------------------- the real CIFAR-10


def test_the_reference_checkpoint_reaches_the_pass_mark_on_cifar10():
    """Needs CIFAR-10 under $DLGRADE_DATA_DIR and the trained reference checkpoint."""
    folder, path = data_dir(), ASSIGNMENT / "attachments" / CHECKPOINT
    if missing_files("cifar10", folder):
        pytest.skip("CIFAR-10 not found: set DLGRADE_DATA_DIR to a folder holding cifar-10-batches-py/")
    if not path.is_file():
        pytest.skip(f"the reference checkpoint is not here: train it with python assignments/torch-cifar-alexnet/solution.py --out {path}")
    state = checkpoint_tests.submitted_state({CHECKPOINT: path.read_bytes()})
    model = ref.AlexNetCIFAR()
    model.load_state_dict(grading.to_reference_names(state))
    test = load_cifar10(folder).test
    accuracy = ref.evaluate(model, ref.tensor_batches(test.images, test.labels, 500))
    assert accuracy >= checkpoint_tests.PASS_MARK, accuracy
