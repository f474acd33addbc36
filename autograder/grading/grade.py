"""Grading one submission.

One submission is a visible pipeline: hash → intake (validate, extract cells) → start a
sandbox → execute the cells there → run every test case on the trusted side → result. A
sandbox that dies during the tests (a crash, a per-call timeout) is restarted, with the cells
run again, at most ``MAX_RESTARTS`` times, so one bad call costs one test, not all of them.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograder import otter_compat
from autograder.bundle import Bundle
from autograder.grading.in_sandbox import run_in_sandbox
from autograder.grading.launcher import SANDBOX_UID_BASE, Launcher
from autograder.grading.results import HIDDEN, VISIBLE, CellError, SubmissionResult, TestResult
from autograder.grading.runner import make_fixtures, run_test_case
from autograder.grading.session import SandboxFailure, SandboxSession, memory_hint
from autograder.grading.warm import ZygoteError, zygote_for
from autograder.intake import CodeCell, IntakeError, read_attachments, read_submission

MAX_RESTARTS = 3
"""Sandbox restarts allowed per submission after a crash or timeout during the tests."""


@dataclass(frozen=True)
class GradeOptions:
    """How to grade.

    - sandbox: "bwrap" or "none" (see ``Launcher``).
    - data_dir: the grader's data folder (holds ``mnist/``), or None.
    - allow_fallback_data: use scikit-learn's digits when MNIST is absent (``dlgrade demo``).
    - timeout: overrides the bundle's per-submission wall-clock limit, seconds.
    - threads: BLAS threads per sandbox.
    - uid: host uid for student code when grading as root (see ``Launcher.uid``); each
      parallel slot gets its own.
    - gpus: indices of the GPUs submissions may use; a submission gets the first (the batch
      hands each parallel slot one of them in turn). Empty: CPU only.
    - warm: fork each submission's worker from a warm sandbox that has imported the bundle's
      ``preload`` modules, where that is possible (``autograder.grading.warm``); False starts
      a new sandbox for every submission.
    - tests_in_sandbox: run a plain Otter zip's tests with Otter's own runner inside the
      sandbox (``autograder.grading.in_sandbox``): Otter's exact semantics, forgeable results.
    """

    sandbox: str = "bwrap"
    data_dir: str | None = None
    allow_fallback_data: bool = False
    timeout: float | None = None
    threads: int = 1
    uid: int = SANDBOX_UID_BASE
    gpus: tuple[int, ...] = ()
    warm: bool = True
    tests_in_sandbox: bool = False

    @property
    def gpu(self) -> int | None:
        """The GPU one submission's sandbox may use, or None."""
        return self.gpus[0] if self.gpus else None


def dataset_loaders(options: GradeOptions) -> dict[str, Callable]:
    """Loaders for the datasets hidden tests may ask for, by fixture name (the keys of
    ``reference.datasets.LOADERS``); each loads once per grading process."""
    from reference.datasets import LOADERS

    return {name: functools.partial(_load, name, options.data_dir, options.allow_fallback_data) for name in LOADERS}


@functools.lru_cache(maxsize=4)
def _load(name: str, data_dir: str | None, allow_fallback: bool):
    from reference.datasets import LOADERS, load_digits_as_mnist, mnist_available

    if name == "mnist" and allow_fallback and not mnist_available(data_dir):
        return load_digits_as_mnist()
    return LOADERS[name](data_dir)


def submission_sha256(path: Path, attachments: dict[str, bytes]) -> str:
    """sha256 (hex) of the submitted file and, when there are any, its attachments by name:
    a result is kept on a rerun only when this is unchanged."""
    digest = hashlib.sha256(path.read_bytes())
    for name in sorted(attachments):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(attachments[name]).digest())
    return digest.hexdigest()


def submission_files(path: Path, bundle: Bundle) -> tuple[list[CodeCell], dict[str, bytes], str]:
    """Intake: the cells to run, the attachments found, and the submission's sha256.

    Raises IntakeError or OSError when the submission cannot be read.
    """
    config = bundle.config
    attachments = read_attachments(path, config.attachments, config.limits.attachment_bytes)
    return read_submission(path), attachments, submission_sha256(path, attachments)


