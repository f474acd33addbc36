"""The classification reference (``solution.py``) against oracles:
scikit-learn's ``make_moons`` (the only place scikit-learn is used), CS231n's spiral code as
printed in its "Neural Networks case study", the losses written out in NumPy, a first Adam step by
hand, ``torch.tanh`` and its derivative; the hidden tanh probe against every way of calling
PyTorch's own tanh; and the calibration of torch-classification's two pass marks on the hidden
tests' own seeds."""

from __future__ import annotations

import inspect
import statistics

import numpy as np
import pytest
import torch
from torch import nn

from conftest import DEVICES, REPO, assignment_test_module, grader_rng, tomllib
from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")

CONFIG = tomllib.loads((REPO / "assignments" / "torch-classification" / "assignment.toml").read_text())
binary_tests = assignment_test_module("torch-classification", "train_binary")
multiclass_tests = assignment_test_module("torch-classification", "train_multiclass")
tanh_tests = assignment_test_module("torch-classification", "tanh")



@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The nets are tiny: one thread is faster than several, and is what a grading slot gets."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tensors(X, y):
    return torch.from_numpy(X).float(), torch.from_numpy(y)


@pytest.mark.parametrize("n_samples, noise, seed", [(1000, 0.07, 42), (1001, 0.2, 0), (7, 0.0, 3), (50, None, 9)])
def test_make_moons_draws_what_sklearn_draws(n_samples, noise, seed):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, y = ref.make_moons(n_samples, noise or 0.0, seed)
    want_X, want_y = sklearn_datasets.make_moons(n_samples, noise=noise, random_state=seed)
    assert X.dtype == np.float64 and y.dtype == np.int64 and X.shape == (n_samples, 2)
    assert np.array_equal(y, want_y) and np.array_equal(X, want_X)  # noise=None: sklearn adds none, ours adds 0


def test_make_spirals_is_cs231n_code():
    """The case study's code, with np.random seeded: same points, labels as int64."""
    for seed, N, K in ((42, 100, 3), (5, 17, 4)):
        np.random.seed(seed)
        D = 2
        X = np.zeros((N * K, D))
        y = np.zeros(N * K, dtype="uint8")
        for j in range(K):
            ix = range(N * j, N * (j + 1))
            r = np.linspace(0.0, 1, N)  # radius
            t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2  # theta
            X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
            y[ix] = j
        got_X, got_y = ref.make_spirals(N, K, seed)
        assert np.array_equal(got_X, X) and np.array_equal(got_y, y) and got_y.dtype == np.int64


def test_notebook_gives_the_generators_verbatim():
    given = "\n".join(cell.get("code", "") for cell in CONFIG["cells"])
    for helper in (ref.make_moons, ref.make_spirals):
        assert inspect.getsource(helper) in given, helper.__name__
    assert CONFIG["preload"][:2] == ["numpy", "torch"]


def test_split_data_is_a_seeded_shuffled_partition():
    X, y = tensors(*ref.make_spirals(100, 3, 0))
    X_train, X_test, y_train, y_test = ref.split_data(X, y)
    assert [len(p) for p in (X_train, X_test, y_train, y_test)] == [240, 60, 240, 60]
    order = torch.randperm(300, generator=torch.Generator().manual_seed(42))
    assert torch.equal(X_test, X[order[:60]]) and torch.equal(y_train, y[order[60:]])
    assert sorted(y_test.tolist()) != [2] * 60 and set(y_test.tolist()) == {0, 1, 2}  # shuffled: all classes
    again = ref.split_data(X, y)
    assert all(torch.equal(a, b) for a, b in zip(again, (X_train, X_test, y_train, y_test)))
    assert [len(p) for p in ref.split_data(X[:33], y[:33], 0.25, 1)] == [25, 8, 25, 8]  # int(0.25 * 33) = 8


def test_model_layers_and_forward_by_hand():
    model = ref.ClassificationModel()
    state = model.state_dict()
    assert list(state) == ["layer_1.weight", "layer_1.bias", "layer_2.weight", "layer_2.bias", "layer_3.weight", "layer_3.bias"]
    assert [tuple(v.shape) for v in state.values()] == [(10, 2), (10,), (10, 10), (10,), (1, 10), (1,)]
    model = ref.ClassificationModel(3, 4, 5)
    x = torch.randn(6, 3)
    w = {k: v.numpy().astype(np.float64) for k, v in model.state_dict().items()}
    h = np.maximum(x.numpy() @ w["layer_1.weight"].T + w["layer_1.bias"], 0)
    h = np.maximum(h @ w["layer_2.weight"].T + w["layer_2.bias"], 0)
    want = h @ w["layer_3.weight"].T + w["layer_3.bias"]
    assert np.allclose(model(x).detach().numpy(), want, atol=1e-5)


