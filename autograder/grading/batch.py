"""A folder of submissions -> a results folder: the one module that grades a batch into files.

The grading itself runs on an executor (``autograder.grading.executors``: a local process
pool or Dask), one ``grade_submission`` per submission; this module decides what to grade
(resuming: results already on disk for the same files and autograder are kept) and writes
what comes back.

``RESULTS/<submission>/result.json``, ``feedback.html`` and ``feedback.md`` are written as each
submission finishes (the folder name made safe by ``autograder.submissions.result_folder``); ``RESULTS/grades.csv``, ``final_grades.csv``, ``summary.html`` and
``assignment.json`` at the end (and rewritten from everything on disk, so an interrupted batch
loses nothing already graded; see ``autograder.exports``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from autograder.bundle import Bundle
from autograder.grading.executors import grade_batch
from autograder.grading.grade import GradeOptions, submission_files
from autograder.grading.results import SubmissionResult, write_grades_csv, write_json_atomic
from autograder.intake import IntakeError
from autograder.exports import write_class_files
from autograder.reports import write_feedback
from autograder.submissions import result_folder


class ResultsWriteError(Exception):
    """The results folder cannot be written (a full disk, permissions); graded results so far are kept."""


def grade_to_folder(
    bundle_path: Path,
    submissions: dict[str, Path],
    out_dir: Path,
    options: GradeOptions,
    workers: int,
    on_result: Callable[[SubmissionResult, bool], None] = lambda result, kept: None,
    regrade: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
) -> list[SubmissionResult]:
    """Grade a batch into ``out_dir`` and return the results of all ``submissions``.

    ``executor`` and ``scheduler``: where the grading runs, as in
    ``autograder.grading.executors.grade_batch``.

    The batch is resumable: a submission whose ``result.json`` already records the same
    submission sha256 and autograder sha256, graded in the same mode (tests on the trusted side,
    or ``options.tests_in_sandbox``: forgeable), is kept as it is, unless ``regrade`` or the
    grader failed on it (``state == "grader_error"``: graded again).
    ``on_result(result, kept)`` is called for every submission, kept ones first. ``grades.csv``,
    ``final_grades.csv``, ``summary.html`` and ``assignment.json`` are rewritten (atomically)
    from the results on disk, also when the batch is interrupted.

    Raises BundleError when the autograder zip cannot be read, ResultsWriteError when the
    results cannot be written.
    """
    bundle = Bundle.load(bundle_path)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsWriteError(f"cannot create {out_dir}: {exc}") from None
    done = {} if regrade else finished_results(out_dir, submissions, bundle, forgeable=options.tests_in_sandbox)
    todo = {name: path for name, path in submissions.items() if name not in done}
    results = list(done.values())
    questions = {tc.name: tf.name for tf, tc in bundle.test_cases}
    for result in results:
        on_result(result, True)
    try:
        for result in grade_batch(bundle, bundle_path, todo, options, workers, executor, scheduler):
            try:
                folder = out_dir / result_folder(result.submission)
                folder.mkdir(exist_ok=True)
                write_json_atomic(folder / "result.json", result.to_json())
                write_feedback(result, bundle.config.id, folder, questions)
            except OSError as exc:
                raise ResultsWriteError(f"cannot write the results of {result.submission}: {exc}") from None
            results.append(result)
            on_result(result, False)
    finally:
        graded = [r for r in read_results(out_dir) if r.submission in submissions]
        try:
            write_grades_csv(out_dir / "grades.csv", graded, bundle.test_names)
        except OSError as exc:
            raise ResultsWriteError(f"cannot write {out_dir / 'grades.csv'}: {exc}") from None
        try:
            write_class_files(out_dir, bundle, submissions, graded)
        except OSError as exc:
            raise ResultsWriteError(f"cannot write the class summary in {out_dir}: {exc}") from None
    return results


def finished_results(out_dir: Path, submissions: dict[str, Path], bundle: Bundle, forgeable: bool) -> dict[str, SubmissionResult]:
    """Results already in ``out_dir`` for these very submission files (and attachments) and this
    autograder, graded in the mode ``forgeable`` says (True: tests ran in the sandbox)."""
    done = {}
    for result in read_results(out_dir):
        path = submissions.get(result.submission)
        if path is None or result.autograder_sha256 != bundle.sha256 or result.state == "grader_error":
            continue
        if result.forgeable != forgeable:  # a forgeable grade never stands for a secure one, nor the reverse
            continue
        try:
            unchanged = result.sha256 == submission_files(path, bundle.config)[2]
        except (IntakeError, OSError):
            unchanged = False
        if unchanged:
            done[result.submission] = result
    return done


def read_results(out_dir: Path) -> list[SubmissionResult]:
    """Every readable ``<submission>/result.json`` under a results folder."""
    results = []
    for path in sorted(out_dir.glob("*/result.json")):
        try:
            results.append(SubmissionResult.from_json(json.loads(path.read_text())))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return results
