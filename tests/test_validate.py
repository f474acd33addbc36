"""`dlgrade validate` on every shipped assignment, and on assignments whose tests are too weak."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from autograder.build.validate import MutantError, load_mutants
from autograder.cli import main
from autograder.resources import assignments_dir
from conftest import ASSIGNMENT, data_dir, options, tomllib
from autograder.datasets import DATASET_TITLES, missing_files

pytestmark = pytest.mark.slow  # validate builds and grades every mutant of an assignment

ASSIGNMENTS = sorted(p for p in assignments_dir().iterdir() if (p / "assignment.toml").is_file())


def missing_datasets(folder) -> list[str]:
    """The datasets ``folder``'s assignment.toml declares (``data``) that the test data folder
    (``conftest.data_dir``) lacks: only an assignment that needs one is skipped."""
    declared = tomllib.loads((folder / "assignment.toml").read_text()).get("data", [])
    return [name for name in declared if missing_files(name, data_dir())]


@pytest.mark.parametrize("folder", ASSIGNMENTS, ids=[p.name for p in ASSIGNMENTS])
def test_every_shipped_assignment_validates(folder, sandbox_mode):
    missing = missing_datasets(folder)
    if missing:
        pytest.skip(f"{folder.name} needs {', '.join(DATASET_TITLES[m] for m in missing)} in DLGRADE_DATA_DIR, which is not on this machine")
    data = ["--data-dir", str(data_dir())] if data_dir() else []
    run = CliRunner().invoke(main, ["validate", str(folder), *data, "--sandbox", sandbox_mode])
    assert run.exit_code == 0, run.output
    assert "FAIL" not in run.output and run.output.count("  ok   mutant ") >= 3


def test_a_mutant_the_tests_miss_and_too_few_mutants_fail_validation(tmp_path, mnist_dir, sandbox_mode):
    folder = tmp_path / "weak"
    shutil.copytree(ASSIGNMENT, folder)
    shutil.rmtree(folder / "mutants")
    (folder / "mutants").mkdir()
    (folder / "mutants" / "harmless.toml").write_text(
        'description = "renames a local variable: behaviour is unchanged"\nexpect_message = "x"\n'
        '[[replace]]\nold = "predicted = np.argmax"\nnew = "guesses = predicted = np.argmax"\n'
    )
    run = CliRunner().invoke(main, ["validate", str(folder), "--data-dir", str(mnist_dir), "--sandbox", sandbox_mode])
    assert run.exit_code != 0
    assert "FAIL mutant harmless" in run.output and "passes every hidden test" in run.output
    assert "FAIL mutants" in run.output and "found 1" in run.output
    assert "FAIL public tests" in run.output and "catch 0 of 1; every public test passes harmless" in run.output
    assert "ok   reference" in run.output and "ok   untouched stub" in run.output


def test_stale_or_malformed_mutants_are_named(tmp_path):
    (tmp_path / "mutants").mkdir()
    (tmp_path / "mutants" / "stale.toml").write_text('description = "d"\nexpect_message = "m"\n[[replace]]\nold = "no such code"\nnew = "x"\n')
    (stale,) = load_mutants(tmp_path)
    solution = tmp_path / "nb.ipynb"
    import nbformat

    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), solution)
    with pytest.raises(MutantError, match="no code cell contains 'no such code'"):
        stale.apply(solution, tmp_path / "out.ipynb")
    (tmp_path / "mutants" / "equivalent.toml").write_text('[[equivalent]]\nid = "abc"\nreason = "r"\n')
    assert [m.name for m in load_mutants(tmp_path)] == ["stale"], "equivalent.toml lists generated mutants; it is no mutant"
    (tmp_path / "mutants" / "broken.toml").write_text('description = "no replacements"\n')
    with pytest.raises(MutantError, match="broken.toml"):
        load_mutants(tmp_path)


MAX_CHARGES = 4
"""One bug, one charge: the most hidden tests one shipped mutant of a cheap assignment may fail.
A bug in one function fails that function's tests; a composite test (a training loop, a network
of the student's layers) must not charge it again (benchmarks/charges_per_bug.py measures all
assignments). The bound counts tests, so one function's several tests (shape, values, gradient
check) stay within it."""

CHEAP_ASSIGNMENTS = ["numpy-batchnorm-dropout", "numpy-cnn", "numpy-mlp", "torch-fundamentals", "torch-workflow"]
"""Assignments that validate in about a minute each (no MNIST training)."""

CHARGE_EXCEPTIONS = {
    ("numpy-batchnorm-dropout", "bn_running_stats_in_train"): (
        "train mode normalises with the wrong statistics: every train-mode forward test fails, and the backward "
        "tests differentiate the student's own forward pass (its cache is the student's format)"
    ),
    ("torch-workflow", "forward_no_bias"): (
        "fit, train_step and predict run the student's LinearRegressionModel (a grader model cannot be handed "
        "to the sandbox's functions)"
    ),
    ("torch-workflow", "mse_loss"): "fit and train_step train with the loss the student's make_loss_and_optimizer returns",
}
"""Shipped mutants allowed more than MAX_CHARGES failing hidden tests, with the reason: composites
that cannot isolate the function (debts to pay with grader-made objects in the sandbox)."""


@pytest.mark.parametrize("assignment", CHEAP_ASSIGNMENTS)
def test_one_bug_one_charge(assignment, sandbox_mode):
    from autograder.build.validate import charges, validate

    folder = assignments_dir() / assignment
    report = validate(folder, options(sandbox_mode, data_dir()), workers=2)
    over = {
        name: charge.tests for name, charge in charges(report).items()
        if len(charge.tests) > MAX_CHARGES and (assignment, name) not in CHARGE_EXCEPTIONS
    }
    assert not over, f"shipped mutants charged by more than {MAX_CHARGES} hidden tests: {over}"
    stale = [name for (a, name) in CHARGE_EXCEPTIONS if a == assignment and len(charges(report)[name].tests) <= MAX_CHARGES]
    assert not stale, f"CHARGE_EXCEPTIONS lists {stale}, now charged at most {MAX_CHARGES} times: remove them"
