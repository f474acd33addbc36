"""The Dask executor (issue 6): a LocalCluster grades like the local pool, and a grader
process that dies is retried once, then its submission is marked failed; the batch goes on."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from autograder.bundle import BundleConfig, write_bundle
from autograder.cli import main
from conftest import DOUBLE, TINY_TEST_FILE, code_notebook, tiny_bundle

pytest.importorskip("distributed")

KILLER_TEST_FILE = TINY_TEST_FILE.replace("name = \"double\"", "name = \"double\"\nimport os") + '''

@test_case(points=1, hidden=True)
def test_grader_crash(double):
    if double(21) == "boom":  # the submission makes the trusted test process itself die
        os._exit(1)
'''


def grade(bundle, subs, out, *extra):
    return CliRunner().invoke(
        main, ["grade", str(bundle), str(subs), "-o", str(out), "--executor", "dask", "--workers", "2", *extra]
    )


def test_a_local_dask_cluster_grades_like_the_process_pool(sandbox_mode, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    code_notebook(subs / "right.ipynb", DOUBLE)
    code_notebook(subs / "wrong.ipynb", "def double(x):\n    return x + 2\n")
    code_notebook(subs / "crashes.ipynb", "import os\nos._exit(3)")
    bundle = tiny_bundle(tmp_path)
    run = grade(bundle, subs, tmp_path / "dask", "--sandbox", sandbox_mode)
    assert run.exit_code == 0, run.output
    local = CliRunner().invoke(main, ["grade", str(bundle), str(subs), "-o", str(tmp_path / "local"), "--sandbox", sandbox_mode])
    assert local.exit_code == 0, local.output

    def scores(folder):
        return {r["submission"]: (r["score"], r["double.test_hidden"]) for r in csv.DictReader((folder / "grades.csv").open())}

    assert scores(tmp_path / "dask") == scores(tmp_path / "local")
    assert scores(tmp_path / "dask")["right"] == ("3.0", "2.0") and scores(tmp_path / "dask")["crashes"][0] == "0.0"


def test_a_dying_grader_process_is_retried_once_then_marked_failed(sandbox_mode, tmp_path):
    bundle = tmp_path / "killer.zip"
    write_bundle(bundle, BundleConfig(id="killer", seed=1), {"double.py": KILLER_TEST_FILE})
    subs = tmp_path / "subs"
    subs.mkdir()
    code_notebook(subs / "fine.ipynb", DOUBLE)
    code_notebook(subs / "killer.ipynb", "def double(x):\n    return 'boom' if x == 21 else 2 * x\n")
    run = grade(bundle, subs, tmp_path / "out", "--sandbox", sandbox_mode)
    assert run.exit_code == 3, run.output  # the batch finished; the grader failed on one submission
    rows = {r["submission"]: r for r in csv.DictReader((tmp_path / "out" / "grades.csv").open())}
    assert rows["fine"]["score"] == "4.0"
    assert rows["killer"]["score"] == "0.0"
    output = (tmp_path / "out" / "killer" / "result.json").read_text()
    assert '"state": "grader_error"' in output
    assert "KilledWorker" in output and "on 2 different workers" in output  # tried, then retried once
