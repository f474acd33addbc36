"""Grading one submission.

One submission is a visible pipeline: hash → intake (validate, extract cells) → start a
sandbox → execute the cells there → run every test case on the trusted side → result. A
sandbox that dies during the tests (a crash, a per-call timeout) is restarted, with the cells
run again, at most ``MAX_RESTARTS`` times, so one bad call costs one test, not all of them.
Starting sandboxes and running cells in them: ``autograder.grading.cells``; one test case:
``autograder.grading.runner``.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from autograder import otter_compat
from autograder.bundle import Bundle, BundleConfig, Limits
from autograder.grading.in_sandbox import run_in_sandbox
from autograder.grading.budget import budget_for, cells_budget, submission_timeout
from autograder.grading.cells import Files, close_sandbox, run_cells, start_sandbox
from autograder.grading.launcher import SANDBOX_UID_BASE, Launcher
from autograder.grading.results import HIDDEN, VISIBLE, NotRunCode, SubmissionResult, TestResult
from autograder.grading.runner import NOT_DEFINED, GraderError, make_fixtures, other_notebook_hint, run_test_case
from autograder.grading.uids import claim_uid
from autograder.intake import CodeCell, IntakeError, read_attachments, read_submitted, submission_cells, zip_files

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
    - uid: the first host uid student code may run as when grading as root (see
      ``Launcher.uid``); each grading process claims the first one of the range that no other
      running grading process holds (``autograder.grading.uids``), so parallel slots and
      separate graders on one host never share one.
    - gpus: indices of the GPUs submissions may use; a submission gets the first (the batch
      hands each parallel slot one of them in turn). Empty: CPU only.
    - warm: fork each submission's worker from a warm sandbox that has imported the bundle's
      ``preload`` modules, where that is possible (``autograder.grading.warm``); False starts
      a new sandbox for every submission.
    - stop_at_first_failure: once a hidden test fails, the remaining tests are not run
      (reported not graded). For mutation testing (``autograder.build.mutate``), where one
      failing hidden test is the whole verdict; never for grading students.
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
    stop_at_first_failure: bool = False
    tests_in_sandbox: bool = False

    @property
    def gpu(self) -> int | None:
        """The GPU one submission's sandbox may use, or None."""
        return self.gpus[0] if self.gpus else None

    def launcher(self, limits: Limits) -> Launcher:
        """How this grading process starts sandboxes under ``limits``: its sandbox mode, threads
        and GPU, and, where student code runs as its own uid, the uid this process claimed."""
        launcher = Launcher(self.sandbox, self.threads, limits, self.uid, self.gpu)
        return replace(launcher, uid=claim_uid(self.uid)) if launcher.drops_privileges else launcher

    def for_slot(self, slot: int) -> "GradeOptions":
        """The options of parallel slot ``slot`` (0, 1, ...): one of the GPUs in turn. (Its
        sandbox uid is claimed by the grading process itself: ``autograder.grading.uids``.)"""
        return replace(self, gpus=(self.gpus[slot % len(self.gpus)],) if self.gpus else ())


def dataset_loaders(options: GradeOptions) -> dict[str, Callable]:
    """Loaders for the datasets hidden tests may ask for, by fixture name (the keys of
    ``autograder.datasets.LOADERS``); each loads once per grading process."""
    from autograder.datasets import LOADERS

    return {name: functools.partial(_load, name, options.data_dir, options.allow_fallback_data) for name in LOADERS}


@functools.lru_cache(maxsize=4)
def _load(name: str, data_dir: str | None, allow_fallback: bool):
    from autograder.datasets import LOADERS, load_digits_as_mnist, mnist_available

    if name == "mnist" and allow_fallback and not mnist_available(data_dir):
        return load_digits_as_mnist()
    return LOADERS[name](data_dir)


def submission_sha256(submitted: bytes, attachments: dict[str, bytes]) -> str:
    """sha256 (hex) of the submitted file's bytes and, when there are any, its attachments by
    name: a result is kept on a rerun only when this is unchanged."""
    digest = hashlib.sha256(submitted)
    for name in sorted(attachments):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(attachments[name]).digest())
    return digest.hexdigest()


def submission_files(path: Path, config: BundleConfig) -> tuple[list[CodeCell], dict[str, bytes], str]:
    """Intake: the cells to run, the attachments ``config`` asks for that were found (with
    ``config.zip_files``, every other file of a ``.zip``, by its path in it), and the
    submission's sha256.

    The file is read once, bounded, and only if it is a regular file (``read_submitted``).
    Raises IntakeError or OSError when the submission cannot be read.
    """
    submitted = read_submitted(path, config.zip_extra_bytes)
    cells = submission_cells(path.name, submitted)  # a zip is checked here, before its other files are read
    if config.zip_files and path.suffix.lower() == ".zip":
        attachments = zip_files(submitted, config.zip_extra_bytes)
    else:
        attachments = read_attachments(path, config.attachments, config.limits.attachment_bytes, submitted)
    return cells, attachments, submission_sha256(submitted, attachments)


