"""Running a submission's code cells in a sandbox, for ``autograder.grading.grade``.

``start_sandbox`` starts a sandbox (forked from a warm zygote where possible), puts the
submission's files in its working folder and runs the cells; ``run_cells`` runs more cells in
a running one (the next step of an Otter notebook); ``close_sandbox`` stops it and adds what
it cost and printed to the result. Cell errors are recorded on the result as ``CellError``s,
a real MemoryError's limit as ``result.limit``; a sandbox that cannot finish the cells is
returned as its ``SandboxFailure``, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.bundle import Limits
from autograder.grading.launcher import Launcher
from autograder.grading.results import CellError, SubmissionResult
from autograder.grading.failures import CallError, SandboxFailure
from autograder.grading.session import SandboxSession
from autograder.grading.warm import ZygoteError, zygote_for
from autograder.intake import CodeCell


@dataclass(frozen=True)
class Files:
    """Files put in the notebook's working folder before its cells run: the student's
    attachments (name -> bytes) and the assignment's support files (relative path -> bytes)."""

    attachments: dict[str, bytes]
    support: dict[str, bytes]


def start_sandbox(
    launcher: Launcher, preload: tuple[str, ...] | None, deadline: float, limits: Limits, cells: list[CodeCell],
    files: Files, result: SubmissionResult | None, cells_timeout: float | None = None,
) -> tuple[SandboxSession, SandboxFailure | None]:
    """Start a sandbox (forked from a warm one that imported ``preload``, unless that is None
    or not possible), put ``files`` in its working folder and run the cells. Returns
    (session, the SandboxFailure if the cells could not finish, else None).

    - deadline: ``time.monotonic()`` value at which the submission's time is up.
    - limits: the bundle's resource limits (per-call timeout, captured output).
    - cells_timeout: seconds the cells may take (``budget.cells_budget``; default: the per-call
      limit).

    Cell errors, and a real MemoryError's limit, are recorded on ``result`` when given (the
    first run only).
    """
    zygote = zygote_for(launcher, preload) if preload is not None else None
    try:
        session = SandboxSession(launcher, deadline, limits.call_timeout, limits.max_output_bytes, zygote=zygote)
    except ZygoteError:
        session = SandboxSession(launcher, deadline, limits.call_timeout, limits.max_output_bytes)
    session.cells_timeout = cells_timeout
    try:
        session.request("lookup", name="__name__")  # waits for the sandbox to start: overhead, not student time
    except SandboxFailure as exc:
        return session, exc
    except Exception as exc:  # a protocol fault
        session.kill(str(exc))
        return session, SandboxFailure(str(exc))
    return session, run_cells(session, cells, files, limits, result)


def run_cells(
    session: SandboxSession, cells: list[CodeCell], files: Files | None, limits: Limits, result: SubmissionResult | None
) -> SandboxFailure | None:
    """Run ``cells`` in the session (after writing ``files``, when given). Returns the
    SandboxFailure when they could not finish, else None; records cell errors (and a real
    MemoryError's limit) on ``result`` when given."""
    extra = {"files": files.attachments, "support_files": files.support} if files else {}
    try:
        outcomes = session.request("exec", cells=[[c.index, c.source] for c in cells], **extra)
    except SandboxFailure as exc:
        return exc
    except Exception as exc:  # CallError cannot happen for exec; anything else is a protocol fault
        session.kill(str(exc))
        return SandboxFailure(str(exc))
    if result is not None and isinstance(outcomes, list):
        for outcome in outcomes:  # sandbox output: trust no field's type
            error = outcome.get("error") if isinstance(outcome, dict) else None
            if isinstance(error, dict):
                cell, reported = outcome.get("cell"), CallError.from_report(error, limits)
                result.limit = result.limit or reported.limit
                result.cell_errors.append(
                    CellError(cell if type(cell) is int else -1, reported.type_name, reported.message, reported.traceback)
                )
    return None


def close_sandbox(session: SandboxSession, result: SubmissionResult, outputs: list[str]) -> None:
    """Close ``session``, adding its student time, output and cut output bytes to ``result``."""
    result.student_time += session.student_seconds
    outputs.append(session.close())
    result.output_cut_bytes += session.output.dropped
