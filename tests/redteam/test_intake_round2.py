"""Round 2 of attacks on intake, identity and the files dlgrade writes (issue 11, classes 4, 5,
8, 9, 10, 14, 17): each is refused or neutralised, and a batch mixing them with an honest
submission grades the honest one and writes every class file."""

from __future__ import annotations

import csv
import json
import os
import threading

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.exports import AssignmentInfo, canvas_csv, final_grades_csv, match_submissions, read_roster
from autograder.grading.batch import grade_to_folder, read_results
from autograder.grading import results as grading_results
from autograder.grading.results import SubmissionResult, write_grades_csv
from autograder.intake import MAX_CELLS, MAX_CODE_BYTES, MAX_CODE_LINES, IntakeError, read_attachments, read_submission
from autograder.submissions import collect_submissions
from conftest import DOUBLE, code_notebook, options, tiny_bundle

FORMULA_NAMES = ['=HYPERLINK("evil.example","grade")', "@SUM(1+1)", "+cmd", "-2+3", "\tx"]
"""Submission names a spreadsheet would evaluate."""

ESC = "\x1b"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"
"""An OSC 52 sequence: writes 'evil' to the clipboard of the terminal that prints it."""


def within(seconds: float, call):
    """call() in a thread; its result, or a test failure if it has not returned in ``seconds``."""
    box = {}

    def run():
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still blocked after {seconds} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture
def fifo(tmp_path):
    """mkfifo at a path; afterwards a writer is opened and closed, so a reader blocked on it
    (the unfixed code) gets end-of-file and its thread ends."""
    made = []

    def make(path):
        os.mkfifo(path)
        made.append(path)
        return path

    yield make
    for path in made:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # no reader left


def notebook_json(cells: list[str]) -> str:
    """A notebook of code cells, written as JSON directly (fast for huge ones)."""
    return json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
                  for i, c in enumerate(cells)],
    })


# ------------------------------------------------------------------------------ 4: FIFOs


def test_a_fifo_notebook_or_attachment_is_refused_without_blocking(tmp_path, fifo):
    (tmp_path / "x").mkdir()
    notebook = fifo(tmp_path / "x" / "hw1.ipynb")
    with pytest.raises(IntakeError, match="not a regular file"):
        within(10, lambda: read_submission(notebook))

    alone = tmp_path / "y"
    alone.mkdir()
    code_notebook(alone / "hw1.ipynb", DOUBLE)
    fifo(alone / "weights.pt")
    assert within(10, lambda: read_attachments(alone / "hw1.ipynb", ["weights.pt"], 2**20)) == {}

    collection = within(10, lambda: collect_submissions([tmp_path]))
    assert "not a regular file" in collection.refused[notebook] and set(collection.submissions) == {"y"}


# ------------------------------------------------------------------------------ 5: symbolic links


def test_a_symlinked_notebook_is_refused_at_intake_and_at_collection(tmp_path):
    subs = tmp_path / "subs"
    for student in ("bob", "mallory", "zero"):
        (subs / student).mkdir(parents=True)
    code_notebook(subs / "bob" / "hw1.ipynb", DOUBLE)
    (subs / "mallory" / "mallory.ipynb").symlink_to("../bob/hw1.ipynb")  # Bob's work, as Mallory's
    (subs / "zero" / "hw1.ipynb").symlink_to("/dev/zero")  # reads until memory runs out
    (subs / "linked").symlink_to(subs / "bob", target_is_directory=True)

    with pytest.raises(IntakeError, match="symbolic link"):
        read_submission(subs / "mallory" / "mallory.ipynb")
    with pytest.raises(IntakeError, match="symbolic link"):
        read_submission(subs / "zero" / "hw1.ipynb")

    collection = collect_submissions([subs])
    assert collection.submissions == {"bob": subs / "bob" / "hw1.ipynb"}
    assert set(collection.refused) == {subs / "mallory" / "mallory.ipynb", subs / "zero" / "hw1.ipynb", subs / "linked"}


# ------------------------------------------------------------------------------ 8: spreadsheet formulas


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and cell != "--":  # "--": Otter's points-row status
                float(cell)  # only a plain number may start so


