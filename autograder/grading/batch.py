"""Batch grading on a local process pool, results streamed to the results folder.

``RESULTS/<submission>/result.json``, ``feedback.html`` and ``feedback.md`` are written as each
submission finishes (the folder name made safe by ``autograder.submissions.result_folder``); ``RESULTS/grades.csv``, ``final_grades.csv``, ``summary.html`` and
``assignment.json`` at the end (and rewritten from everything on disk, so an interrupted batch
loses nothing already graded; see ``autograder.exports``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import replace
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterator

from autograder.bundle import Bundle
from autograder.grading.grade import GradeOptions, grade_submission, grader_failed, submission_files
from autograder.grading.results import SubmissionResult, write_grades_csv, write_json_atomic
from autograder.grading.session import kill_all
from autograder.intake import IntakeError
from autograder.exports import write_class_files
from autograder.reports import write_feedback
from autograder.submissions import result_folder


def default_workers() -> int:
    """One worker per CPU core this process may use; 1 inside a pytest-xdist worker
    (``PYTEST_XDIST_WORKER`` set), where xdist already runs one process per core."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return 1
    return len(os.sched_getaffinity(0))


def for_slot(options: GradeOptions, slot: int) -> GradeOptions:
    """The options of parallel slot ``slot``: one of the GPUs in turn. (Its sandbox uid is
    claimed by the grading process itself: ``autograder.grading.uids``.)"""
    gpus = (options.gpus[slot % len(options.gpus)],) if options.gpus else ()
    return replace(options, gpus=gpus)


_worker_bundle: Bundle | None = None
_worker_slot = 0


def _init_worker(bundle_path: str, slots, threads: int) -> None:
    """Pool initializer: load the bundle once, take a slot number (hence a GPU), give
    the trusted side's torch (reference models in the tests) this slot's share of the cores,
    and on Ctrl-C kill this worker's sandboxes and exit at once instead of taking the next task."""
    global _worker_bundle, _worker_slot
    _worker_bundle = Bundle.load(Path(bundle_path))
    _worker_slot = slots.get()
    if "torch" in sys.modules:  # imported by the test files
        sys.modules["torch"].set_num_threads(threads)
    signal.signal(signal.SIGINT, _stop_worker)


def _stop_worker(signum, frame) -> None:
    kill_all()
    os._exit(128 + signum)


def _grade_in_worker(path: str, name: str, options: GradeOptions) -> dict:
    options = for_slot(options, _worker_slot)
    return grade_submission(Path(path), _worker_bundle, options, name).to_json()


EXECUTORS = ("local", "dask")


def grade_batch(
    bundle: Bundle,
    bundle_path: Path,
    submissions: dict[str, Path],
    options: GradeOptions,
    workers: int,
    executor: str = "local",
    scheduler: str | None = None,
) -> Iterator[SubmissionResult]:
    """Grade submissions on ``workers`` processes, yielding each result as it finishes.

    - executor: "local" (a process pool here) or "dask" (see ``autograder.grading.cluster``;
      ``scheduler`` is the address of an existing Dask scheduler, else a LocalCluster of
      ``workers`` processes is started).

    A grader-side failure on one submission (any ``BaseException``, ``SystemExit`` included,
    except the grader's own Ctrl-C) yields a result for it with ``state="grader_error"``; the
    batch goes on.
    """
    def failed(name: str, exc: BaseException) -> SubmissionResult:
        return grader_failed(bundle, name, exc, options.sandbox)

    if executor == "dask":
        from autograder.grading.cluster import grade_on_dask

        yield from grade_on_dask(bundle, bundle_path, submissions, options, workers, scheduler, failed)
        return
    if workers <= 1:
        for name, path in submissions.items():
            try:
                result = grade_submission(path, bundle, options, name)
            except KeyboardInterrupt:  # on the trusted side only a SIGINT raises it: the grader's Ctrl-C
                raise
            except BaseException as exc:
                result = failed(name, exc)
            yield result
        return
    context = get_context("spawn")
    slots = context.Queue()
    for slot in range(workers):
        slots.put(slot)
    with ProcessPoolExecutor(workers, context, _init_worker, (str(bundle_path), slots, options.threads)) as pool:
        futures = {pool.submit(_grade_in_worker, str(p), n, options): n for n, p in submissions.items()}
        try:
            for future in as_completed(futures):
                # Whatever the worker raised, KeyboardInterrupt and SystemExit included, is that
                # submission's failure (workers exit on Ctrl-C, they never raise it).
                exc = future.exception()
                yield failed(futures[future], exc) if exc else SubmissionResult.from_json(future.result())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


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

    ``executor`` and ``scheduler``: where the grading runs, as in ``grade_batch``.

    The batch is resumable: a submission whose ``result.json`` already records the same
    submission sha256 and autograder sha256 is kept as it is, unless ``regrade`` or the grader
    failed on it (``state == "grader_error"``: graded again).
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
    done = {} if regrade else finished_results(out_dir, submissions, bundle)
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


def finished_results(out_dir: Path, submissions: dict[str, Path], bundle: Bundle) -> dict[str, SubmissionResult]:
    """Results already in ``out_dir`` for these very submission files (and attachments) and this autograder."""
    done = {}
    for result in read_results(out_dir):
        path = submissions.get(result.submission)
        if path is None or result.autograder_sha256 != bundle.sha256 or result.state == "grader_error":
            continue
        try:
            unchanged = result.sha256 == submission_files(path, bundle)[2]
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
