"""`dlgrade check`: a student runs the public tests embedded in their own notebook (--trust-notebook),
or a grader the autograder's public tests (--autograder), with the cells sandboxed."""

from __future__ import annotations

from click.testing import CliRunner

from autograder.cli import main
from conftest import code_notebook, notebook_from


def check(path, sandbox_mode):
    return CliRunner().invoke(main, ["check", str(path), "--trust-notebook", "--sandbox", sandbox_mode])


def test_check_passes_the_solution_and_fails_the_stub_with_the_public_tests_only(built, sandbox_mode, tmp_path):
    done = check(built.solution_notebook, sandbox_mode)
    assert done.exit_code == 0, done.output
    assert "softmax.test_rows_are_distributions" in done.output and "passed" in done.output
    assert "test_mnist_test_accuracy" not in done.output  # a hidden test: not in the student's notebook
    stub = check(built.student_notebook, sandbox_mode)
    assert stub.exit_code == 1 and "failed" in stub.output and " 0/" in stub.output


def test_check_runs_student_code_in_the_sandbox_not_in_the_checking_process(built, sandbox_mode, tmp_path):
    marker = tmp_path / "written-by-student"
    path = notebook_from(built.solution_notebook, tmp_path / "nb.ipynb", extra_cells=[f"open({str(marker)!r}, 'w').write('x')"])
    run = check(path, sandbox_mode)
    assert "cell" in run.output and "raised" in run.output  # the sandbox cannot see the host's tmp_path
    assert not marker.exists()


def test_a_notebook_without_public_tests_gets_a_clear_message(sandbox_mode, tmp_path):
    run = check(code_notebook(tmp_path / "plain.ipynb", "x = 1"), sandbox_mode)
    assert run.exit_code != 0 and "no public tests found" in run.output
