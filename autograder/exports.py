"""Class-level files and grade exports from a results folder.

Written by ``grade_to_folder`` at the end of every batch (also an interrupted or resumed one),
from every ``result.json`` of the batch's submissions:

- ``grades.csv`` (``autograder.grading.results``): a column of points per test;
- ``final_grades.csv``: Otter's format (``otter grade``): ``file``, one column of points per
  question (sorted by name), ``total_points_earned``, ``percent_correct`` (a fraction, 4
  digits), ``grading_status`` (``Completed`` or why the submission could not be graded); the
  first row, ``points-per-question``, holds the points possible;
- ``summary.html``: the class dashboard (``autograder.dashboard``);
- ``assignment.json``: what exports need later without the autograder zip (assignment id,
  test -> question, submission -> file name, the late policy).

Exports (``dlgrade export``): the Canvas gradebook import CSV (``canvas_rows``) and
``final_grades.csv`` with a late policy applied (``late_outcomes``). ``result.json`` always
keeps the raw score; late penalties exist only in the exported files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

from autograder.bundle import Bundle, LatePolicy, parse_time
from autograder.grading.results import SubmissionResult, write_text_atomic
from autograder.reports import question_of
from autograder.safe_text import SafeCSVWriter

ASSIGNMENT_INFO = "assignment.json"
POINTS_POSSIBLE_LABEL = "points-per-question"
"""Otter's label for the points-possible row of final_grades.csv."""


class ExportError(Exception):
    """An input to an export (roster, timestamps, results folder) is unusable; str() says why."""


# ------------------------------------------------------------------------------ assignment.json


@dataclass
class AssignmentInfo:
    """``RESULTS/assignment.json``.

    - id: the assignment id.
    - questions: test name -> question (the test file it comes from), in test order.
    - files: submission name -> the file name it stands for in final_grades.csv
      (``<name><suffix>``: unique, since names are).
    - late: the bundle's late policy, or None.
    """

    id: str
    questions: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    late: LatePolicy | None = None
    autograder_sha256: str = ""

    @classmethod
    def from_bundle(cls, bundle: Bundle, submissions: dict[str, Path]) -> "AssignmentInfo":
        return cls(
            id=bundle.config.id,
            questions={tc.name: tf.name for tf, tc in bundle.test_cases},
            files={name: name + Path(path).suffix.lower() for name, path in submissions.items()},
            late=bundle.config.late,
            autograder_sha256=bundle.sha256,
        )

    def to_json(self) -> dict:
        data = asdict(self)
        data["late"] = asdict(self.late) if self.late else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "AssignmentInfo":
        return cls(
            id=str(data.get("id", "assignment")),
            questions=dict(data.get("questions", {})),
            files=dict(data.get("files", {})),
            late=LatePolicy.from_json(data["late"]) if data.get("late") else None,
            autograder_sha256=str(data.get("autograder_sha256", "")),
        )

    def file_of(self, submission: str) -> str:
        return self.files.get(submission, submission)


def read_assignment_info(out_dir: Path) -> AssignmentInfo | None:
    """``out_dir/assignment.json``, or None when there is none. Raises ExportError when unreadable."""
    path = Path(out_dir) / ASSIGNMENT_INFO
    if not path.is_file():
        return None
    try:
        return AssignmentInfo.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ExportError(f"{path}: unreadable ({exc})") from None


def write_class_files(out_dir: Path, bundle: Bundle, submissions: dict[str, Path], results: list[SubmissionResult]) -> None:
    """Write ``assignment.json``, ``final_grades.csv`` and ``summary.html`` for a batch (its
    results on disk, kept or new). Raises OSError when they cannot be written."""
    from autograder.dashboard import write_summary

    info = AssignmentInfo.from_bundle(bundle, submissions)
    write_text_atomic(out_dir / ASSIGNMENT_INFO, json.dumps(info.to_json(), indent=2))
    write_text_atomic(out_dir / "final_grades.csv", final_grades_csv(results, info))
    write_summary(out_dir, results, info.id, info.questions)


# ------------------------------------------------------------------------------ late policy


