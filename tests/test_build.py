"""`dlgrade build`: the student notebook, the bundle, and verification of the tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.build.assign import BuildError, build, verify
from autograder.build.spec import AssignmentSpec, SpecError
from autograder.bundle import Bundle
from conftest import ASSIGNMENT, options

QUESTIONS = ["softmax", "forward", "cross_entropy", "gradients", "accuracy", "train"]


def test_student_notebook_is_stubbed_valid_nbformat_4_with_checks(built):
    nb = nbformat.read(built.student_notebook, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for question in QUESTIONS:
        assert f'grader.check("{question}")' in code
        assert f"def {question}(" in code
    # the solution regions are gone, the signatures and docstrings stay
    for solution_line in ("shifted = X - np.max(X, axis=1, keepdims=True)", "dlogits = (probs - labels)", "rng.permutation"):
        assert solution_line not in code
    assert "BEGIN SOLUTION" not in code
    # public tests travel in the notebook for grader.check; hidden ones do not
    tests_meta = str(nb.metadata["otter"])
    assert "test_rows_are_distributions" in tests_meta
    assert "test_mnist_test_accuracy" not in tests_meta and "reference" not in tests_meta


def test_solution_notebook_keeps_the_reference(built):
    code = "\n".join(c.source for c in nbformat.read(built.solution_notebook, as_version=4).cells if c.cell_type == "code")
    assert "shifted = X - np.max(X, axis=1, keepdims=True)" in code


def test_bundle_holds_config_and_every_test_file(built):
    with zipfile.ZipFile(built.autograder_zip) as zf:
        names = set(zf.namelist())
    assert names == {"dlgrade.json", "assignment/solution.py"} | {f"tests/{q}.py" for q in QUESTIONS}
    bundle = Bundle.load(built.autograder_zip)
    assert bundle.config.id == "mnist-softmax" and bundle.config.data == ["mnist"]
    assert [f.name for f in bundle.test_files] == QUESTIONS  # notebook order, not alphabetical
    hidden = [tc for _, tc in bundle.test_cases if tc.hidden]
    public = [tc for _, tc in bundle.test_cases if not tc.hidden]
    assert len(hidden) > len(public) >= len(QUESTIONS)


@pytest.mark.slow
def test_verification_passes_reference_and_zeroes_stub_on_real_mnist(built, mnist_dir, sandbox_mode):
    verify(built, options(sandbox_mode, mnist_dir))
    assert built.solution_result.score == built.solution_result.max_score > 0
    assert built.stub_result.score == 0
    config = Bundle.load(built.autograder_zip).config  # what the reference took: each test's time budget
    assert set(config.reference_seconds) == {t.name for t in built.solution_result.tests}
    assert config.reference_cells_seconds > 0 and config.reference_seconds["train.test_mnist_test_accuracy"] > 0


def test_verification_fails_loudly_for_a_test_the_stub_passes(tmp_path, sandbox_mode):
    """An assignment whose hidden test cannot tell the stub from the reference must not build."""
    import shutil

    folder = tmp_path / "weak"
    shutil.copytree(ASSIGNMENT, folder)
    (folder / "tests" / "softmax.py").write_text(
        "from otter.test_files import test_case\n"
        "OK_FORMAT = False\n"
        "name = 'softmax'\n"
        "@test_case(points=1, hidden=True)\n"
        "def test_anything_goes(softmax):\n"
        "    assert softmax is not None\n"
    )
    with pytest.raises(BuildError, match="untouched stub passes softmax.test_anything_goes"):
        build(folder, tmp_path / "dist", options(sandbox_mode, allow_fallback_data=True))


def test_spec_errors_name_what_is_missing(tmp_path):
    with pytest.raises(SpecError, match="no assignment.toml"):
        AssignmentSpec.load(tmp_path)
    (tmp_path / "assignment.toml").write_text('id = "x"\n[[cells]]\nquestion = "softmax"\n')
    with pytest.raises(SpecError, match="solution.py is missing"):
        AssignmentSpec.load(tmp_path)
    (tmp_path / "solution.py").write_text("def softmax(z):\n    return z\n")
    with pytest.raises(SpecError, match="no tests/softmax.py"):
        AssignmentSpec.load(tmp_path)


def test_installed_wheel_carries_templates_and_assignments(tmp_path):
    """`pip install .` (not only -e) must find templates/ and assignments/."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(repo)],
        check=True, capture_output=True,
    )
    wheel = next(tmp_path.glob("dlgrade-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "autograder/_resources/templates/feedback.html.j2" in names
    assert "autograder/_resources/assignments/mnist-softmax/assignment.toml" in names
    assert "autograder/_resources/assignments/mnist-softmax/tests/train.py" in names
    assert "autograder/_resources/assignments/mnist-softmax/solution.py" in names and "autograder/sandbox/worker.py" in names
    assert not any(n.startswith("reference/") for n in names)


def test_bundle_and_notebook_state_the_grading_environment(built):
    """The bundle records Python, NumPy (and torch) versions; the student reads them in a markdown cell (issue 14, item 7)."""
    from autograder.check import grading_environment

    here = grading_environment()
    assert Bundle.load(built.autograder_zip).config.environment == here
    markdown = [c.source for c in nbformat.read(built.student_notebook, as_version=4).cells if c.cell_type == "markdown"]
    stated = [m for m in markdown if "Grading environment" in m]
    assert len(stated) == 1 and f"NumPy {here['numpy']}" in stated[0] and f"Python {here['python']}" in stated[0]
def test_build_notes_hidden_tests_of_files_importing_the_assignment_at_their_top(tmp_path):
    """torch-classification's and torch-cnn-mnist's test files import ``assignment.grading`` at
    module level; the build's hidden-test summary must load them with the assignment's modules."""
    out = build(ASSIGNMENT.parent / "torch-classification", tmp_path / "dist", options=None)
    summary = nbformat.read(out.student_notebook, as_version=4).metadata["dlgrade"]["hidden_tests"]
    assert [t["name"] for t in summary["train_binary"]], summary