def grade_submission(path: Path, bundle: Bundle, options: GradeOptions, name: str | None = None) -> SubmissionResult:
    """Grade one notebook. Never raises for anything the submission does."""
    started = time.monotonic()
    limits = bundle.config.limits
    result = SubmissionResult(
        submission=name or path.stem, sandbox=options.sandbox, autograder_sha256=bundle.sha256,
        device="cpu" if options.gpu is None else f"cuda:{options.gpu}", forgeable=options.tests_in_sandbox,
    )
    try:
        cells, attachments, result.sha256 = submission_files(path, bundle)
    except (IntakeError, OSError) as exc:
        result.error = f"Your notebook could not be graded: {exc}"
        result.tests = [not_graded(tc, result.error) for _, tc in bundle.test_cases]
        result.execution_time = time.monotonic() - started
        return result

    deadline = started + (options.timeout or limits.timeout)
    launcher = Launcher(options.sandbox, options.threads, limits, options.uid, options.gpu)
    loaders = dataset_loaders(options)
    preload = tuple(bundle.config.preload) if options.warm else None
    files = Files(attachments, bundle.otter.files if bundle.otter else {})
    cells = otter_compat.seeded(cells, bundle.otter)
    steps = otter_compat.check_steps(cells) if bundle.otter else [(cells, ())]
    outputs: list[str] = []
    graded: dict[str, TestResult] = {}
    checked: set[str] = set()
    done: list[CodeCell] = []
    session, restarts = None, 0
    try:
        for step_cells, questions in steps:
            done += step_cells
            if session is None:
                session, result.error = _start(launcher, preload, deadline, limits, step_cells, files, result)
            else:
                result.error = _exec(session, step_cells, None, limits, result)
            if result.error:
                break
            to_test = [f for f in bundle.test_files if (f.name in questions if questions else f.name not in checked)]
            checked.update(questions)
            if options.tests_in_sandbox:
                graded.update(run_in_sandbox(session, to_test, bundle.sources))
                continue
            for test_file in to_test:
                for tc in test_file.test_cases:
                    if session.dead_reason and restarts < MAX_RESTARTS and time.monotonic() < deadline:
                        result.student_time += session.student_seconds
                        outputs.append(session.close())
                        restarts += 1
                        session, _ = _start(launcher, preload, deadline, limits, done, files, None)
                    device = "cpu" if options.gpu is None else "cuda"
                    fixtures = make_fixtures(tc.name, bundle.config.seed, loaders, device, attachments)
                    graded[tc.name] = run_test_case(tc, test_file, session, fixtures)
    finally:
        if session is not None:
            result.student_time += session.student_seconds
            outputs.append(session.close())
    result.tests = [not_graded(tc, result.error) if result.error else graded[tc.name] for _, tc in bundle.test_cases]
    otter_compat.apply_all_or_nothing(bundle.test_files, result.tests)
    result.stdout = "\n".join(o for o in outputs if o)[-limits.max_output_bytes :]
    result.execution_time = time.monotonic() - started
    return result


@dataclass(frozen=True)
class Files:
    """Files put in the notebook's working folder before its cells run: the student's
    attachments (name -> bytes) and the assignment's support files (relative path -> bytes)."""

    attachments: dict[str, bytes]
    support: dict[str, bytes]


def _start(launcher, preload, deadline, limits, cells: list[CodeCell], files: Files, result: SubmissionResult | None):
    """Start a sandbox (forked from a warm one that imported ``preload``, unless that is None
    or not possible), put ``files`` in its working folder and run the cells. Returns
    (session, message if the cells could not finish).

    Cell errors are recorded on ``result`` when given (the first run only).
    """
    zygote = zygote_for(launcher, preload) if preload is not None else None
    try:
        session = SandboxSession(launcher, deadline, limits.call_timeout, limits.max_output_bytes, zygote=zygote)
    except ZygoteError:
        session = SandboxSession(launcher, deadline, limits.call_timeout, limits.max_output_bytes)
    try:
        session.request("lookup", name="__name__")  # waits for the sandbox to start: overhead, not student time
    except SandboxFailure as exc:
        return session, f"Running your notebook failed: {exc}."
    except Exception as exc:  # a protocol fault
        session.kill(str(exc))
        return session, f"Running your notebook failed: {exc}."
    return session, _exec(session, cells, files, limits, result)


def _exec(session: SandboxSession, cells: list[CodeCell], files: Files | None, limits, result: SubmissionResult | None) -> str | None:
    """Run ``cells`` in the session (after writing ``files``, when given). Returns a message
    when they could not finish, else None; records cell errors on ``result`` when given."""
    extra = {"files": files.attachments, "support_files": files.support} if files else {}
    try:
        outcomes = session.request("exec", cells=[[c.index, c.source] for c in cells], **extra)
    except SandboxFailure as exc:
        return f"Running your notebook failed: {exc}."
    except Exception as exc:  # CallError cannot happen for exec; anything else is a protocol fault
        session.kill(str(exc))
        return f"Running your notebook failed: {exc}."
    if result is not None and isinstance(outcomes, list):
        for outcome in outcomes:  # sandbox output: trust no field's type
            error = outcome.get("error") if isinstance(outcome, dict) else None
            if isinstance(error, dict):
                cell = outcome.get("cell")
                type_name, message, trace = (str(error.get(k, ""))[:4000] for k in ("type", "message", "traceback"))
                message = (message + memory_hint(type_name, limits)).strip()
                result.cell_errors.append(CellError(cell if type(cell) is int else -1, type_name, message, trace))
    return None


def not_graded(tc, reason: str) -> TestResult:
    """A zero-score result for a test that could not run, with the reason for the student."""
    return TestResult(tc.name, float(tc.points or 0.0), 0.0, reason, HIDDEN if tc.hidden else VISIBLE, passed=False)
