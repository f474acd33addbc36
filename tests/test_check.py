"""`dlgrade check`: a student runs the public tests stored in their own notebook (in the sandbox,
with the cells), or a grader the autograder's public tests (--autograder, on the trusted side)."""

from __future__ import annotations

from click.testing import CliRunner

from autograder.cli import main
from conftest import code_notebook, notebook_from


def check(path, sandbox_mode):
    return CliRunner().invoke(main, ["check", str(path), "--sandbox", sandbox_mode])


def test_check_passes_the_solution_and_fails_the_stub_with_the_public_tests_only(built, sandbox_mode, tmp_path):
    done = check(built.solution_notebook, sandbox_mode)
    assert done.exit_code == 0, done.output
    assert "softmax.test_rows_are_distributions" in done.output and "passed" in done.output
    assert "test_mnist_test_accuracy" not in done.output  # a hidden test: not in the student's notebook
    from autograder.bundle import Bundle

    hidden = [tc for _, tc in Bundle.load(built.autograder_zip).test_cases if tc.hidden]
    points = sum(tc.points for tc in hidden)
    assert f"The grader also runs {len(hidden)} hidden tests ({points:g} points), not in your notebook:" in done.output
    assert "  softmax: 2 (values against reference; stable for logits of 1000)" in done.output
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


def test_check_runs_code_under_cell_magics_and_names_the_lines_it_did_not_run(built, sandbox_mode, tmp_path):
    """``%%time`` on an answer cell used to drop the whole cell: public tests passed in Jupyter,
    failed when graded. Cells are numbered from 1 (Markdown too), as feedback.md numbers them."""
    import nbformat

    path = notebook_from(built.solution_notebook, tmp_path / "nb.ipynb", replace_text={"def softmax(": "%%time\ndef softmax("},
                         extra_cells=["!pip install nothing", "x = 1\nraise ValueError('boom in my cell')"])
    count = len(nbformat.read(path, as_version=4).cells)
    run = check(path, sandbox_mode)
    assert run.exit_code == 0, run.output
    assert f"cell {count - 1}, line 1 was not run (!pip install nothing): shell commands" in run.output
    assert f"cell {count} raised ValueError: boom in my cell" in run.output
    assert f"Cell {count}, line 2" in run.output and "raise ValueError('boom in my cell')" in run.output


def test_check_warns_when_this_kernel_differs_from_the_grader_in_a_major_version(built, sandbox_mode, tmp_path):
    """NumPy 1.x code (np.int) fails under the grader's NumPy 2: the recorded environment says so first."""
    import nbformat

    from autograder.check import environment_warnings, grading_environment, recorded_environment

    here = grading_environment()
    assert recorded_environment(built.solution_notebook) == here  # recorded at build
    assert check(built.solution_notebook, sandbox_mode).output.count("warning:") == 0
    nb = nbformat.read(built.solution_notebook, as_version=4)
    nb.metadata["dlgrade"]["environment"]["numpy"] = "1.26.4"
    nbformat.write(nb, tmp_path / "old.ipynb")
    run = check(tmp_path / "old.ipynb", sandbox_mode)
    assert f"warning: the grader runs numpy 1.26.4; this kernel has {here['numpy']}" in run.output
    assert environment_warnings({"numpy": "2.0.0", "python": "3.11.0"}, {"numpy": "2.3.1", "python": "3.11.9"}) == []
    assert len(environment_warnings({"python": "3.12.1", "torch": "2.1.0"}, {"python": "3.11.9"})) == 2


def test_check_escapes_control_characters_in_the_recorded_environment(built, sandbox_mode, tmp_path):
    """The environment comes from the notebook's metadata, which the student's file carries: its
    warning goes through the escaping echo like every other line (no terminal escape reaches the
    screen)."""
    import nbformat

    from autograder.check import environment_lines

    nb = nbformat.read(built.solution_notebook, as_version=4)
    nb.metadata["dlgrade"]["environment"]["numpy"] = "0.1\x1b]0;owned\x07\x1b[2J"
    nbformat.write(nb, tmp_path / "odd.ipynb")
    assert any("\x1b" in line.text for line in environment_lines(tmp_path / "odd.ipynb"))
    run = check(tmp_path / "odd.ipynb", sandbox_mode)
    assert "warning: the grader runs numpy 0.1\\x1b]0;owned\\x07\\x1b[2J;" in run.output
    assert "\x1b" not in run.output and "\x07" not in run.output
