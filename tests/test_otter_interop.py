"""Otter interoperability: `dlgrade grade` takes the autograder zip that plain `otter assign`
makes from an ordinary Otter master notebook (exception-based tests), and refuses a malformed
OK-format (doctest) test file with a clear message."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

from autograder.cli import main

MASTER = Path(__file__).parent / "fixtures" / "otter_master_hw01.ipynb"


def otter_assign(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Run `otter assign` on the fixture: (autograder zip, solution notebook, student notebook)."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "otter", "assign", "--no-pdfs", "--no-run-tests", str(MASTER), str(dist)],
                   check=True, capture_output=True, cwd=tmp_path)
    (autograder_zip,) = (dist / "autograder").glob("*.zip")
    return autograder_zip, dist / "autograder" / MASTER.name, dist / "student" / MASTER.name


def test_an_otter_assign_zip_grades_with_hidden_tests_and_otters_points(sandbox_mode, tmp_path):
    autograder_zip, solution, student = otter_assign(tmp_path)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "solved.ipynb").write_bytes(solution.read_bytes())
    (subs / "untouched.ipynb").write_bytes(student.read_bytes())
    run = CliRunner().invoke(main, ["grade", str(autograder_zip), str(subs), "-o", str(tmp_path / "out"), "--sandbox", sandbox_mode])
    assert run.exit_code == 0, run.output
    rows = {r["submission"]: r for r in csv.DictReader((tmp_path / "out" / "grades.csv").open())}
    # Otter's question points (3) split as it splits them: 2 for the hidden test, the rest for the public one
    assert rows["solved"] == {"submission": "solved", "score": "3.0", "max_score": "3.0", "q1.test_unit_norm": "1.0", "q1.test_direction": "2.0"}
    assert rows["untouched"]["score"] == "0.0"


def test_a_malformed_ok_format_test_file_is_refused_with_a_clear_message(tmp_path):
    ok_zip = tmp_path / "ok.zip"
    with zipfile.ZipFile(ok_zip, "w") as zf:
        zf.writestr("tests/q1.py", "OK_FORMAT = True\n\ntest = {'name': 'q1', 'points': 1, 'suites': []}\n")
    nb = tmp_path / "nb.ipynb"
    nb.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    run = CliRunner().invoke(main, ["grade", str(ok_zip), str(nb), "-o", str(tmp_path / "out"), "--sandbox", "none"])
    assert run.exit_code != 0
    assert "q1.py: unreadable Otter test file" in run.output
