"""OK-format (doctest) test cases, run on the trusted side against the sandboxed notebook.

An OK-format test file (``OK_FORMAT = True``; Otter's ``OKTestFile``) holds doctest cases::

    >>> f(2)
    4

Otter runs each case with ``otter.test_files.ok_test.run_doctest(name, body, env)``, ``env``
being the notebook's globals. dlgrade calls that same function, with a globals mapping whose
missing names are read from the ``StudentNamespace`` (the notebook's globals across the
protocol, fixtures first): doctest parsing, output comparison (``doctest.OutputChecker``) and
the failure report are Otter's own. Names a case assigns (``>>> y = f(5)``) stay on the trusted
side, in that mapping, for the rest of the case.

What a doctest compares is printed text, so a case passes in the secure mode where the values
it prints cross the boundary as values (their ``repr`` is then the notebook's); an object that
crosses as a handle prints as ``<student's T>``, and what student code prints inside a call
stays in the sandbox.
"""

from __future__ import annotations

from typing import Any

from otter.test_files.ok_test import run_doctest

from autograder.grading.proxy import StudentNamespace
from autograder.grading.results import HIDDEN, HIDDEN_FAILURE, VISIBLE, TestResult
from autograder.grading.session import SandboxSession
from autograder.protocol import MAX_ERROR_CHARS

class DoctestGlobals(dict):
    """The globals a doctest case runs in: names the case assigns, else the student's namespace.

    A dict subclass, as ``exec`` needs; CPython reads a missing name of a dict subclass used as
    globals through ``__missing__`` (module level and nested scopes such as comprehensions alike).
    """

    def __init__(self, env: StudentNamespace):
        super().__init__()
        self.env = env

    def __missing__(self, name: str) -> Any:
        sentinel = object()
        value = self.env.get(name, sentinel)
        if value is sentinel:
            raise KeyError(name)
        return value

    def copy(self) -> "DoctestGlobals":
        """doctest copies its globals: the copy must keep reading the student's namespace."""
        out = DoctestGlobals(self.env)
        out.update(self)
        return out


def run_ok_case(index: int, tc, test_file, session: SandboxSession, fixtures: dict[str, Any]) -> TestResult:
    """Run case ``index`` (an Otter ``TestCase`` whose body is doctest text) of an OK-format
    ``test_file`` and score it (all or nothing), as ``OKTestFile.run`` does.

    The message is Otter's (``✅ Test case passed`` / ``❌ Test case failed`` and doctest's
    report) for public cases; for hidden ones the author's ``failure_message`` or a fixed line,
    never the case's source (doctest's report quotes it). A sandbox that died during the case
    leaves it not graded, with the reason.
    """
    points = float(tc.points or 0.0)
    result = TestResult(tc.name, points, visibility=HIDDEN if tc.hidden else VISIBLE, passed=False)
    env = StudentNamespace(session, fixtures)
    passed, report = run_doctest(f"{test_file.name} {index}", tc.body, DoctestGlobals(env))
    if session.dead_reason:
        result.output = f"Not graded: {session.dead_reason}."
    elif not passed and env.not_carried:
        result.graded, result.output = False, f"Not graded: {env.not_carried[0]}"
    elif passed:
        result.score, result.passed = points, True
        result.output = tc.success_message or "✅ Test case passed"
    elif tc.hidden:
        result.output = tc.failure_message or HIDDEN_FAILURE
    else:
        result.output = (tc.failure_message + "\n" if tc.failure_message else "") + ("❌ Test case failed\n" + report)[:MAX_ERROR_CHARS]
    return result
