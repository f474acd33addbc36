"""The trusted test runner: runs a bundle's Otter test cases against a sandboxed notebook.

Each test case is an Otter ``test_case``; it is called through Otter's own
``test_case.call_func(env)`` with a ``StudentNamespace`` as ``env``, so test files written
for Otter work unchanged. Failure messages are dlgrade's, not Otter's: Otter quotes the
test's source lines, which must never reach a student for a hidden test.
"""

from __future__ import annotations

import time
import traceback
import zlib
from typing import Any, Callable

import numpy as np
from otter.test_files import ExceptionTestFile, OKTestFile
from otter.test_files.abstract_test import TestCase

from autograder import testing
from autograder.grading import doctests
from autograder.grading.budget import Budget
from autograder.protocol import MAX_ERROR_CHARS
from autograder.grading.proxy import Lazy, StudentNamespace
from autograder.grading.results import HIDDEN, HIDDEN_FAILURE, PASSED, VISIBLE, LimitHit, TestResult
from autograder.grading.failures import CallError, SandboxFailure
from autograder.grading.session import SandboxSession

class GraderError(Exception):
    """The grader itself failed while running a test (a ``BaseException`` such as ``SystemExit``
    or ``GeneratorExit`` escaped the test): the test is not graded, the submission goes on."""


RETURN_VALUE_ERRORS = (TypeError, ValueError, IndexError, KeyError, AttributeError)
"""Errors raised on the trusted side while a hidden test handles what the student's code
returned (a list for an array, a wrong shape, a missing key): the message names the return
value. Assertion errors from helpers such as ``np.testing`` print expected values and are
never shown."""


def seed_for_test(assignment_seed: int, test_name: str) -> list[int]:
    """Seed sequence for one test: (assignment seed, CRC32 of the test name). Regrades repeat it."""
    return [assignment_seed, zlib.crc32(test_name.encode())]


def make_fixtures(
    test_name: str,
    assignment_seed: int,
    datasets: dict[str, Callable[[], Any]],
    device: str = "cpu",
    attachments: dict[str, bytes] | None = None,
    cells: list[str] | None = None,
) -> dict[str, Any]:
    """Trusted values a test may ask for by parameter name.

    - ``rng``: ``np.random.Generator`` seeded from (assignment seed, test name).
    - ``device``: ``"cuda"`` when the sandbox has a GPU, else ``"cpu"``: the torch device a
      test asks student code to use.
    - ``attachments``: file name -> bytes of the files submitted with the notebook (a copy;
      load a state_dict with ``autograder.testing.load_state_dict``).
    - ``notebook_cells``: the sources of the code cells the sandbox ran, as intake read them on
      the trusted side (a tuple of str): read them with ``autograder.testing.student_source``
      and ``referenced_names``, never by asking the sandbox.
    - one entry per dataset in ``datasets`` (for example ``mnist``: an ``ImageDataset``),
      loaded on first use.
    """
    fixtures: dict[str, Any] = {
        "rng": np.random.default_rng(seed_for_test(assignment_seed, test_name)),
        "device": device,
        "attachments": dict(attachments or {}),
        "notebook_cells": tuple(cells or ()),
    }
    fixtures.update({name: Lazy(loader) for name, loader in datasets.items()})
    return fixtures


