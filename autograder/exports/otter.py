"""Otter's ``final_grades.csv`` (the format of ``otter grade``), and the class files
``grade_to_folder`` writes at the end of every batch."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

from autograder.bundle import Bundle
from autograder.console import Line
from autograder.exports.info import ASSIGNMENT_INFO, AssignmentInfo
from autograder.exports.inputs import ExportInputs
from autograder.exports.late import LateOutcome
from autograder.grading.results import HIDDEN, VISIBLE, SubmissionResult, write_text_atomic
from autograder.reports import question_of
from autograder.safe_text import SafeCSVWriter
from autograder.submissions import result_folder

POINTS_POSSIBLE_LABEL = "points-per-question"
"""Otter's label for the points-possible row of final_grades.csv."""


def write_class_files(out_dir: Path, bundle: Bundle, submissions: dict[str, Path], results: list[SubmissionResult]) -> None:
    """Write ``assignment.json``, ``final_grades.csv`` and ``summary.html`` for a batch (its
    results on disk, kept or new). Raises OSError when they cannot be written."""
    from autograder.dashboard import write_summary

    info = AssignmentInfo.from_bundle(bundle, submissions)
    write_text_atomic(out_dir / ASSIGNMENT_INFO, json.dumps(info.to_json(), indent=2))
    write_text_atomic(out_dir / "final_grades.csv", final_grades_csv(results, info))
    write_summary(out_dir, results, info.id, info.questions)


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


def write_final_grades(output: Path, inputs: ExportInputs) -> list[Line]:
    """``dlgrade export otter``: write ``final_grades_csv`` of ``inputs`` (late policy applied)
    to ``output``; returns the line saying so. Raises OSError when it cannot be written."""
    output.write_text(final_grades_csv(inputs.results, inputs.info, inputs.late))
    return [Line(f"wrote {output} ({len(inputs.results)} submissions)")]


def otter_results_json(result: SubmissionResult, questions: dict[str, str] | None = None) -> dict:
    """Otter's per-question results.json layout (``otter run``'s ``GradingResults.to_gradescope_dict``):
    ``score`` and one entry per question {name, score, max_score, visibility, output}, the question
    ``hidden`` when any of its tests is. ``questions``: test name -> question (``Bundle.test_cases``),
    else the part of each test name before its first dot."""
    grouped: dict[str, list] = defaultdict(list)
    for test in result.tests:
        grouped[question_of(test.name, questions)].append(test)
    tests = [
        {"name": name, "score": round(sum(t.score for t in group), 5), "max_score": round(sum(t.max_score for t in group), 5),
         "visibility": HIDDEN if any(t.visibility == HIDDEN for t in group) else VISIBLE,
         "output": "\n".join(f"{t.name}: {t.status}" + (f"\n{t.output}" if t.visibility == VISIBLE and t.status == "failed" else "")
                             for t in group)}
        for name, group in grouped.items()
    ]
    return {"score": round(result.score, 5), "output": result.error or "", "tests": tests}


def write_otter_results(output: Path, inputs: ExportInputs) -> list[Line]:
    """``dlgrade export otter-results``: ``otter_results_json`` of each result (raw scores) as
    ``output/<result folder>/results.json`` (folder names as in the results folder,
    ``autograder.submissions.result_folder``); returns the line saying so. Raises OSError when
    they cannot be written."""
    for result in inputs.results:
        folder = output / result_folder(result.submission)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(otter_results_json(result, inputs.info.questions), indent=2))
    return [Line(f"wrote {len(inputs.results)} results.json files under {output}")]
