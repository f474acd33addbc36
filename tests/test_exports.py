"""The late policy (assignment.toml -> bundle -> export), Otter's final_grades.csv with late
penalties, and the Canvas gradebook export (roster matching, unmatched lists)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.build.spec import AssignmentSpec, SpecError
from autograder.bundle import Bundle, BundleConfig, LatePolicy, Limits, write_bundle
from autograder.cli import main
from autograder.exports import (
    AssignmentInfo,
    ExportError,
    Roster,
    canvas_column,
    canvas_csv,
    final_grades_csv,
    late_outcomes,
    match_submissions,
    read_roster,
    read_timestamps,
)
from autograder.grading.batch import grade_to_folder
from autograder.grading.results import SubmissionResult
from autograder.grading import results as results_module
from conftest import DOUBLE, REPO, TINY_TEST_FILE, code_notebook, options

DEADLINE = "2025-03-01T23:59:00-05:00"
POLICY = LatePolicy(DEADLINE, 10, max_days=3)
DUE = datetime.fromisoformat(DEADLINE)


# ------------------------------------------------------------------------------ late policy


@pytest.mark.parametrize(
    ("after", "days"),
    [
        (timedelta(seconds=-1), 0),
        (timedelta(0), 0),
        (timedelta(seconds=1), 1),
        (timedelta(hours=24), 1),
        (timedelta(hours=24, seconds=1), 2),
        (timedelta(hours=71), 3),
        (timedelta(days=3, minutes=1), 4),
    ],
)
def test_days_late_is_the_ceiling_of_hours_over_24(after, days):
    assert POLICY.days_late(DUE + after) == days


def test_penalty_per_day_with_a_cut_off_and_without():
    assert [POLICY.penalty_percent(d) for d in range(5)] == [0, 10, 20, 30, 100]  # day 4 is past max_days: 0 points
    uncapped = LatePolicy(DEADLINE, 40)
    assert [uncapped.penalty_percent(d) for d in range(4)] == [0, 40, 80, 100]
    # the same instant written in another time zone is just as late
    assert POLICY.days_late(datetime.fromisoformat("2025-03-02T04:59:00+00:00")) == 0
    assert POLICY.days_late(datetime.fromisoformat("2025-03-02T05:00:00+00:00")) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "2025-03-01T23:59:00", "percent_per_day": 10}, "no UTC offset"),
        ({"deadline": "next friday", "percent_per_day": 10}, "not an ISO-8601"),
        ({"deadline": DEADLINE, "percent_per_day": 120}, "between 0 and 100"),
        ({"deadline": DEADLINE, "percent_per_day": "10"}, "must be a number"),
        ({"deadline": DEADLINE, "percent_per_day": 10, "max_days": 1.5}, "whole number"),
        ({"deadline": DEADLINE, "percent_per_day": 10, "max_days": -1}, "whole number"),
        ({"deadline": DEADLINE, "percent_per_day": 10, "grace": 5}, "unknown late-policy field"),
        ({"percent_per_day": 10}, "needs 'deadline'"),
    ],
)
def test_a_bad_late_policy_is_refused_with_the_reason(data, message):
    with pytest.raises(ValueError, match=message):
        LatePolicy.from_json(data)


def copy_assignment(tmp_path: Path, extra_toml: str) -> Path:
    folder = tmp_path / "numpy-logreg"
    shutil.copytree(REPO / "assignments" / "numpy-logreg", folder)
    toml = folder / "assignment.toml"
    toml.write_text(toml.read_text() + extra_toml)
    return folder


def test_the_late_policy_goes_from_assignment_toml_into_the_bundle_and_back(tmp_path):
    folder = copy_assignment(tmp_path, "\n[late]\ndeadline = 2025-03-01T23:59:00-05:00\npercent_per_day = 10\nmax_days = 3\n")
    config = AssignmentSpec.load(folder).config
    assert config.late == POLICY
    path = tmp_path / "autograder.zip"
    write_bundle(path, config, {"double.py": TINY_TEST_FILE})
    assert Bundle.load(path).config.late == POLICY
    with zipfile.ZipFile(path) as zf:
        assert json.loads(zf.read("dlgrade.json"))["late"] == {"deadline": DEADLINE, "percent_per_day": 10.0, "max_days": 3}

    plain = tmp_path / "plain.zip"  # no late policy: dlgrade.json is as it was before the field existed
    write_bundle(plain, BundleConfig(id="tiny"), {"double.py": TINY_TEST_FILE})
    with zipfile.ZipFile(plain) as zf:
        assert "late" not in json.loads(zf.read("dlgrade.json"))
    assert Bundle.load(plain).config.late is None


def test_a_late_policy_without_a_time_zone_stops_the_build(tmp_path):
    folder = copy_assignment(tmp_path, "\n[late]\ndeadline = 2025-03-01T23:59:00\npercent_per_day = 10\n")
    with pytest.raises(SpecError, match=r"\[late\].*no UTC offset"):
        AssignmentSpec.load(folder)


def test_timestamps_are_matched_by_name_file_name_or_path_and_bad_rows_are_refused(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text(
        "Submission,Timestamp\n"
        "alice,2025-03-01T20:00:00-05:00\n"
        "bob.ipynb,2025-03-02T10:00:00Z\n"
        "subs/carol.zip,2025-03-05T00:00:00+00:00\n"
        "mallory,2025-03-01T20:00:00Z\n"
    )
    files = {"alice": "alice.ipynb", "bob": "bob.ipynb", "carol": "carol.zip"}
    times, unknown = read_timestamps(path, ["alice", "bob", "carol"], files)
    assert sorted(times) == ["alice", "bob", "carol"] and unknown == ["mallory"]
    assert times["bob"] == datetime(2025, 3, 2, 10, tzinfo=timezone.utc)

    path.write_text("submission,timestamp\nalice,2025-03-01 20:00\n")
    with pytest.raises(ExportError, match="no UTC offset"):
        read_timestamps(path, ["alice"])
    path.write_text("submission,timestamp\nalice,2025-03-01T20:00Z\nalice.ipynb,2025-03-02T20:00Z\n")
    with pytest.raises(ExportError, match="second timestamp"):
        read_timestamps(path, ["alice"], {"alice": "alice.ipynb"})
    path.write_text("name,when\nalice,2025-03-01T20:00Z\n")
    with pytest.raises(ExportError, match="columns 'submission' and 'timestamp'"):
        read_timestamps(path, ["alice"])


def result(name: str, scores: dict[str, tuple[float, float]], error: str | None = None) -> SubmissionResult:
    tests = [results_module.TestResult(test, points, score) for test, (score, points) in scores.items()]
    return SubmissionResult(name, tests, error=error)


def test_final_grades_with_a_late_policy_report_the_penalised_total_and_keep_the_raw_one():
    results = [
        result("ontime", {"q1.a": (1, 1), "q2.b": (2, 2)}),
        result("late2", {"q1.a": (1, 1), "q2.b": (2, 2)}),
        result("toolate", {"q1.a": (1, 1), "q2.b": (0, 2)}),
        result("untimed", {"q1.a": (0, 1), "q2.b": (2, 2)}),
    ]
    times = {"ontime": DUE, "late2": DUE + timedelta(hours=30), "toolate": DUE + timedelta(days=10)}
    late = late_outcomes(results, POLICY, times)
    assert (late["late2"].days_late, late["late2"].penalty_percent, late["late2"].score) == (2, 20.0, 2.4)
    assert (late["toolate"].score, late["untimed"].score, late["untimed"].days_late) == (0.0, 2.0, 0)
    info = AssignmentInfo("a", files={n: n + ".ipynb" for n in times} | {"untimed": "untimed.ipynb"})
    rows = list(csv.reader(io.StringIO(final_grades_csv(results, info, late))))
    assert rows[0] == ["file", "q1", "q2", "total_points_earned", "percent_correct", "grading_status",
                       "submitted", "days_late", "late_penalty_percent", "raw_total_points"]
    assert rows[1] == ["points-per-question", "1.0", "2.0", "3.0", "1", "--", "", "", "", ""]
    by_file = {r[0]: r for r in rows[2:]}
    assert by_file["late2.ipynb"][1:] == ["1.0", "2.0", "2.4", "0.8", "Completed", (DUE + timedelta(hours=30)).isoformat(), "2", "20.0", "3.0"]
    assert by_file["toolate.ipynb"][3:5] == ["0.0", "0.0"] and by_file["toolate.ipynb"][7:] == ["10", "100.0", "1.0"]
    assert by_file["untimed.ipynb"][3:] == ["2.0", "0.6667", "Completed", "", "0", "0.0", "2.0"]
    assert [r[0] for r in rows[2:]] == sorted(by_file)


# ------------------------------------------------------------------------------ Canvas


ROSTER = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Lab 3: MNIST (4242),Lab 2 (4141),Current Score\n"
    "    Points Possible,,,,,10.00,5.00,(read only)\n"
    ",,,,,Manual Posting,,\n"
    '"Doe, Jane",101,S001,jdoe,Sec A,,4.00,80\n'
    '"Roe, Rick",102,S002,rroe,Sec A,,3.00,60\n'
    '"Poe, Edgar",103,S003,epoe,Sec B,,5.00,100\n'
    '"Lee, Ann",104,S004,alee,Sec B,,,\n'
    '"Twin, One",105,S005,twin,Sec B,,,\n'
    '"Twin, Two",106,S006,TWIN,Sec B,,,\n'
)


@pytest.fixture
def roster(tmp_path) -> Roster:
    path = tmp_path / "gradebook.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return read_roster(path)


def test_a_canvas_gradebook_export_is_read_as_a_roster(roster, tmp_path):
    assert [s["SIS Login ID"] for s in roster.students] == ["jdoe", "rroe", "epoe", "alee", "twin", "TWIN"]
    assert roster.students[0]["Student"] == "Doe, Jane"
    assert roster.points_possible["Lab 3: MNIST (4242)"] == "10.00"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nJane,j@x\n")
    with pytest.raises(ExportError, match="not a Canvas gradebook export"):
        read_roster(bad)


def test_submissions_are_matched_by_canvas_download_names_login_prefixes_or_a_pattern(roster):
    names = [
        "doejane_101_9001_mnist-softmax",     # Canvas "Download Submissions" name
        "roerick_late_102_9002_mnist",        # ... of a late submission
        "S003",                               # SIS User ID, whole name
        "epoe-v2",                            # a second one for Edgar: conflict
        "twin_final",                         # login of two students (case-insensitive): ambiguous
        "stranger_hw",                        # nobody
    ]
    matching = match_submissions(names, roster)
    assert {n: s["ID"] for n, s in matching.matched.items()} == {"doejane_101_9001_mnist-softmax": "101", "roerick_late_102_9002_mnist": "102"}
    assert matching.conflicts == {"103": ["S003", "epoe-v2"]}
    assert matching.ambiguous == {"twin_final": ["Twin, One", "Twin, Two"]}
    assert matching.no_student == ["stranger_hw"]
    assert [s["ID"] for s in matching.no_submission] == ["104", "105", "106"]  # 103 is listed as a conflict

    only_login = match_submissions(["S003", "alee.final"], roster, key_columns=["SIS Login ID"])
    assert {n: s["ID"] for n, s in only_login.matched.items()} == {"alee.final": "104"} and only_login.no_student == ["S003"]
    by_pattern = match_submissions(["hw3-submission-of-ALEE"], roster, pattern=r"of-(?P<key>\w+)$")
    assert {n: s["ID"] for n, s in by_pattern.matched.items()} == {"hw3-submission-of-ALEE": "104"}


def test_the_canvas_csv_has_the_identity_columns_the_assignment_column_and_every_student(roster):
    assert canvas_column(roster, "Lab 3: MNIST") == "Lab 3: MNIST (4242)"
    assert canvas_column(roster, "Lab 2 (4141)") == "Lab 2 (4141)"
    assert canvas_column(roster, "New lab") == "New lab"
    matching = match_submissions(["jdoe", "rroe_x"], roster)
    text = canvas_csv(roster, "Lab 3: MNIST (4242)", {"jdoe": 7.5, "rroe_x": 10 / 3}, matching, 10)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 3: MNIST (4242)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "10"]
    assert rows[2] == ["Doe, Jane", "101", "S001", "jdoe", "Sec A", "7.5"]
    assert rows[3] == ["Roe, Rick", "102", "S002", "rroe", "Sec A", "3.33"]
    assert [r[5] for r in rows[4:]] == ["", "", "", ""] and len(rows) == 2 + len(roster.students)


# ------------------------------------------------------------------------------ end to end


def test_grade_then_export_canvas_and_otter_with_the_late_policy(tmp_path, roster):
    """Real grading output: a batch graded with a bundle that has a late policy, exported."""
    bundle = tmp_path / "late.zip"
    write_bundle(bundle, BundleConfig(id="Lab 3: MNIST", seed=1, limits=Limits(timeout=30, call_timeout=5), late=POLICY),
                 {"double.py": TINY_TEST_FILE})
    subs = tmp_path / "subs"
    subs.mkdir()
    wrong = "def double(x):\n    return x + 2\n"
    named = {
        "doejane_101_9001_lab3": code_notebook(subs / "doejane_101_9001_lab3.ipynb", DOUBLE),
        "rroe": code_notebook(subs / "rroe.ipynb", DOUBLE),
        "epoe": code_notebook(subs / "epoe.ipynb", wrong),
        "nobody_lab3": code_notebook(subs / "nobody_lab3.ipynb", DOUBLE),
    }
    out = tmp_path / "results"
    grade_to_folder(bundle, named, out, options("none"), workers=1)
    info = json.loads((out / "assignment.json").read_text())
    assert info["late"] == {"deadline": DEADLINE, "percent_per_day": 10.0, "max_days": 3}
    assert info["questions"] == {"double.test_public": "double", "double.test_hidden": "double"}

    times = tmp_path / "times.csv"
    times.write_text(
        "submission,timestamp\n"
        "doejane_101_9001_lab3.ipynb,2025-03-01T23:00:00-05:00\n"  # on time
        "rroe,2025-03-03T12:00:00-05:00\n"                         # 36 h late: 2 days, -20 %
        "epoe,2025-03-01T20:00:00-05:00\n"
    )
    roster_path = tmp_path / "gradebook.csv"
    roster_path.write_text(ROSTER, encoding="utf-8")
    canvas = tmp_path / "canvas.csv"
    run = CliRunner().invoke(main, ["export", "canvas", str(out), "--roster", str(roster_path), "-o", str(canvas),
                                    "--timestamps", str(times), "--points-possible", "10"])
    assert run.exit_code == 0, run.output
    rows = {r[1]: r for r in csv.reader(canvas.open())}
    assert rows["ID"][5] == "Lab 3: MNIST (4242)" and rows[""][5] == "10"
    assert (rows["101"][5], rows["102"][5], rows["103"][5]) == ("10", "8", "3.33")  # 3/3; 3/3 -20 %; 1/3, scaled to 10
    assert rows["104"][5] == "" and rows["105"][5] == ""
    assert "1 submissions match no student" in run.stderr and "nobody_lab3" in run.stderr
    assert "1 submissions have no timestamp" in run.stderr
    assert "students have no submission" in run.stderr and "Lee, Ann (ID 104)" in run.stderr
    assert "3 of 6 students graded" in run.stdout

    final = tmp_path / "final_grades.csv"
    run = CliRunner().invoke(main, ["export", "otter", str(out), "-o", str(final), "--timestamps", str(times)])
    assert run.exit_code == 0, run.output
    by_file = {r["file"]: r for r in csv.DictReader(final.open())}
    assert by_file["rroe.ipynb"]["total_points_earned"] == "2.4" and by_file["rroe.ipynb"]["raw_total_points"] == "3.0"
    assert by_file["rroe.ipynb"]["days_late"] == "2"
    raw = {r["file"]: r for r in csv.DictReader((out / "final_grades.csv").open())}
    assert raw["rroe.ipynb"]["total_points_earned"] == "3.0"  # what grading wrote stays raw
    assert json.loads((out / "rroe" / "result.json").read_text())["score"] == 3.0


def test_export_refuses_timestamps_without_a_late_policy_and_a_folder_without_results(tmp_path):
    bundle = tmp_path / "plain.zip"
    write_bundle(bundle, BundleConfig(id="plain", seed=1, limits=Limits(timeout=30, call_timeout=5)), {"double.py": TINY_TEST_FILE})
    out = tmp_path / "results"
    grade_to_folder(bundle, {"a": code_notebook(tmp_path / "a.ipynb", DOUBLE)}, out, options("none"), workers=1)
    times = tmp_path / "t.csv"
    times.write_text("submission,timestamp\na,2025-03-01T20:00:00Z\n")
    run = CliRunner().invoke(main, ["export", "otter", str(out), "-o", str(tmp_path / "f.csv"), "--timestamps", str(times)])
    assert run.exit_code != 0 and "no late policy" in run.output
    empty = tmp_path / "empty"
    empty.mkdir()
    run = CliRunner().invoke(main, ["export", "otter", str(empty), "-o", str(tmp_path / "f.csv")])
    assert run.exit_code != 0 and "holds no <submission>/result.json" in run.output
    run = CliRunner().invoke(main, ["export", "canvas", str(out), "--roster", str(times), "-o", str(tmp_path / "c.csv")])
    assert run.exit_code != 0 and "not a Canvas gradebook export" in run.output
    run = CliRunner().invoke(main, ["export", "canvas", str(out), "--roster", str(times), "-o", str(tmp_path / "c.csv"),
                                    "--pattern", "(unnamed)"])
    assert run.exit_code != 0 and "group named 'key'" in run.output
