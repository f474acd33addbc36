"""Helpers for test authors (imported by hidden tests, on the trusted side only).

Gradient checks use the one implementation in ``autograder.gradient_check`` (CS231n
conventions: centered differences, h = 1e-5, float64, ``rel_error``).
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

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
    "define_in_sandbox",
    "twin",
    "BATCHNORM_NET",
    "show_confusion_matrix",
    "load_state_dict",
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

    Raises AssertionError, for the student, when the file is missing, is not a
    ``torch.save`` file that ``weights_only`` loading accepts, or is not a dict of tensors.
    """
    import io

    import torch

    assert name in attachments, f"{name} was not submitted: put it in the zip with your notebook (or beside it)"
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


def define_in_sandbox(student_value: Any, source: str, name: str) -> Any:
    """Run grader-written ``source`` in the sandbox of ``student_value`` (a function or object
    from the student's notebook) and return what it defines as ``name``, as a callable Remote.

    For checks that must observe the student's code from inside its own process, such as
    recording which torch operators a function calls. The code runs among the student's, so a
    notebook written to defeat it could: use it for checks of ordinary behaviour, never as the
    only guard of a score. Raises AssertionError, for the student, when ``student_value`` is not
    from the notebook or the code cannot run.
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


def show_confusion_matrix(labels: Any, predictions: Any, num_classes: int, title: str = "Your predictions") -> np.ndarray:
    """Add a confusion-matrix picture of the student's predictions to their feedback report,
    and return the matrix.

    - labels, predictions: (N,) integer class indices in [0, num_classes) (arrays or tensors,
      computed on the trusted side).
    - Returns ``counts``: (num_classes, num_classes) int64, ``counts[true, predicted]`` (rows are
      true classes, as in scikit-learn's confusion_matrix).

    The picture shows counts per class pair, never which example was which, so it is safe for
    hidden test sets. Outside a grading run (no ``collect_figures``) only the matrix is returned.
    """
    labels = np.asarray(labels, dtype=np.int64).ravel()
    predictions = np.asarray(predictions, dtype=np.int64).ravel()
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (labels, predictions), 1)
    if _figures is not None:
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
