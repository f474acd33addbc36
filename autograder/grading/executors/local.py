"""Grading on this machine (``dlgrade grade --executor local``): one submission after another,
or a process pool of ``workers`` spawned grading processes.

Each pool process loads the bundle once, takes a slot number (hence a GPU, see
``GradeOptions.for_slot``) and gives the trusted side's torch its share of the cores. On
Ctrl-C a pool process kills its sandboxes (``autograder.grading.live.kill_all``) and exits at
once instead of taking the next task; the parent stops the pool and lets the
``KeyboardInterrupt`` through.
"""

from __future__ import annotations

import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Iterator

from autograder.bundle import Bundle
from autograder.grading import live
from autograder.grading.grade import GradeOptions, grade_submission, grader_failed
from autograder.grading.results import SubmissionResult


def default_workers() -> int:
    """One worker per CPU core this process may use; 1 inside a pytest-xdist worker
    (``PYTEST_XDIST_WORKER`` set), where xdist already runs one process per core."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return 1
    return len(os.sched_getaffinity(0))


def grade_locally(
    bundle: Bundle, bundle_path: Path, submissions: dict[str, Path], options: GradeOptions, workers: int
) -> Iterator[SubmissionResult]:
    """Grade ``submissions`` (name -> path) here, in this process when ``workers <= 1``, else on
    a pool of ``workers`` processes; yield each result as it finishes.

    A grader-side failure on one submission (any ``BaseException`` but the grader's own Ctrl-C)
    yields its ``grader_failed`` result; the batch goes on. Raises KeyboardInterrupt on Ctrl-C.
    """
    if workers <= 1:
        for name, path in submissions.items():
            try:
                result = grade_submission(path, bundle, options, name)
            except KeyboardInterrupt:  # on the trusted side only a SIGINT raises it: the grader's Ctrl-C
                raise
            except BaseException as exc:
                result = grader_failed(bundle, name, exc, options.sandbox)
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
                name = futures[future]
                yield grader_failed(bundle, name, exc, options.sandbox) if exc else SubmissionResult.from_json(future.result())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


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
    live.kill_all()
    os._exit(128 + signum)


def _grade_in_worker(path: str, name: str, options: GradeOptions) -> dict:
    return grade_submission(Path(path), _worker_bundle, options.for_slot(_worker_slot), name).to_json()
