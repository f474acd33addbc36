"""Executors: where the submissions of a batch are graded, one ``grade_submission`` each.

``local`` grades on this machine (a process pool), ``dask`` on a Dask cluster. Both yield one
``SubmissionResult`` per submission as it finishes, and turn a grader-side failure on one
submission into its ``state="grader_error"`` result, so the batch goes on. They sit beneath
``autograder.grading.batch`` (which writes the results folder) and above
``autograder.grading.grade`` (one submission).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from autograder.bundle import Bundle
from autograder.grading.executors.dask import grade_on_dask
from autograder.grading.executors.local import grade_locally
from autograder.grading.grade import GradeOptions
from autograder.grading.results import SubmissionResult

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
    """Grade ``submissions`` (name -> path) with ``bundle`` (read from ``bundle_path``) on
    ``workers`` processes, yielding each result as it finishes.

    - executor: "local" (``grade_locally``) or "dask" (``grade_on_dask``; ``scheduler`` is the
      address of an existing Dask scheduler, else a LocalCluster of ``workers`` processes is
      started).

    A grader-side failure on one submission (any ``BaseException``, ``SystemExit`` included,
    except the grader's own Ctrl-C) yields a result for it with ``state="grader_error"``; the
    batch goes on. Raises ValueError for an unknown executor.
    """
    if executor == "dask":
        return grade_on_dask(bundle, bundle_path, submissions, options, workers, scheduler)
    if executor == "local":
        return grade_locally(bundle, bundle_path, submissions, options, workers)
    raise ValueError(f"unknown executor {executor!r}: one of {', '.join(EXECUTORS)}")