@dataclass(frozen=True)
class LateOutcome:
    """The late policy applied to one submission: when it was submitted (None: no timestamp,
    no penalty), whole days late, the penalty in percent, the raw and the reported score."""

    submitted: datetime | None
    days_late: int
    penalty_percent: float
    raw_score: float
    score: float


def read_timestamps(path: Path, names: Iterable[str], files: dict[str, str] | None = None) -> tuple[dict[str, datetime], list[str]]:
    """Submission times from a CSV with columns ``submission`` and ``timestamp``.

    ``submission`` is a submission's name (its results folder), its file name, or a path to
    that file; ``timestamp`` is ISO-8601 with a UTC offset (``2025-03-02T08:00:00+01:00`` or
    ``...Z``). Returns (name -> time, rows naming no known submission).
    Raises ExportError for a missing column, an unreadable time or a submission listed twice.
    """
    names = list(names)
    lookup = {n: n for n in names}
    for name, file in (files or {}).items():
        if name in lookup:
            lookup.setdefault(file, name)
    times: dict[str, datetime] = {}
    unknown: list[str] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            if "submission" not in header or "timestamp" not in header:
                raise ExportError(f"{path}: needs the columns 'submission' and 'timestamp' (found: {', '.join(reader.fieldnames or [])})")
            for line, row in enumerate(reader, start=2):
                row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                key = row["submission"]
                if not key:
                    continue
                name = lookup.get(key) or lookup.get(Path(key).name) or lookup.get(Path(key).stem)
                if name is None:
                    unknown.append(key)
                    continue
                try:
                    when = parse_time(row["timestamp"], what=f"{path}:{line}: timestamp")
                except ValueError as exc:
                    raise ExportError(str(exc)) from None
                if name in times:
                    raise ExportError(f"{path}:{line}: a second timestamp for submission {name!r}")
                times[name] = when
    except OSError as exc:
        raise ExportError(f"cannot read {path}: {exc}") from None
    return times, unknown


def late_outcomes(results: list[SubmissionResult], policy: LatePolicy, times: dict[str, datetime]) -> dict[str, LateOutcome]:
    """The reported score of each submission under ``policy``: raw score x (1 - penalty %).
    A submission without a timestamp is not penalized (callers list those)."""
    outcomes = {}
    for result in results:
        when = times.get(result.submission)
        days = policy.days_late(when) if when else 0
        penalty = policy.penalty_percent(days)
        score = round(result.score * (1 - penalty / 100), 6)
        outcomes[result.submission] = LateOutcome(when, days, penalty, result.score, score)
    return outcomes


# ------------------------------------------------------------------------------ final_grades.csv


def _number(value: float) -> str:
    """A number as pandas writes floats in Otter's CSV (``3.0``, ``0.6667``)."""
    return repr(float(value))


def final_grades_csv(results: list[SubmissionResult], info: AssignmentInfo, late: dict[str, LateOutcome] | None = None) -> str:
    """Otter's ``final_grades.csv`` (see the module doc). With ``late``, ``total_points_earned``
    and ``percent_correct`` are after the penalty, and four columns follow ``grading_status``:
    ``submitted``, ``days_late``, ``late_penalty_percent``, ``raw_total_points``."""
    questions = sorted({question_of(t.name, info.questions) for r in results for t in r.tests} | set(info.questions.values()))
    possible: dict[str, float] = {}
    for result in results:  # points possible per question: from every test seen
        seen: dict[str, float] = {}
        for test in result.tests:
            q = question_of(test.name, info.questions)
            seen[q] = seen.get(q, 0.0) + test.max_score
        for q, points in seen.items():
            possible[q] = max(possible.get(q, 0.0), points)
    total_possible = sum(possible.get(q, 0.0) for q in questions)
    out = io.StringIO()
    writer = SafeCSVWriter(out, lineterminator="\n")
    late_columns = ["submitted", "days_late", "late_penalty_percent", "raw_total_points"] if late is not None else []
    writer.writerow(["file", *questions, "total_points_earned", "percent_correct", "grading_status", *late_columns])
    if results:
        writer.writerow([
            POINTS_POSSIBLE_LABEL, *(_number(possible.get(q, 0.0)) for q in questions), _number(total_possible), "1", "--",
            *([""] * len(late_columns)),
        ], trusted=True)
    rows = []
    for result in results:
        earned: dict[str, float] = {q: 0.0 for q in questions}
        for test in result.tests:
            earned[question_of(test.name, info.questions)] += test.score
        total = result.score
        extra: list[str] = []
        if late is not None:
            outcome = late.get(result.submission)
            if outcome is not None:
                total = outcome.score
                extra = [
                    outcome.submitted.isoformat() if outcome.submitted else "",
                    str(outcome.days_late), _number(outcome.penalty_percent), _number(outcome.raw_score),
                ]
            else:
                extra = ["", "0", _number(0.0), _number(result.score)]
        percent = round(total / result.max_score, 4) if result.max_score else 0
        status = "Completed" if not result.error else " ".join(result.error.split())
        file = info.file_of(result.submission)
        rows.append((file, [file, *(_number(earned[q]) for q in questions), _number(total), _number(percent), status, *extra]))
    for _, row in sorted(rows, key=lambda r: r[0]):
        writer.writerow(row)
    return out.getvalue()