def first_adam_step(param: torch.Tensor, grad: torch.Tensor, lr: float) -> torch.Tensor:
    """Adam's first step by hand (Kingma and Ba 2015, with bias correction): m_hat = g,
    v_hat = g ** 2, so p - lr * g / (|g| + eps), eps = 1e-8."""
    return param - lr * grad / (grad.abs() + 1e-8)


@pytest.mark.parametrize("device", DEVICES)
def test_train_binary_first_loss_and_step_by_hand(device):
    X, y = tensors(*ref.make_moons(64, 0.07, 3))
    torch.manual_seed(0)
    model = ref.ClassificationModel()
    start = {k: v.clone() for k, v in model.state_dict().items()}
    z = model(X).squeeze(1).detach().double().numpy()
    t = y.double().numpy()
    bce = float(np.mean(np.logaddexp(0, z) - t * z))  # -[t log s(z) + (1 - t) log(1 - s(z))]
    probe = ref.ClassificationModel()
    probe.load_state_dict(start)
    nn.BCEWithLogitsLoss()(probe(X).squeeze(1), y.float()).backward()
    grads = {name: p.grad.clone() for name, p in probe.named_parameters()}
    losses = ref.train_binary(model, X, y, epochs=1, lr=0.01, device=device)
    assert type(losses) is list and len(losses) == 1 and type(losses[0]) is float and abs(losses[0] - bce) < 1e-6
    after = model.state_dict()
    assert next(model.parameters()).device.type == device
    for name, value in start.items():
        assert torch.allclose(after[name].cpu(), first_adam_step(value, grads[name], 0.01), atol=1e-6), name


@pytest.mark.parametrize("device", DEVICES)
def test_train_multiclass_first_loss_is_cross_entropy(device):
    X, y = tensors(*ref.make_spirals(20, 3, 1))
    torch.manual_seed(1)
    model = ref.ClassificationModel(2, 3, 8)
    z = model(X).detach().double().numpy()
    log_softmax = z - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)) - z.max(1, keepdims=True)
    want = float(-log_softmax[np.arange(60), y.numpy()].mean())
    losses = ref.train_multiclass(model, X, y, epochs=5, lr=0.05, device=device)
    assert len(losses) == 5 and all(type(v) is float for v in losses) and abs(losses[0] - want) < 1e-6
    assert losses[-1] < losses[0]


def test_predictions_are_labels_on_the_cpu():
    torch.manual_seed(2)
    X = torch.randn(40, 2)
    binary, multi = ref.ClassificationModel(), ref.ClassificationModel(2, 4, 6)
    preds = ref.predict_binary(binary, X)
    assert preds.dtype == torch.int64 and preds.shape == (40,) and preds.device.type == "cpu"
    assert torch.equal(preds, (binary(X).squeeze(1) > 0).long())  # sigmoid(z) > 0.5 <=> z > 0
    classes = ref.predict_multiclass(multi, X)
    assert classes.dtype == torch.int64 and classes.shape == (40,) and torch.equal(classes, multi(X).argmax(1))
    assert not binary.training and not multi.training
    assert ref.accuracy_fn(torch.tensor([0, 1, 2, 2]), torch.tensor([0, 1, 2, 0])) == 75.0


def test_tanh_values_gradient_and_large_inputs():
    x = torch.linspace(-10, 10, 200001)
    e = torch.exp(x)
    textbook = (e - 1 / e) / (e + 1 / e)
    assert (ref.tanh(x) - torch.tanh(x)).abs().max() <= tanh_tests.TOLERANCE / 80
    assert (textbook - torch.tanh(x)).abs().max() <= tanh_tests.TOLERANCE / 80  # the course's formula passes
    assert (torch.tanh(x / 2) - torch.tanh(x)).abs().max() > 1000 * tanh_tests.TOLERANCE
    x64 = torch.linspace(-30, 30, 1001, dtype=torch.float64)
    assert ref.tanh(x64).dtype == torch.float64 and (ref.tanh(x64) - torch.tanh(x64)).abs().max() < 1e-15
    big = torch.tensor([-1e30, -1000.0, -45.0, 45.0, 1000.0, 1e30])
    assert torch.equal(ref.tanh(big), torch.sign(big))
    e = torch.exp(big)
    assert torch.isnan((e - 1 / e) / (e + 1 / e)).any()  # why the contract asks for finite values at any x
    g = torch.linspace(-25, 25, 1001, requires_grad=True)
    ref.tanh(g).sum().backward()
    assert torch.allclose(g.grad, 1 - torch.tanh(g.detach()) ** 2, atol=1e-6)