def run_test_case(
    tc: TestCase, test_file: ExceptionTestFile, session: SandboxSession, fixtures: dict[str, Any],
    looked_up: dict[str, bool] | None = None, budget: Budget | None = None,
) -> TestResult:
    """Run one test case and score it (all or nothing), recording the limit it hit and whether
    it could run at all (``TestResult.limit``, ``TestResult.graded``).

    A test that fails after asking for names the notebook does not define says so instead of
    showing the ``NoneType`` error that follows. looked_up, when given, collects the names the
    test asked of the notebook -> whether they were defined (see ``other_notebook_hint``).

    An ``Exception`` fails the test. Any other ``BaseException`` but ``KeyboardInterrupt`` (the
    grader's own Ctrl-C, the only source of one on the trusted side) raises GraderError. An
    OK-format (doctest) case goes to ``doctests.run_ok_case``.

    budget, when given, bounds all the test's calls into the notebook together (instead of each
    call having the per-call limit); running out of it says what was running and what the
    reference took (``Budget.timeout_message``). ``TestResult.seconds`` records the time spent
    in those calls.
    """
    if isinstance(test_file, OKTestFile):
        return doctests.run_ok_case(test_file.test_cases.index(tc), tc, test_file, session, fixtures)
    points = float(tc.points or 0.0)
    result = TestResult(tc.name, points, visibility=HIDDEN if tc.hidden else VISIBLE, passed=False)
    env = StudentNamespace(session, fixtures)
    spent, session.running = session.student_seconds, None
    session.output.section(f"{GRADER_OUTPUT} {tc.name} ran your code ──")
    session.budget_end = time.monotonic() + budget.seconds if budget else None
    try:
        with testing.collect_figures() as result.figures, testing.collect_notes() as notes:
            tc.body.call_func(env)
    except SandboxFailure as exc:
        result.graded, result.limit = False, exc.limit
        if budget and exc.limit and exc.limit.kind == "call_timeout" and session.stopped_by_budget:
            result.limit = LimitHit("call_timeout", budget.timeout_message(tc.name, session.running))
            result.output = f"Not graded. {result.limit.message}"
        else:
            result.output = f"Not graded: {exc}."
    except CallError as exc:
        result.output = f"Your code raised {exc.type_name}: {exc.message}\n{exc.traceback}".rstrip()
        result.limit = exc.limit
    except Exception as exc:
        missing = [name for name, found in env.looked_up.items() if not found]
        if env.not_carried:  # it needed a module the secure mode cannot hand over: no verdict
            result.graded, result.output = False, f"Not graded: {env.not_carried[0]}"
        else:
            result.output = not_defined_message(missing) if missing else failure_message(exc, tc, test_file)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        raise GraderError(f"{type(exc).__name__} while running {tc.name}") from None
    else:
        result.score, result.passed = points, True
        result.output = " ".join([tc.success_message or PASSED, *notes])  # what it measured (testing.report)
    finally:
        session.budget_end = None
        result.seconds = session.student_seconds - spent
    if looked_up is not None:
        for name, found in env.looked_up.items():
            looked_up[name] = looked_up.get(name, False) or found
    return result


GRADER_OUTPUT = "── printed while the grader's test"
"""Starts the heading over output printed during a test's calls (the student's ``train`` run by
the grader, say), as opposed to output of the notebook's own cells."""

NOT_DEFINED = "not defined in your notebook"


def not_defined_message(names: list[str]) -> str:
    """``accuracy_fn`` is not defined in your notebook ... (names: those a test asked for)."""
    listed = ", ".join(f"`{n}`" for n in names)
    verb = "is" if len(names) == 1 else "are"
    return (
        f"{listed} {verb} {NOT_DEFINED}: the tests call it by this name. Check the spelling against the "
        "notebook's instructions, that its cell ran without an error, and that modules are imported."
    )


def other_notebook_hint(looked_up: dict[str, bool]) -> str | None:
    """A hint that this is another assignment's notebook, when most of the names the tests
    asked for (at least three) are not defined in it; else None."""
    missing = sum(not found for found in looked_up.values())
    if len(looked_up) >= 3 and missing > len(looked_up) / 2:
        return (
            f"{missing} of the {len(looked_up)} names the tests use are not defined in your notebook: "
            "is this the notebook of another assignment?"
        )
    return None


def failure_message(exc: Exception, tc: TestCase, test_file: ExceptionTestFile) -> str:
    """What a student sees for a failed test.

    Public tests quote the failing line of the test (students have those tests anyway).
    Hidden tests show the author's ``failure_message``, or the message of an ``assert`` written
    in the test file itself or in ``autograder.testing``'s checks, or, for a ``RETURN_VALUE_ERRORS``
    error, that the return value could not be used and why; never test source, and never
    messages from helpers such as ``np.testing.assert_allclose``, which print expected values.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    in_test = [f for f in frames if f.filename == test_file.path]
    if not tc.hidden:
        where = f"\n  {test_file.source_lines[in_test[-1].lineno - 1].strip()}" if in_test else ""
        detail = f"{type(exc).__name__}: {exc}".strip()
        return f"{tc.failure_message or 'Failed.'}{where}\n{detail}"[:MAX_ERROR_CHARS]
    if tc.failure_message:
        return tc.failure_message
    author_written = (test_file.path, testing.__file__)
    if isinstance(exc, AssertionError) and str(exc) and frames and frames[-1].filename in author_written:
        return f"Failed: {exc}"[:2000]
    if isinstance(exc, RETURN_VALUE_ERRORS):
        return (
            f"This hidden test could not use what your code returned ({type(exc).__name__}: {str(exc)[:300]}): "
            "check the type, shape and dtype of your return value against the notebook's description."
        )
    return HIDDEN_FAILURE