# ------------------------------------------------------------------------------ Canvas


CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section")
"""The identity columns of a Canvas gradebook export, in its order (Integration ID only in some)."""

CANVAS_REQUIRED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
"""The identity columns a Canvas gradebook import always gets."""

KEY_COLUMNS = ("SIS Login ID", "SIS User ID", "ID")
"""Roster columns a submission name is matched against by default."""

CANVAS_DOWNLOAD_NAME = re.compile(r"^[^_]+_(?:late_)?(?P<id>\d+)_\d+(?:_|$)", re.IGNORECASE)
"""Names of files from Canvas's "Download Submissions":
``<lastnamefirstname>[_LATE]_<Canvas user ID>_<submission ID>_<original file name>``."""

MATCHING_RULE = """\
Each submission's name, given when it was collected by the identity rule of `dlgrade grade`
(the student's folder, or the file name of a file not in a student's folder), is matched to
one roster row:

1. with --pattern REGEX: the regular expression is searched in the name and its group named
   'key' is compared (case-insensitively) with the roster's key columns;
2. otherwise, a name in Canvas's "Download Submissions" form,
   <lastnamefirstname>[_LATE]_<Canvas user ID>_<submission ID>_<file>, goes to the student
   with that ID;
3. otherwise, the longest start of the name that ends at its end or before a '_', '-', '.' or
   space and equals a key column of exactly one student (case-insensitively): 'jdoe3',
   'jdoe3_hw2', 'jdoe3-final' all go to the student whose SIS Login ID is jdoe3.

Key columns: --key (repeatable), default SIS Login ID, SIS User ID and ID. A name that
matches no student, or several, is listed and exported for nobody; two submissions matching
one student are both listed and that student's grade is left empty. Students without a
submission are listed and their grade left empty (an empty cell changes nothing in Canvas)."""


@dataclass
class Roster:
    """A Canvas gradebook export: its header, one dict per student, and the ``Points Possible``
    row (column -> text), if any."""

    columns: list[str]
    students: list[dict[str, str]]
    points_possible: dict[str, str] = field(default_factory=dict)


