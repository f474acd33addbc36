"""`dlgrade validate` on every shipped assignment, and on assignments whose tests are too weak."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from autograder.build.spec import tomllib
from autograder.build.validate import MutantError, load_mutants
from autograder.cli import main
from autograder.resources import assignments_dir
from conftest import ASSIGNMENT
from autograder.datasets import DATASET_TITLES, missing_files

ASSIGNMENTS = sorted(p for p in assignments_dir().iterdir() if (p / "assignment.toml").is_file())


NOT_ON_OUR_MACHINES = {"cifar10"}
"""Datasets our CI and development machines do not hold; an assignment that needs one is
validated only where DLGRADE_DATA_DIR has it (its grading path is tested on small files in
the real format by its own tests)."""


@pytest.mark.parametrize("folder", ASSIGNMENTS, ids=[p.name for p in ASSIGNMENTS])
def test_every_shipped_assignment_validates(folder, mnist_dir, sandbox_mode):
    for dataset in NOT_ON_OUR_MACHINES & set(tomllib.loads((folder / "assignment.toml").read_text()).get("data", [])):
        if missing_files(dataset, mnist_dir):
            pytest.skip(f"{folder.name} needs {DATASET_TITLES[dataset]} in DLGRADE_DATA_DIR, which is not on this machine")
    run = CliRunner().invoke(main, ["validate", str(folder), "--data-dir", str(mnist_dir), "--sandbox", sandbox_mode])
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
    (tmp_path / "mutants" / "broken.toml").write_text('description = "no replacements"\n')
    with pytest.raises(MutantError, match="broken.toml"):
        load_mutants(tmp_path)
