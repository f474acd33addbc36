"""The Canvas gradebook import: a roster (Canvas's gradebook export), submissions matched to
its students by ``MATCHING_RULE``, and the CSV Canvas imports."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from autograder.console import Line, warning
from autograder.exports.info import ExportError
from autograder.exports.inputs import ExportInputs
from autograder.safe_text import SafeCSVWriter


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


def write_canvas_import(
    output: Path,
    inputs: ExportInputs,
    roster_path: Path,
    column: str | None = None,
    pattern: str | None = None,
    key_columns: Iterable[str] = KEY_COLUMNS,
    points_possible: float | None = None,
) -> list[Line]:
    """``dlgrade export canvas``: match ``inputs``' submissions to the students of the Canvas
    gradebook export at ``roster_path`` (``match_submissions``) and write the import CSV
    (``canvas_csv``) to ``output``.

    column: the gradebook column, resolved by ``canvas_column`` (default: the assignment id).
    points_possible: scale the scores (late policy applied) to this many points; default the
    autograder's points, unscaled.

    Returns the lines to print: a warning when the gradebook column is worth other points than
    the scores, what was written, then every submission that matched no student or several,
    every student matched by several submissions and every student without one. Raises
    ExportError for an unusable roster or column, OSError when ``output`` cannot be written.
    """
    roster = read_roster(roster_path)
    column = canvas_column(roster, column or inputs.info.id)
    results = inputs.results
    matching = match_submissions([r.submission for r in results], roster, pattern, key_columns)
    max_score = max(r.max_score for r in results)
    scale = points_possible / max_score if points_possible is not None and max_score else 1.0
    scores = {r.submission: inputs.score(r) * scale for r in results}
    exported_points = points_possible if points_possible is not None else max_score
    lines = []
    roster_points = roster.points_possible.get(column, "")
    try:
        if roster_points and abs(float(roster_points) - exported_points) > 1e-9:
            lines.append(warning(f"the gradebook's {column!r} is worth {roster_points} points but the scores are out of "
                                 f"{exported_points:g}: pass --points-possible {roster_points} to scale them"))
    except ValueError:
        pass
    output.write_text(canvas_csv(roster, column, scores, matching, exported_points))
    lines.append(Line(f"wrote {output}: column {column!r}, {len(matching.matched)} of {len(roster.students)} students graded"))
    return lines + matching_report(matching, roster)


def matching_report(matching: Matching, roster: Roster) -> list[Line]:
    """Every submission and student ``matching`` left without a grade, as lines for stderr:
    submissions matching no student or several (red), students matched by several submissions
    (red), students without a submission (yellow)."""
    def listed(title: str, items: list[str], fg: str) -> list[Line]:
        return [Line(title, fg, err=True), *(Line(f"  {item}", err=True) for item in items)] if items else []

    by_id = {s["ID"]: s for s in roster.students}
    return [
        *listed(f"{len(matching.no_student)} submissions match no student (not exported):", matching.no_student, "red"),
        *listed(f"{len(matching.ambiguous)} submissions match several students (not exported):",
                [f"{name}: {'; '.join(students)}" for name, students in matching.ambiguous.items()], "red"),
        *listed(f"{len(matching.conflicts)} students match several submissions (grade left empty):",
                [f"{by_id[sid]['Student']} (ID {sid}): {', '.join(names)}" for sid, names in matching.conflicts.items()], "red"),
        *listed(f"{len(matching.no_submission)} students have no submission (grade left empty):",
                [f"{s['Student']} (ID {s['ID']})" for s in matching.no_submission], "yellow"),
    ]