def test_no_csv_dlgrade_writes_holds_a_live_formula(tmp_path):
    results = [
        SubmissionResult(name, [grading_results.TestResult("double.test_public", 1.0, 1.0)]) for name in FORMULA_NAMES
    ] + [SubmissionResult("honest", [grading_results.TestResult("double.test_public", 1.0, 0.5)])]
    write_grades_csv(tmp_path / "grades.csv", results, ["double.test_public"])
    grades = list(csv.reader((tmp_path / "grades.csv").open(newline="")))
    assert_no_formula(grades)
    assert sorted(r[0] for r in grades[1:]) == sorted(["honest", *("'" + n for n in FORMULA_NAMES)])
    assert [r[1:] for r in grades if r[0] == "honest"] == [["0.5", "1.0", "0.5"]]  # numbers stay numbers

    final = list(csv.reader(final_grades_csv(results, AssignmentInfo("a", files={n: n + ".ipynb" for n in FORMULA_NAMES})).splitlines()))
    assert_no_formula(final)

    (tmp_path / "roster.csv").write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n=cmd|' /C calc'!A0,1,u1,honest,@S1\n-2+3,2,u2,nobody,+S\n"
    )
    roster = read_roster(tmp_path / "roster.csv")
    scores = {r.submission: r.score for r in results}
    canvas = list(csv.reader(canvas_csv(roster, "=Lab", scores, match_submissions(scores, roster), -1.5).splitlines()))
    assert_no_formula(canvas)
    assert canvas[0][-1] == "'=Lab" and canvas[1][-1] == "-1.5" and canvas[2][0] == "'=cmd|' /C calc'!A0"


# ------------------------------------------------------------------------------ 9: identity


def test_identity_comes_from_the_students_folder_and_a_double_claim_is_an_error(tmp_path):
    subs = tmp_path / "subs"
    for student in ("alice", "mallory", "carol"):
        (subs / student).mkdir(parents=True)
    code_notebook(subs / "alice" / "hw1.ipynb", DOUBLE)
    code_notebook(subs / "mallory" / "alice.ipynb", DOUBLE)  # named like Alice
    code_notebook(subs / "carol" / "hw1.ipynb", DOUBLE)
    code_notebook(subs / "carol" / "hw1 (1).ipynb", DOUBLE)  # two claims on carol
    code_notebook(subs / "Carol.ipynb", DOUBLE)  # and a third, case aside

    collection = collect_submissions([subs])
    assert collection.submissions == {"alice": subs / "alice" / "hw1.ipynb", "mallory": subs / "mallory" / "alice.ipynb"}
    claims = [subs / "carol" / "hw1.ipynb", subs / "carol" / "hw1 (1).ipynb", subs / "Carol.ipynb"]
    assert set(collection.refused) == set(claims)
    assert all("3 files claim" in collection.refused[c] for c in claims)

    (tmp_path / "roster.csv").write_text("Student,ID,SIS User ID,SIS Login ID,Section\nAlice,1,u1,alice,S\nMallory,2,u2,mallory,S\n")
    matching = match_submissions(collection.submissions, read_roster(tmp_path / "roster.csv"))
    assert {name: s["Student"] for name, s in matching.matched.items()} == {"alice": "Alice", "mallory": "Mallory"}


# ------------------------------------------------------------------------------ 10: result folders


def test_results_stay_inside_the_results_folder_whatever_the_name(tmp_path):
    out = tmp_path / "runs" / "out"
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ not a notebook")  # refused at intake: no sandbox needed
    names = ["..", ".", "...", "grades.csv", "summary.html", "a/../../b"]
    grade_to_folder(tiny_bundle(tmp_path), {n: bad for n in names}, out, options("none"), workers=1)

    written = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.name != "tiny.zip" and p != bad)
    assert all(out in p.parents for p in written), [str(p) for p in written if out not in p.parents]
    assert sorted(r.submission for r in read_results(out)) == sorted(names)
    grades = list(csv.reader((out / "grades.csv").open(newline="")))
    assert sorted(r[0] for r in grades[1:]) == sorted(names)
    assert (out / "summary.html").is_file() and (out / "final_grades.csv").is_file()


# ------------------------------------------------------------------------------ 14: terminal escapes


