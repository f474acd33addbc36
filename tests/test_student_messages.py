"""Messages that name the cause: missing names, another assignment's notebook."""

from __future__ import annotations

import pytest

from autograder.bundle import Bundle, BundleConfig, write_bundle
from autograder.grading.grade import grade_submission
from conftest import code_notebook, options

THREE_NAMES = """
from otter.test_files import test_case

OK_FORMAT = False
name = "metrics"


@test_case(points=1, hidden=False)
def test_accuracy(accuracy_fn, np):
    assert accuracy_fn(np.array([1, 2]), np.array([1, 3])) == 50.0


@test_case(points=1, hidden=True)
def test_loss(loss_fn, torch):
    assert float(loss_fn(torch.tensor([1.0]), torch.tensor([1.0]))) == 0.0


@test_case(points=1, hidden=True)
def test_train(train_step):
    assert train_step() is not None
"""


def grade(tmp_path, *cells):
    zip_path = tmp_path / "metrics.zip"
    write_bundle(zip_path, BundleConfig(id="metrics", seed=1), {"metrics.py": THREE_NAMES})
    return grade_submission(code_notebook(tmp_path / "nb.ipynb", *cells), Bundle.load(zip_path), options("none"))


def outputs(result):
    return {t.name.split(".")[-1]: t.output for t in result.tests}


def test_a_renamed_function_or_a_missing_import_is_named_instead_of_a_nonetype_error(tmp_path):
    result = grade(tmp_path, "import numpy as np\ndef accuracy(a, b):\n    return 100.0 * (a == b).mean()",
                   "def loss_fn(a, b):\n    return ((a - b) ** 2).mean()", "def train_step():\n    return 1")
    out = outputs(result)
    assert out["test_accuracy"].startswith("`accuracy_fn` is not defined in your notebook")
    assert out["test_loss"].startswith("`torch` is not defined in your notebook")
    assert "NoneType" not in out["test_accuracy"] + out["test_loss"]
    assert "another assignment" not in out["test_accuracy"]  # 2 of 5 names missing
    assert result.tests[2].status == "passed"


def test_another_assignments_notebook_is_suspected_when_most_names_are_missing(tmp_path):
    result = grade(tmp_path, "import numpy as np\ndef double(x):\n    return 2 * x")
    for output in outputs(result).values():
        assert "not defined in your notebook" in output and "notebook of another assignment?" in output


PUBLICLY_COVERED = ["mnist-softmax", "numpy-batchnorm-dropout", "numpy-cnn", "numpy-layers", "numpy-logreg", "numpy-mlp", "numpy-rnn", "torch-lstm-airline", "torch-rnn"]
"""The assignments whose public tests are cheap to run (NumPy, or torch with at most a few steps on tiny tensors):
every shipped mutant must fail one."""


@pytest.mark.parametrize("assignment", PUBLICLY_COVERED)
def test_the_public_tests_alone_catch_every_shipped_mutant(assignment):
    """grader.check / dlgrade check on small worked examples fail each known mistake (issue 14, point 3);
    before, 19 of the 60 mutants then shipped passed every public test (the unstable softmax, a forgotten eps, the
    ignored learning rate, a state not carried from window to window, ...), and 13 of the 26 of torch-rnn and
    torch-lstm-airline (the arg-max for a draw, gradients never zeroed, forecasts left scaled, dropout on in predict, ...)."""
    from autograder.build.validate import public_coverage
    from autograder.resources import assignments_dir

    reference, catches = public_coverage(assignments_dir() / assignment, options("none"))
    assert reference.score == reference.max_score, [t.output for t in reference.tests if t.status != "passed"]
    assert catches and [c.mutant for c in catches if not c.caught] == []


UNAVERAGED = """
import numpy as np

def gradients(images, labels, W, b):
    logits = images @ W + b
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    dlogits = probs - labels  # the mean's 1/N forgotten
    return images.T @ dlogits, np.sum(dlogits, axis=0)
"""


def test_an_unaveraged_gradient_is_told_to_divide_by_n(tmp_path):
    from autograder.assignment_package import folder_sources
    from autograder.resources import assignments_dir

    folder = assignments_dir() / "mnist-softmax"
    zip_path = tmp_path / "g.zip"
    write_bundle(zip_path, BundleConfig(id="g", seed=1), {"gradients.py": (folder / "tests" / "gradients.py").read_text()}, folder_sources(folder))
    result = grade_submission(code_notebook(tmp_path / "nb.ipynb", UNAVERAGED), Bundle.load(zip_path), options("none"))
    out = outputs(result)
    assert "times too large" in out["test_against_reference"] and "divide by N" in out["test_against_reference"]
    assert "divided by N" in out["test_worked_example_at_zero"]  # the public worked example says it too


def test_a_whole_model_saved_instead_of_its_state_dict_is_told_to_save_the_state_dict():
    import io

    import pytest
    import torch

    from autograder.testing import load_state_dict

    buffer = io.BytesIO()
    torch.save(torch.nn.Linear(2, 1), buffer)  # the whole module, pickled
    with pytest.raises(AssertionError, match=r"torch.save\(model.state_dict\(\), 'w.pt'\)"):
        load_state_dict({"w.pt": buffer.getvalue()}, "w.pt")


def test_a_hidden_test_that_cannot_use_the_return_value_says_so_instead_of_a_generic_failure(tmp_path):
    """``return W, b`` where ``(W, b), losses`` was asked: the hidden test's unpacking fails on the
    trusted side. The message names the return value and the error, not only 'This hidden test failed'."""
    zip_path = tmp_path / "t.zip"
    source = THREE_NAMES.replace("assert train_step() is not None", "(W, b), losses = train_step()")
    write_bundle(zip_path, BundleConfig(id="t", seed=1), {"metrics.py": source})
    result = grade_submission(code_notebook(tmp_path / "nb.ipynb", "def train_step():\n    return 1, 2"), Bundle.load(zip_path), options("none"))
    out = outputs(result)["test_train"]
    assert out.startswith("This hidden test could not use what your code returned (TypeError: cannot unpack")
    assert "return value" in out