def read_roster(path: Path) -> Roster:
    """Read a Canvas gradebook export (Grades > Export > CSV). Rows without an ``ID`` (the
    ``Points Possible`` and ``Manual Posting`` rows) are not students. Raises ExportError."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ExportError(f"cannot read the roster {path}: {exc}") from None
    if not rows:
        raise ExportError(f"the roster {path} is empty")
    columns = [c.strip() for c in rows[0]]
    missing = [c for c in ("Student", "ID") if c not in columns]
    if missing:
        raise ExportError(
            f"the roster {path} is not a Canvas gradebook export: no {' or '.join(repr(c) for c in missing)} column "
            f"(found: {', '.join(columns)})"
        )
    students, points = [], {}
    for row in rows[1:]:
        record = {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns)}
        if record["Student"].strip() == "Points Possible":
            points = record
        elif record["ID"]:
            students.append(record)
    return Roster(columns, students, points)


@dataclass
class Matching:
    """Which submission goes to which student, and everything that did not match.

    - matched: submission -> student row (one submission per student).
    - no_student: submissions matching no student.
    - ambiguous: submission -> the names of the students it could be.
    - conflicts: student ID -> the submissions matching that student (none is exported).
    - no_submission: students without a submission.
    """

    matched: dict[str, dict[str, str]] = field(default_factory=dict)
    no_student: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    no_submission: list[dict[str, str]] = field(default_factory=list)


def _prefixes(name: str) -> list[str]:
    """The name, then its starts ending before a separator, longest first."""
    cuts = [m.start() for m in re.finditer(r"[_\-. ]", name)]
    return [name] + [name[:i] for i in reversed(cuts) if i > 0]


def match_submissions(
    names: Iterable[str], roster: Roster, pattern: str | None = None, key_columns: Iterable[str] = KEY_COLUMNS
) -> Matching:
    """Match submission names to roster students by ``MATCHING_RULE``; the names are those
    ``autograder.submissions.collect_submissions`` gave (``IDENTITY_RULE``), never re-derived
    from file names."""
    keys = [c for c in key_columns if c in roster.columns]
    index: dict[str, list[int]] = {}
    for i, student in enumerate(roster.students):
        for column in keys:
            value = student.get(column, "").casefold()
            if value and i not in index.setdefault(value, []):
                index[value].append(i)
    by_id = {}
    for i, student in enumerate(roster.students):
        by_id.setdefault(student["ID"], []).append(i)
    regex = re.compile(pattern) if pattern else None

    def candidates(name: str) -> list[int]:
        if regex is not None:
            found = regex.search(name)
            return index.get(found.group("key").casefold(), []) if found and found.group("key") else []
        download = CANVAS_DOWNLOAD_NAME.match(name)
        if download and download.group("id") in by_id:
            return by_id[download.group("id")]
        for prefix in _prefixes(name):
            if prefix.casefold() in index:
                return index[prefix.casefold()]
        return []

    matching = Matching()
    claims: dict[int, list[str]] = {}
    for name in sorted(names):
        found = candidates(name)
        if not found:
            matching.no_student.append(name)
        elif len(found) > 1:
            matching.ambiguous[name] = [roster.students[i]["Student"] for i in found]
        else:
            claims.setdefault(found[0], []).append(name)
    for i, student in enumerate(roster.students):
        claimed = claims.get(i, [])
        if len(claimed) == 1:
            matching.matched[claimed[0]] = student
        elif claimed:
            matching.conflicts[student["ID"]] = claimed
        else:
            matching.no_submission.append(student)
    return matching


def canvas_column(roster: Roster, wanted: str) -> str:
    """The gradebook column for ``wanted``: a roster column named exactly so, else the one named
    ``<wanted> (<Canvas assignment id>)``, else ``wanted`` itself (Canvas then creates a new
    assignment on import). Raises ExportError when several roster columns fit."""
    if wanted in roster.columns:
        return wanted
    fits = [c for c in roster.columns if re.fullmatch(re.escape(wanted) + r" \(\d+\)", c)]
    if len(fits) > 1:
        raise ExportError(f"several gradebook columns fit {wanted!r}: {', '.join(fits)}; pass the full name with --column")
    return fits[0] if fits else wanted


def _points(value: float) -> str:
    """Points for Canvas: at most 2 decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def canvas_csv(
    roster: Roster,
    column: str,
    scores: dict[str, float],
    matching: Matching,
    points_possible: float,
) -> str:
    """A Canvas gradebook import: the identity columns (Student, ID, SIS User ID, SIS Login ID,
    [Integration ID,] Section), then ``column``; a ``Points Possible`` row; one row per roster
    student, in roster order, with the points of the submission matched to them (empty if none).

    scores: submission -> the points to report (late policy and scaling already applied).
    """
    identity = [c for c in CANVAS_IDENTITY if c in CANVAS_REQUIRED or c in roster.columns]
    out = io.StringIO()
    writer = SafeCSVWriter(out, lineterminator="\n")
    writer.writerow([*identity, column])
    writer.writerow(["    Points Possible", *([""] * (len(identity) - 1)), _points(points_possible)])
    student_score = {student["ID"]: scores[name] for name, student in matching.matched.items() if name in scores}
    for student in roster.students:
        score = student_score.get(student["ID"])
        writer.writerow([*(student.get(c, "") for c in identity), "" if score is None else _points(score)])
    return out.getvalue()
