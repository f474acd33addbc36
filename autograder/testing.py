"""Helpers for test authors (imported by hidden tests, on the trusted side only).

Gradient checks use the one implementation in ``autograder.gradient_check`` (CS231n
conventions: centered differences, h = 1e-5, float64, ``rel_error``).
"""

from __future__ import annotations

import ast
import contextlib
import io
from typing import Any, Iterator, Sequence

import numpy as np

from autograder.figures import png_base64
from autograder.grading.proxy import Remote, with_timeout, wrap
from autograder.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    eval_numerical_gradient_at,
    rel_error,
    sample_indices,
)

__all__ = [
    "check_array",
    "check_features",
    "check_scalar",
    "check_tensor",
    "referenced_names",
    "student_source",
    "define_in_sandbox",
    "twin",
    "train_mode_twin",
    "BATCHNORM_NET",
    "show_confusion_matrix",
    "load_state_dict",
    "check_checkpoint_zip",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "eval_numerical_gradient_at",
    "rel_error",
    "sample_indices",
    "with_timeout",
]


def check_array(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Assert that a student's value is a finite numeric array of ``shape``; return it as float64.

    The AssertionError names ``what``, the expected shape and what was found instead.
    """
    assert isinstance(value, np.ndarray), f"{what} should be a numpy array of shape {shape}, got {type(value).__name__}"
    assert value.shape == tuple(shape), f"{what} has shape {value.shape}, expected {tuple(shape)}"
    assert np.all(np.isfinite(value)), f"{what} contains NaN or infinite values"
    return value.astype(np.float64)


def check_features(value: Any, D: int, what: str) -> np.ndarray:
    """``check_array`` for a per-feature vector of shape (D,) that also accepts (1, D): the same
    numbers kept with ``keepdims=True``, which broadcast against (N, D) arrays exactly as (D,) does.
    A shape-only difference is harmless there, so hidden tests do not charge it (a public test
    states the documented shape). Returns a (D,) float64 array; AssertionError as ``check_array``."""
    if isinstance(value, np.ndarray) and value.shape == (1, D):
        value = value.reshape(D)
    return check_array(value, (D,), what)


def check_scalar(value: Any, what: str) -> float:
    """Assert that a student's value is one finite real number; return it as a float."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) or (isinstance(value, np.ndarray) and value.size == 1)
    assert ok and not isinstance(value, bool), f"{what} should be a single number, got {type(value).__name__}"
    number = float(np.asarray(value).reshape(()))
    assert np.isfinite(number), f"{what} is {number}, expected a finite number"
    return number


def check_tensor(value: Any, shape: tuple[int, ...], what: str):
    """Assert that a student's value is a finite floating-point torch tensor of ``shape``;
    return it as float64 (it arrives on the CPU, see ``autograder.protocol``)."""
    import torch

    assert isinstance(value, torch.Tensor), f"{what} should be a torch tensor of shape {shape}, got {type(value).__name__}"
    assert tuple(value.shape) == tuple(shape), f"{what} has shape {tuple(value.shape)}, expected {tuple(shape)}"
    assert value.is_floating_point(), f"{what} has dtype {value.dtype}, expected a floating-point tensor"
    assert bool(torch.isfinite(value).all()), f"{what} contains NaN or infinite values"
    return value.double()


def load_state_dict(attachments: dict[str, bytes], name: str) -> dict:
    """The ``state_dict`` a student submitted as the attachment ``name`` (from the ``attachments``
    fixture), loaded on the trusted side with ``torch.load(..., weights_only=True)``, which
    unpickles tensors and plain containers only, mapped to the CPU.

    The file is opened by torch only after ``check_checkpoint_zip`` has bounded what loading it
    can allocate by the file's own size (no deflate bombs, no legacy format).

    Raises AssertionError, for the student, when the file is missing, is not a
    ``torch.save`` file that ``weights_only`` loading accepts, or is not a dict of tensors.
    """
    import torch

    assert name in attachments, f"{name} was not submitted: put it in the zip with your notebook (or beside it)"
    check_checkpoint_zip(attachments[name], name)
    try:
        state = torch.load(io.BytesIO(attachments[name]), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise AssertionError(
            f"{name} cannot be loaded with torch.load(weights_only=True) ({type(exc).__name__}): save the weights, "
            f"not the model object: torch.save(model.state_dict(), {name!r})"
        ) from None
    ok = isinstance(state, dict) and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items())
    assert ok, f"{name} should hold model.state_dict() (a dict of tensors), got {type(state).__name__}"
    return state


def check_checkpoint_zip(data: bytes, name: str) -> None:
    """Refuse a checkpoint that could make ``torch.load`` allocate more than ``len(data)`` bytes
    of file contents: ``torch.save`` (since torch 1.6) writes a zip whose members are all
    stored uncompressed, so every member must be ``ZIP_STORED`` with its declared size equal to
    its stored size, and the declared sizes must sum to at most ``len(data)``. A deflated member
    (a 2 MB file declaring 2 GiB of zeros) and the legacy non-zip format (whose storages
    declare their own sizes) are refused before torch reads a byte.

    Raises AssertionError, for the student, naming the problem.
    """
    import zipfile

    hint = f"{name} should be a file written by torch.save(model.state_dict(), {name!r})"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise AssertionError(f"{hint} (it is not in torch's zip format)") from None
    for member in members:
        stored = member.compress_type == zipfile.ZIP_STORED and member.file_size == member.compress_size
        assert stored, f"{hint}: its member {member.filename[:100]!r} is compressed, which torch.save never does"
    declared = sum(member.file_size for member in members)
    assert declared <= len(data), f"{hint}: its members declare {declared} bytes in a {len(data)}-byte file"


def _notebook_definitions(cells: Sequence[str]) -> dict[str, list[ast.AST]]:
    """Statements of the notebook that bind a module-level name (def, class, assignment,
    import, for/with targets, at any depth outside function and class bodies), by that name,
    in cell order. Cells that do not parse are skipped (they raised when run)."""
    defined: dict[str, list[ast.AST]] = {}

    def bind(name: str, node: ast.AST) -> None:
        defined.setdefault(name, []).append(node)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bind(child.name, child)
                continue  # its body's names are local
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    bind((alias.asname or alias.name).split(".")[0], child)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                bind(child.id, node)
            visit(child)

    for source in cells:
        try:
            visit(ast.parse(source))
        except (SyntaxError, ValueError):
            continue
    return defined


def student_source(cells: Sequence[str], name: str) -> str:
    """The source of the notebook's last module-level definition of ``name`` (a ``def`` or
    ``class``), read from ``cells`` (the ``notebook_cells`` fixture) on the trusted side by
    parsing, never running. Raises AssertionError, for the student, when there is none."""
    nodes = [n for n in _notebook_definitions(cells).get(name, []) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    assert nodes, f"{name} should be defined with def (or class) in your notebook"
    return ast.unparse(nodes[-1])


def referenced_names(cells: Sequence[str], name: str) -> set[str]:
    """Every identifier that the notebook's definitions of ``name`` use, and, transitively, the
    definitions of the notebook-level names those use: variable names, attribute names
    (``torch.tanh`` gives "torch" and "tanh"), imported names, ``getattr``/``eval`` and friends.

    For hidden tests that check how a function is written (parsed on the trusted side from the
    ``notebook_cells`` fixture, never run; nothing observed inside the student's process, which
    its code could forge). Static: a test should also forbid the dynamic escapes (``getattr``,
    ``eval``, ``exec``, ``__import__``, ``globals``, ``vars``...) it cares about.
    """
    defined = _notebook_definitions(cells)
    seen, todo, names = set(), [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for node in defined.get(current, []):
            local = _local_names(node)
            for sub in ast.walk(node):
                found = []
                if isinstance(sub, ast.Name):
                    found = [sub.id]
                elif isinstance(sub, ast.Attribute):
                    found = [sub.attr]
                elif isinstance(sub, ast.alias):
                    found = [part for part in (sub.name.split(".") + [sub.asname or ""]) if part]
                names.update(found)
                todo += [f for f in found if f in defined and f not in local]
    return names


def _local_names(node: ast.AST) -> set[str]:
    """Parameters and names assigned inside a function definition (not followed to the
    notebook's module-level definitions of the same name)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return set()
    local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    return local | {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


_notes: list[str] | None = None
"""Where ``report`` puts its sentences: the running test's list (see ``collect_notes``)."""


@contextlib.contextmanager
def collect_notes() -> Iterator[list[str]]:
    """Collect the sentences ``report`` is given while the block runs (the runner wraps each test
    in it and adds them to the message of a test that passes)."""
    global _notes
    previous, _notes = _notes, []
    try:
        yield _notes
    finally:
        _notes = previous


def report(text: str) -> None:
    """Tell the student what a passing test measured (``report(f"test accuracy {acc:.1%}")``):
    shown after the test's success message. Outside a grading run it does nothing."""
    if _notes is not None:
        _notes.append(str(text).strip())


def define_in_sandbox(student_value: Any, source: str, name: str) -> Any:
    """Run grader-written ``source`` in the sandbox of ``student_value`` (a function or object
    from the student's notebook) and return what it defines as ``name``, as a callable Remote.

    For building inputs that must live in the student's process, such as a torch module the
    student's helper receives (``twin``). Never for observing how the student's code runs: the
    code runs among the student's, so a notebook can see and change what it does; a verdict must
    rest on comparing what comes back with the trusted side's own result. Raises AssertionError,
    for the student, when ``student_value`` is not from the notebook or the code cannot run.
    """
    assert isinstance(student_value, Remote), "this should be defined in your notebook"
    session = student_value._session
    outcome = session.request("exec", cells=[[-1, source]])
    ran = isinstance(outcome, list) and len(outcome) == 1 and isinstance(outcome[0], dict) and outcome[0].get("error") is None
    assert ran, "the grader could not run its own check in your notebook's process"
    info = session.request("lookup", name=name)
    assert isinstance(info, dict) and info.get("kind") == "callable", "the grader could not run its own check in your notebook's process"
    return wrap(session, info["handle"])


BATCHNORM_NET = '''
import torch
from torch import nn


def batchnorm_net(in_features, out_features, seed):
    """(N, ...) inputs of in_features numbers each -> (N, out_features) logits: Flatten, Linear,
    BatchNorm1d, with weights and running statistics drawn from torch.Generator().manual_seed(seed).
    The running statistics are far from any batch's, so training mode (batch statistics) and
    evaluation mode (running statistics) give different logits."""
    generator = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(in_features, out_features), nn.BatchNorm1d(out_features))
    with torch.no_grad():
        model[1].weight.copy_(torch.randn(out_features, in_features, generator=generator) / in_features ** 0.5)
        model[1].bias.zero_()
        model[2].running_mean.copy_(2.0 * torch.randn(out_features, generator=generator))
        model[2].running_var.copy_(0.25 + 4.0 * torch.rand(out_features, generator=generator))
    return model


def batchnorm_setup(in_features, out_features, seed):
    """batchnorm_net, cross-entropy and SGD with learning rate 0 (the parameters stay put)."""
    model = batchnorm_net(in_features, out_features, seed)
    return model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.0)
'''
"""Grader-written source for ``twin``: a network whose train and eval outputs differ, to check by
behaviour that a prediction helper evaluates in eval mode and a training step trains in train mode
(``batchnorm_net(in_features, out_features, seed)``, ``batchnorm_setup(...)``)."""


def twin(student_value: Any, source: str, name: str, *args: Any) -> tuple[Any, Any]:
    """Grader-written ``source`` defining the function ``name``, run twice: in the sandbox of
    ``student_value`` (``define_in_sandbox``) and here, on the trusted side; returns
    ``(name(*args) there, name(*args) here)``.

    For behaviour checks of a student's helper on an object the grader chooses, such as a torch
    module whose train and eval outputs differ (dropout, batch norm): hand the sandbox's object to
    the student's function and compare its result with what the trusted twin gives (load the
    twin's ``state_dict`` into the sandbox's first, so both hold the same numbers). The verdict
    rests on that comparison, never on an observation made inside the sandbox. AssertionError as
    ``define_in_sandbox``.
    """
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<grader {name}>", "exec"), namespace)
    return define_in_sandbox(student_value, source, name)(*args), namespace[name](*args)


def train_mode_twin(student_value: Any, in_features: int, out_features: int, seed: int) -> tuple[Any, Any]:
    """``BATCHNORM_NET``'s ``batchnorm_net(in_features, out_features, seed)`` as ``twin`` makes it,
    for checking that a student's prediction helper switches a model to evaluation mode: returns
    ``(the sandbox's network, in training mode, holding the trusted copy's weights and running
    statistics; the trusted copy, in evaluation mode)``. Hand the first to the student's function
    and compare its result with the second's outputs (under ``torch.no_grad()``). AssertionError
    as ``define_in_sandbox``.
    """
    model, local = twin(student_value, BATCHNORM_NET, "batchnorm_net", in_features, out_features, seed)
    model.load_state_dict(local.state_dict())
    model.train()
    return model, local.eval()


_figures: list[dict] | None = None
"""Where ``show_confusion_matrix`` puts its picture: the running test's list (see ``collect_figures``)."""


@contextlib.contextmanager
def collect_figures() -> Iterator[list[dict]]:
    """Collect the pictures drawn while the block runs (the runner wraps each test in it)."""
    global _figures
    previous, _figures = _figures, []
    try:
        yield _figures
    finally:
        _figures = previous


def show_confusion_matrix(labels: Any, predictions: Any, num_classes: int, title: str = "Your predictions",
                          labels_secret: bool = True) -> np.ndarray:
    """Add a confusion-matrix picture of the student's predictions to their feedback report,
    and return the matrix.

    - labels, predictions: (N,) integer class indices in [0, num_classes) (arrays or tensors,
      computed on the trusted side).
    - labels_secret: whether the student must not learn ``labels`` (pass the split's
      ``autograder.datasets.Split.labels_secret``). Then no picture is drawn: a matrix of counts
      still reveals individual labels, since a submission chooses its predictions (weights
      that send one chosen test image alone to each class show that image's label in its
      column). Per-class pictures are drawn only of labels the student already has (a
      training split), so the feedback of a test on secret labels reveals its points and
      message only. The default is the safe one.
    - Returns ``counts``: (num_classes, num_classes) int64, ``counts[true, predicted]`` (rows are
      true classes, as in scikit-learn's confusion_matrix).

    Outside a grading run (no ``collect_figures``) only the matrix is returned.
    """
    labels = np.asarray(labels, dtype=np.int64).ravel()
    predictions = np.asarray(predictions, dtype=np.int64).ravel()
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (labels, predictions), 1)
    if _figures is not None and not labels_secret:
        _figures.append({"title": title, "png": _confusion_png(counts, title)})
    return counts


def _confusion_png(counts: np.ndarray, title: str) -> str:
    """``counts`` drawn as a heat map with its numbers, as a base64 PNG (matplotlib, Agg)."""
    from matplotlib.figure import Figure

    n = len(counts)
    fig = Figure(figsize=(1.2 + 0.45 * n, 1.0 + 0.45 * n), dpi=100)
    ax = fig.subplots()
    ax.imshow(counts, cmap="Blues")
    ax.set(xticks=range(n), yticks=range(n), xlabel="predicted class", ylabel="true class")
    ax.set_title(title, fontsize=9)
    for (i, j), value in np.ndenumerate(counts):
        ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                color="white" if value > counts.max() / 2 else "black")
    fig.tight_layout()
    return png_base64(fig)
