"""Grading on a Dask cluster (``dlgrade grade --executor dask``): one task grades one submission.

Without a scheduler address a ``distributed.LocalCluster`` of single-threaded worker processes
is started here; with one, an existing cluster is used. Its workers need dlgrade, bubblewrap
and the datasets (at the same ``--data-dir`` path) installed; nothing else is shared: each task
carries the submission's bytes (and its attachments) and the autograder zip (kilobytes of
tests; each worker loads it once). A task returns the result as ``result.json`` data.

A worker that dies while grading (the grader process itself, not a sandbox: student code cannot
kill it) makes the scheduler retry the task once elsewhere (``allowed-failures = 1``); a second
death marks the submission failed with that reason. GPU grading asks for the worker resource
``GPU`` (``resources={"GPU": 1}``): start GPU workers with ``--resources GPU=1``.
"""

from __future__ import annotations

import tempfile
import zlib
from pathlib import Path
from typing import Iterator

from autograder.bundle import Bundle
from autograder.grading.grade import GradeOptions, grade_submission, grader_failed
from autograder.grading.results import SubmissionResult
from autograder.intake import IntakeError, read_attachments, read_submitted

ALLOWED_FAILURES = 1
"""Worker deaths a task survives (it is retried on another worker) before it is marked failed."""


def grade_on_dask(
    bundle: Bundle,
    bundle_path: Path,
    submissions: dict[str, Path],
    options: GradeOptions,
    workers: int,
    scheduler: str | None,
) -> Iterator[SubmissionResult]:
    """Grade ``submissions`` on Dask, yielding each result as it finishes.

    - workers: worker processes of the LocalCluster started when ``scheduler`` is None
      (ignored with a scheduler address, ``tcp://HOST:PORT``).

    A task that failed (its worker died twice, or it raised) yields its ``grader_failed`` result.
    """
    import dask
    from distributed import Client, LocalCluster, as_completed

    resources = {"GPU": 1} if options.gpus else None
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = None
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, resources=resources, dashboard_address=None
            )
        try:
            with Client(scheduler or cluster) as client:
                # Each task carries the zip (kilobytes of tests) itself: data scattered to workers
                # is lost when they die, and a dying worker is what the retry is for.
                bundle_data = bundle_path.read_bytes()
                futures = {}
                for name, path in submissions.items():
                    try:
                        files = pack(path, bundle)
                    except (IntakeError, OSError):  # intake fails the same way here: grade it at once
                        yield grade_submission(path, bundle, options, name)
                        continue
                    future = client.submit(
                        grade_task, bundle_data, bundle.sha256, files, path.name, name, options,
                        key=f"grade-{zlib.crc32(name.encode()):08x}-{name[:40]}", resources=resources, pure=False,
                    )
                    futures[future] = name
                for future in as_completed(futures):
                    # KilledWorker after the retry, or anything the task raised (SystemExit too)
                    exc = future.exception()
                    name = futures[future]
                    yield grader_failed(bundle, name, exc, options.sandbox) if exc else SubmissionResult.from_json(future.result())
        finally:
            if cluster is not None:
                cluster.close()


def pack(path: Path, bundle: Bundle) -> dict[str, bytes]:
    """The files a task carries: the submission itself and, beside a notebook, its attachments.

    Raises IntakeError or OSError as intake would.
    """
    limits, names = bundle.config.limits, bundle.config.attachments
    files = {path.name: read_submitted(path, bundle.config.zip_extra_bytes)}
    if path.suffix.lower() != ".zip":
        files.update(read_attachments(path, names, limits.attachment_bytes))
    return files


_bundles: dict[str, Bundle] = {}


def grade_task(bundle_data: bytes, bundle_sha256: str, files: dict[str, bytes], submission: str, name: str,
               options: GradeOptions) -> dict:
    """Runs on a Dask worker: rebuild the submission folder in a temporary directory and grade it.

    The worker's slot (its sandbox uid, its GPU) comes from its name: LocalCluster names
    workers 0, 1, ...; other names are hashed. Never raises for one submission: whatever the
    grading raises, ``SystemExit`` included, becomes a ``grader_error`` result.
    """
    from distributed import get_worker

    with tempfile.TemporaryDirectory(prefix="dlgrade-task-") as tmp:
        if bundle_sha256 not in _bundles:
            zip_path = Path(tmp) / "autograder.zip"
            zip_path.write_bytes(bundle_data)
            _bundles[bundle_sha256] = Bundle.load(zip_path)
        folder = Path(tmp) / "submission"
        folder.mkdir()
        for file_name, data in files.items():
            (folder / Path(file_name).name).write_bytes(data)
        worker = get_worker().name
        slot = worker if isinstance(worker, int) else zlib.crc32(str(worker).encode()) % 1000
        bundle = _bundles[bundle_sha256]
        try:
            return grade_submission(folder / submission, bundle, options.for_slot(slot), name).to_json()
        except BaseException as exc:  # Dask lets SystemExit and KeyboardInterrupt kill the worker
            return grader_failed(bundle, name, exc, options.sandbox).to_json()
