"""The late policy applied to exported scores: submission times from a CSV, whole days late,
the penalty. ``result.json`` always keeps the raw score; penalties exist only in exports."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

from autograder.bundle import LatePolicy, parse_time
from autograder.exports.info import ExportError
from autograder.grading.results import SubmissionResult


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