def test_source_check_accepts_the_reference_and_catches_every_builtin_tanh():
    import inspect
    import textwrap

    reference = textwrap.dedent(inspect.getsource(ref.tanh))
    tanh_tests.check_written_from_exp(["import torch", reference, "x = torch.ones(3)\nprint(torch.tanh(x) - tanh(x))"])
    tanh_tests.check_written_from_exp(["import torch", "def sig(z):\n    return 1 / (1 + torch.exp(-z))",
                                       "def tanh(x):\n    return 2 * sig(2 * x) - 1"])
    cheats = [
        "def tanh(x):\n    return torch.tanh(x)",
        "def tanh(x):\n    return x.clone().tanh_()",
        "def tanh(x):\n    return torch.nn.functional.tanh(x)",
        "def tanh(x):\n    return nn.Tanh()(x)",
        "def tanh(x):\n    return x - torch.nn.functional.tanhshrink(x)",
        "def tanh(x):\n    from torch import tanh as builtin_tanh\n    return builtin_tanh(x)",
        "T = torch.tanh\ndef tanh(x):\n    return T(x)",
        "def tanh(x):\n    return x\nif True:\n    tanh = torch.tanh",
        "def tanh(x):\n    return getattr(torch, 'ta' + 'nh')(x)",
        "def tanh(x):\n    return torch.from_numpy(np.tanh(x.detach().numpy()))",
    ]
    for cheat in cheats:
        with pytest.raises(AssertionError):
            tanh_tests.check_written_from_exp(["import torch\nimport numpy as np\nfrom torch import nn", cheat])


def graded_accuracies(tests, train, classes, rng):
    """The held-out accuracies of the reference trained as the hidden accuracy test trains the student's code."""
    out = []
    for state, X_train, y_train, X_test, y_test in tests.graded_runs(rng):
        model = ref.ClassificationModel(2, classes, tests.HIDDEN_UNITS)
        model.load_state_dict(state)
        train(model, X_train, y_train, epochs=tests.EPOCHS, lr=tests.LR)
        out.append(tests.held_out_accuracy(model.state_dict(), X_test, y_test))
    return out


class NoReLU(ref.ClassificationModel):
    def forward(self, x):
        return self.layer_3(self.layer_2(self.layer_1(x)))


@pytest.mark.parametrize(
    "tests, test_name, train, classes, margin",
    [
        (binary_tests, "test_moons_held_out_accuracy", ref.train_binary, 1, 3.0),
        (multiclass_tests, "test_spirals_held_out_accuracy", ref.train_multiclass, 3, 3.0),
    ],
    ids=["moons", "spirals"],
)
def test_pass_mark_calibration_on_the_hidden_tests_seeds(tests, test_name, train, classes, margin):
    """The reference, trained as the hidden test trains the student's code (the grader's rng
    fixture for that test), beats the pass mark by ``margin`` points in the median of the three
    runs, which is what the hidden test grades (on the grader's seeds one moons start gets stuck
    at 89.8%: [89.8, 100, 100]; spirals [99.8, 99.3, 99.4]); on one other rng too; and a model
    without the ReLUs, trained the same way, fails."""
    fixture = grader_rng("torch-classification", tests.name, test_name)
    accuracies = graded_accuracies(tests, train, classes, fixture)
    assert statistics.median(accuracies) > tests.PASS_MARK + margin, accuracies
    assert statistics.median(graded_accuracies(tests, train, classes, np.random.default_rng(7))) > tests.PASS_MARK + margin

    state, X_train, y_train, X_test, y_test = tests.graded_runs(np.random.default_rng(8))[0]
    linear = NoReLU(2, classes, tests.HIDDEN_UNITS)
    linear.load_state_dict(state)
    train(linear, X_train, y_train, epochs=tests.EPOCHS, lr=tests.LR)
    assert tests.held_out_accuracy(linear.state_dict(), X_test, y_test) < tests.PASS_MARK - 5
