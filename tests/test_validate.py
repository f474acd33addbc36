"""`dlgrade validate` on every shipped assignment, and on assignments whose tests are too weak."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from autograder.build.validate import MutantError, load_mutants
from autograder.cli import main
from autograder.resources import assignments_dir
from conftest import ASSIGNMENT, data_dir, tomllib
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