def test_no_escape_sequence_from_a_name_or_roster_reaches_the_terminal(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / f"{OSC52}a.ipynb").write_text("{ not a notebook")
    (subs / f"{OSC52}link.ipynb").symlink_to(subs / f"{OSC52}a.ipynb")
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["grade", str(tiny_bundle(tmp_path)), str(subs), "-o", str(out), "--sandbox", "none", "--workers", "1"])
    assert run.exit_code == 3, run.output  # the symbolic link was refused and listed
    assert ESC not in run.output and "\\x1b]52;c;ZXZpbA==\\x07link.ipynb: a symbolic link" in run.output

    (tmp_path / "roster.csv").write_text(f"Student,ID,SIS User ID,SIS Login ID,Section\nEve{OSC52},1,u1,eve,S\n")
    run = CliRunner().invoke(main, ["export", "canvas", str(out), "--roster", str(tmp_path / "roster.csv"), "-o", str(tmp_path / "c.csv")])
    assert run.exit_code == 0, run.output
    assert ESC not in run.output and "Eve\\x1b]52" in run.output


# ------------------------------------------------------------------------------ 17: giant notebooks


def test_a_giant_notebook_is_refused_before_parsing_with_the_limit(tmp_path):
    path = tmp_path / "giant.ipynb"
    path.write_text(notebook_json(["x=1"] * 175_000))  # 18.8 MB: under the file size limit
    with pytest.raises(IntakeError, match=f"175000 cells; the limit is {MAX_CELLS}"):
        read_submission(path)  # unbounded: ~30 s of nbformat and IPython work, then graded

    path.write_text(notebook_json(["x = 1  # " + "y" * 300_000] * 10))
    with pytest.raises(IntakeError, match=f"code cells hold 2.9 MiB; the limit is {MAX_CODE_BYTES // 2**20} MiB"):
        read_submission(path)

    path.write_text(notebook_json(["x = 1\n" * 500] * 50))  # ~30 s of IPython transforms unbounded
    with pytest.raises(IntakeError, match=f"code cells hold 25050 lines; the limit is {MAX_CODE_LINES}"):
        read_submission(path)


# ------------------------------------------------------------------------------ all at once


def test_a_batch_of_these_attacks_grades_the_honest_submission_and_writes_every_class_file(tmp_path, sandbox_mode, fifo):
    subs = tmp_path / "subs"
    for student in ("honest", "fifo", "zero", "mallory", "twice"):
        (subs / student).mkdir(parents=True)
    code_notebook(subs / "honest" / "hw1.ipynb", DOUBLE)
    fifo(subs / "fifo" / "hw1.ipynb")
    (subs / "zero" / "hw1.ipynb").symlink_to("/dev/zero")
    (subs / "mallory" / "honest.ipynb").symlink_to("../honest/hw1.ipynb")
    code_notebook(subs / "twice" / "a.ipynb", DOUBLE)
    code_notebook(subs / "twice" / "b.ipynb", DOUBLE)
    code_notebook(subs / f"{FORMULA_NAMES[0]}.ipynb", DOUBLE)
    code_notebook(subs / "...ipynb", DOUBLE)
    code_notebook(subs / f"{OSC52}.ipynb", DOUBLE)
    (subs / "giant.ipynb").write_text(notebook_json(["x=1"] * (MAX_CELLS + 1)))
    collection = within(30, lambda: collect_submissions([subs]))
    assert len(collection.refused) == 5 and len(collection.submissions) == 5

    out = tmp_path / "out"
    graded = grade_to_folder(tiny_bundle(tmp_path), collection.submissions, out, options(sandbox_mode), workers=1)
    results = {r.submission: r for r in graded}
    assert results["honest"].score == 3 and results["honest"].error is None
    assert f"the limit is {MAX_CELLS}" in results["giant"].error
    assert all(p.is_relative_to(out) for p in tmp_path.rglob("result.json"))
    for name in ("grades.csv", "final_grades.csv", "summary.html", "assignment.json"):
        assert (out / name).is_file(), name
    assert_no_formula(list(csv.reader((out / "grades.csv").open(newline=""))))
    assert_no_formula(list(csv.reader((out / "final_grades.csv").open(newline=""))))
    assert len(read_results(out)) == 5