def grade_submission(path: Path, bundle: Bundle, options: GradeOptions, name: str | None = None) -> SubmissionResult:
    """Grade one notebook. Never raises for anything the submission does.

    ``result.state`` is "rejected" when intake refused the files, "grader_error" when the grader
    failed on a test (that test is not graded, the others are), else "graded". Raises only
    for a failure of the grader outside the tests (the executors record those) and for
    KeyboardInterrupt.
    """
    started = time.monotonic()
    limits = bundle.config.limits
    result = SubmissionResult(
        submission=name or path.stem, sandbox=options.sandbox, autograder_sha256=bundle.sha256,
        device="cpu" if options.gpu is None else f"cuda:{options.gpu}", forgeable=options.tests_in_sandbox,
    )
    try:
        cells, attachments, result.sha256 = submission_files(path, bundle.config)
    except (IntakeError, OSError) as exc:
        result.state = "rejected"
        result.error = f"Your notebook could not be graded: {exc}"
        result.tests = [not_graded(tc, result.error) for _, tc in bundle.test_cases]
        result.execution_time = time.monotonic() - started
        return result

    result.not_run = [NotRunCode(c.index, n.line, n.code, n.reason) for c in cells for n in c.not_run]
    deadline = started + (options.timeout or submission_timeout(bundle.config, bundle.test_names))
    launcher = options.launcher(limits)
    loaders = dataset_loaders(options)
    preload = tuple(bundle.config.preload) if options.warm else None
    files = Files(attachments, bundle.otter.files if bundle.otter else {})
    sources = [c.source for c in cells]  # the notebook_cells fixture: tests may parse, never run, them
    submitted = otter_compat.submitted_modules(attachments) if bundle.otter else set()
    cells = otter_compat.seeded(cells, bundle.otter)
    steps = otter_compat.check_steps(cells) if bundle.otter else [(cells, ())]
    outputs: list[str] = []
    looked_up: dict[str, bool] = {}
    graded: dict[str, TestResult] = {}
    checked: set[str] = set()
    done: list[CodeCell] = []
    stopped: str | None = None  # why the remaining tests are not run (options.stop_at_first_failure)
    session, restarts = None, 0
    try:
        for step_cells, questions in steps:
            done += step_cells
            if session is None:
                session, failure = start_sandbox(launcher, preload, deadline, limits, step_cells, files, result, cells_budget(bundle.config))
            else:
                failure = run_cells(session, step_cells, None, limits, result)
            if failure:
                result.error = f"Running your notebook failed: {failure}."
                result.limit = failure.limit or result.limit
                break
            to_test = [f for f in bundle.test_files if (f.name in questions if questions else f.name not in checked)]
            checked.update(questions)
            if options.tests_in_sandbox:
                graded.update(run_in_sandbox(session, to_test, bundle.sources))
                continue
            for test_file in to_test:
                for tc in test_file.test_cases:
                    if stopped:
                        graded[tc.name] = not_graded(tc, stopped)
                        continue
                    imports = otter_compat.submitted_imports(test_file, tc, submitted)
                    if imports:
                        graded[tc.name] = not_graded(tc, otter_compat.SUBMITTED_IMPORT.format(names=", ".join(f"`{n}`" for n in imports)))
                        continue
                    if session.dead_reason and restarts < MAX_RESTARTS and time.monotonic() < deadline:
                        close_sandbox(session, result, outputs)
                        restarts += 1
                        session, _ = start_sandbox(launcher, preload, deadline, limits, done, files, None, cells_budget(bundle.config))
                    device = "cpu" if options.gpu is None else "cuda"
                    fixtures = make_fixtures(tc.name, bundle.config.seed, loaders, device, attachments, sources)
                    try:
                        with bundle.modules():  # the hidden tests import the assignment's reference as `assignment`
                            graded[tc.name] = run_test_case(tc, test_file, session, fixtures, looked_up, budget_for(bundle.config, tc.name))
                    except GraderError as exc:
                        result.state = "grader_error"
                        graded[tc.name] = not_graded(tc, f"Not graded: the grader failed on this test ({exc}).")
                    if options.stop_at_first_failure and tc.hidden and graded[tc.name].status != "passed":
                        stopped = f"Not run: hidden test {tc.name} failed first."
    finally:
        if session is not None:
            close_sandbox(session, result, outputs)
    result.tests = [not_graded(tc, result.error) if result.error else graded[tc.name] for _, tc in bundle.test_cases]
    otter_compat.apply_all_or_nothing(bundle.test_files, result.tests)
    hint = other_notebook_hint(looked_up)
    for test in result.tests if hint else ():
        if NOT_DEFINED in test.output:
            test.output += "\n" + hint
    result.stdout = "\n".join(o for o in outputs if o)[-limits.max_output_bytes :]
    result.execution_time = time.monotonic() - started
    return result


def grader_failed(bundle: Bundle, name: str, exc: BaseException, sandbox: str) -> SubmissionResult:
    """The result of a submission the grader itself failed on (``exc``): every test not graded,
    ``state="grader_error"``."""
    reason = f"The grader failed on this submission: {type(exc).__name__}: {exc}"
    tests = [not_graded(tc, reason) for _, tc in bundle.test_cases]
    return SubmissionResult(name, tests, error=reason, sandbox=sandbox, state="grader_error")


def not_graded(tc, reason: str) -> TestResult:
    """A zero-score result for a test that could not run, with the reason for the student."""
    return TestResult(tc.name, float(tc.points or 0.0), 0.0, reason, HIDDEN if tc.hidden else VISIBLE, passed=False, graded=False)
