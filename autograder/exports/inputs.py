"""What every export starts from: a results folder's results, its ``assignment.json`` (or an
autograder zip's), and the late policy applied to submission times when they are given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograder.bundle import Bundle, BundleError
from autograder.console import Line, warning
from autograder.exports.info import AssignmentInfo, ExportError, read_assignment_info
from autograder.exports.late import LateOutcome, late_outcomes, read_timestamps
from autograder.grading.results import SubmissionResult


@dataclass
class ExportInputs:
    """The results to export, the assignment they belong to, and the late policy's outcome per
    submission (None: raw scores)."""

    results: list[SubmissionResult]
    info: AssignmentInfo
    late: dict[str, LateOutcome] | None = None

    def score(self, result: SubmissionResult) -> float:
        """The score to report: after the late penalty when there is one, else raw."""
        return self.late[result.submission].score if self.late else result.score


def export_inputs(
    results_dir: Path,
    results: list[SubmissionResult],
    autograder_zip: Path | None,
    timestamps: Path | None,
    notify: Callable[[Line], None],
) -> ExportInputs:
    """The inputs of an export of ``results`` (read from ``results_dir``).

    The assignment comes from ``results_dir/assignment.json``, or from ``autograder_zip`` when
    given (keeping the submission file names of assignment.json). With ``timestamps`` (a CSV of
    submission,timestamp), the assignment's late policy is applied. ``notify`` gets each
    warning (submissions without a timestamp, rows naming no submission...) and the policy's
    summary as it goes. Raises ExportError when there is nothing to export or an input is
    unusable.
    """
    if not results:
        raise ExportError(f"{results_dir} holds no <submission>/result.json: grade into it first")
    info = read_assignment_info(results_dir)
    if autograder_zip is not None:
        try:
            bundle = Bundle.load(autograder_zip)
        except BundleError as exc:
            raise ExportError(str(exc)) from None
        from_bundle = AssignmentInfo.from_bundle(bundle, {})
        from_bundle.files = info.files if info else {}
        info = from_bundle
    if info is None:
        info = AssignmentInfo(id=results_dir.resolve().name)
        notify(warning(f"{results_dir}/assignment.json not found (graded by an older dlgrade?): pass --autograder ZIP "
                       "for the late policy and question names"))
    inputs = ExportInputs(results, info)
    if timestamps is None:
        if info.late is not None:
            notify(warning("the assignment has a late policy but no --timestamps were given: raw scores exported"))
        return inputs
    if info.late is None:
        raise ExportError("--timestamps given, but the assignment has no late policy ([late] in assignment.toml)")
    times, unknown = read_timestamps(timestamps, [r.submission for r in results], info.files)
    if unknown:
        notify(warning(f"{len(unknown)} timestamp rows name no graded submission: {', '.join(unknown)}"))
    untimed = sorted(r.submission for r in results if r.submission not in times)
    if untimed:
        notify(warning(f"{len(untimed)} submissions have no timestamp and get no late penalty: {', '.join(untimed)}"))
    inputs.late = late_outcomes(results, info.late, times)
    penalized = sum(1 for o in inputs.late.values() if o.days_late)
    notify(Line(
        f"late policy: deadline {info.late.deadline}, {info.late.percent_per_day:g}% per day"
        + (f", nothing after {info.late.max_days} days" if info.late.max_days is not None else "")
        + f"; {penalized} late submissions"
    ))
    return inputs
