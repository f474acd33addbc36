"""End to end through the CLI: `dlgrade grade` on real MNIST with a mixed batch."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from autograder.cli import main
from autograder.demo import write_example_submissions
from conftest import notebook_from

RESULT_KEYS = {"score", "max_score", "tests", "output", "execution_time"}
TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility", "graded", "limit", "seconds"}
"""Gradescope's test fields plus dlgrade's ``graded``, ``limit`` and ``seconds`` (autograder/grading/results.py)."""


def test_grade_a_mixed_batch_on_real_mnist(built, fast_bundle, mnist_dir, sandbox_mode, tmp_path):
    subs = tmp_path / "submissions"
    write_example_submissions(built.solution_notebook, built.student_notebook, subs)
    notebook_from(built.solution_notebook, subs / "hangs.ipynb", extra_cells=["while True:\n    pass"])
    notebook_from(built.solution_notebook, subs / "exits.ipynb", extra_cells=["import os\nos._exit(3)"])
    (subs / "not json.ipynb").write_text("{ this is not a notebook")
    out = tmp_path / "results"

    run = CliRunner().invoke(
        main, ["grade", str(fast_bundle), str(subs), "-o", str(out), "--workers", "2", "--data-dir", str(mnist_dir)]
    )
    assert run.exit_code == 0, run.output

    rows = {r["submission"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert set(rows) == {"correct", "untouched", "gradient_bug", "hangs", "exits", "not json"}
    max_score = float(rows["correct"]["max_score"])
    assert float(rows["correct"]["score"]) == max_score
    assert float(rows["correct"]["train.test_mnist_test_accuracy"]) > 0
    assert float(rows["untouched"]["score"]) == 0
    assert 0 < float(rows["gradient_bug"]["score"]) < max_score
    assert float(rows["gradient_bug"]["gradients.test_numerical_gradient_check"]) == 0
    for bad in ("hangs", "exits", "not json"):
        assert float(rows[bad]["score"]) == 0

    results = {name: json.loads((out / name / "result.json").read_text()) for name in rows}
    for result in results.values():
        assert RESULT_KEYS <= set(result)
        assert result["tests"] and all(set(t) == TEST_KEYS for t in result["tests"])
        assert {t["visibility"] for t in result["tests"]} == {"visible", "hidden"}
        assert all(t["status"] in ("passed", "failed") for t in result["tests"])
    assert "did not finish within" in results["hangs"]["output"]
    assert "exit code 3" in results["exits"]["output"]
    assert "not valid JSON" in results["not json"]["output"]
    numeric = next(t for t in results["gradient_bug"]["tests"] if t["name"] == "gradients.test_numerical_gradient_check")
    assert "relative error" in numeric["output"] and "gradb" in numeric["output"]

    html = (out / "gradient_bug" / "feedback.html").read_text()
    assert f"{float(rows['gradient_bug']['score']):g} / {max_score:g}" in html
    assert "gradient check failed for gradb" in html


def test_grade_refuses_without_the_data_it_needs(built, tmp_path):
    run = CliRunner().invoke(
        main, ["grade", str(built.autograder_zip), str(built.student_notebook), "-o", str(tmp_path / "r"),
               "--data-dir", str(tmp_path), "--sandbox", "none"],
    )
    assert run.exit_code != 0 and "need MNIST" in run.output
    assert not (tmp_path / "r").exists()


def test_grade_refuses_a_file_that_is_not_an_autograder_zip(built, tmp_path):
    bogus = tmp_path / "autograder.zip"
    bogus.write_bytes(b"PK not really")
    run = CliRunner().invoke(main, ["grade", str(bogus), str(built.student_notebook), "-o", str(tmp_path / "r"), "--sandbox", "none"])
    assert run.exit_code != 0 and "not a readable autograder zip" in run.output


def test_grade_refuses_without_bubblewrap_unless_told_and_then_warns(built, mnist_dir, tmp_path, monkeypatch):
    import autograder.grading.launcher as launcher

    monkeypatch.setattr(launcher.shutil, "which", lambda name: None)
    args = ["grade", str(built.autograder_zip), str(built.student_notebook), "-o", str(tmp_path / "r"), "--data-dir", str(mnist_dir)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code != 0 and "bubblewrap (bwrap) is not installed" in refused.output
    assert not (tmp_path / "r").exists()

    allowed = CliRunner().invoke(main, args + ["--sandbox", "none"])
    assert allowed.exit_code == 0, allowed.output
    assert "WARNING: --sandbox none" in allowed.output
    assert json.loads((tmp_path / "r" / "mnist-softmax" / "result.json").read_text())["score"] == 0


def test_build_refuses_to_verify_without_the_data_and_builds_without_verifying(tmp_path):
    from conftest import ASSIGNMENT

    refused = CliRunner().invoke(main, ["build", str(ASSIGNMENT), "-o", str(tmp_path / "d"), "--data-dir", str(tmp_path), "--sandbox", "none"])
    assert refused.exit_code != 0 and "need MNIST" in refused.output
    built = CliRunner().invoke(main, ["build", str(ASSIGNMENT), "-o", str(tmp_path / "d"), "--no-verify"])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "d" / "student" / "mnist-softmax.ipynb").is_file() and (tmp_path / "d" / "autograder.zip").is_file()
