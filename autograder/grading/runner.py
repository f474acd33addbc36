"""The trusted test runner: runs a bundle's Otter test cases against a sandboxed notebook.

Each test case is an Otter ``test_case``; it is called through Otter's own
``test_case.call_func(env)`` with a ``StudentNamespace`` as ``env``, so test files written
for Otter work unchanged. Failure messages are dlgrade's, not Otter's: Otter quotes the
test's source lines, which must never reach a student for a hidden test.
"""

from __future__ import annotations

import traceback
import zlib
from typing import Any, Callable

import numpy as np
from otter.test_files import ExceptionTestFile, OKTestFile
from otter.test_files.abstract_test import TestCase

from autograder import testing
from autograder.grading import doctests
from autograder.grading.proxy import StudentNamespace, lazy
from autograder.grading.results import HIDDEN, VISIBLE, TestResult
from autograder.grading.session import CallError, SandboxFailure, SandboxSession

HIDDEN_FAILURE = "This hidden test failed. Check your function against the contract in the notebook."


def seed_for_test(assignment_seed: int, test_name: str) -> list[int]:
    """Seed sequence for one test: (assignment seed, CRC32 of the test name). Regrades repeat it."""
    return [assignment_seed, zlib.crc32(test_name.encode())]


def make_fixtures(
    test_name: str,
    assignment_seed: int,
    datasets: dict[str, Callable[[], Any]],
    device: str = "cpu",
    attachments: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """Trusted values a test may ask for by parameter name.

    - ``rng``: ``np.random.Generator`` seeded from (assignment seed, test name).
    - ``device``: ``"cuda"`` when the sandbox has a GPU, else ``"cpu"``: the torch device a
      test asks student code to use.
    - ``attachments``: file name -> bytes of the files submitted with the notebook (a copy;
      load a state_dict with ``autograder.testing.load_state_dict``).
    - one entry per dataset in ``datasets`` (for example ``mnist``: an ``ImageDataset``),
      loaded on first use.
    """
    fixtures: dict[str, Any] = {
        "rng": np.random.default_rng(seed_for_test(assignment_seed, test_name)),
        "device": device,
        "attachments": dict(attachments or {}),
    }
    fixtures.update({name: lazy(loader) for name, loader in datasets.items()})
    return fixtures


def run_test_case(tc: TestCase, test_file: ExceptionTestFile, session: SandboxSession, fixtures: dict[str, Any]) -> TestResult:
    """Run one test case and score it (all or nothing); an OK-format (doctest) case goes to
    ``doctests.run_ok_case``."""
    if isinstance(test_file, OKTestFile):
        return doctests.run_ok_case(test_file.test_cases.index(tc), tc, test_file, session, fixtures)
    points = float(tc.points or 0.0)
    result = TestResult(tc.name, points, visibility=HIDDEN if tc.hidden else VISIBLE, passed=False)
    env = StudentNamespace(session, fixtures)
    try:
        with testing.collect_figures() as result.figures:
            tc.body.call_func(env)
    except CallError as exc:
        result.output = f"Your code raised {exc.type_name}: {exc.message}\n{exc.traceback}".rstrip()
    except SandboxFailure as exc:
        result.output = f"Not graded: {exc}."
    except Exception as exc:
        result.output = failure_message(exc, tc, test_file)
    else:
        result.score, result.passed = points, True
        result.output = tc.success_message or "Passed."
    return result


def failure_message(exc: Exception, tc: TestCase, test_file: ExceptionTestFile) -> str:
    """What a student sees for a failed test.

    Public tests quote the failing line of the test (students have those tests anyway).
    Hidden tests show the author's ``failure_message``, or the message of an ``assert`` written
    in the test file itself or in ``autograder.testing``'s checks; never test source, and never
    messages from helpers such as ``np.testing.assert_allclose``, which print expected values.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    in_test = [f for f in frames if f.filename == test_file.path]
    if not tc.hidden:
        where = f"\n  {test_file.source_lines[in_test[-1].lineno - 1].strip()}" if in_test else ""
        detail = f"{type(exc).__name__}: {exc}".strip()
        return f"{tc.failure_message or 'Failed.'}{where}\n{detail}"[:4000]
    if tc.failure_message:
        return tc.failure_message
    author_written = (test_file.path, testing.__file__)
    if isinstance(exc, AssertionError) and str(exc) and frames and frames[-1].filename in author_written:
        return f"Failed: {exc}"[:2000]
    return HIDDEN_FAILURE
