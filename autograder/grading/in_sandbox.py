"""``--tests-in-sandbox``: a plain Otter zip's tests run by Otter's own runner inside the sandbox.

For tests the data boundary cannot serve (objects that must stay live, exact printing), this
gives exactly Otter's semantics, at Otter's price: the tests, hidden ones included, are in the
student's process, which can read them and forge their outcome. Points still come from the
trusted side's copy of the test files; only pass/fail and the public messages come back, and
every result is marked forgeable (``SubmissionResult.forgeable``).
"""

from __future__ import annotations

from autograder.grading.results import HIDDEN, VISIBLE, TestResult
from autograder.grading.runner import HIDDEN_FAILURE
from autograder.grading.session import CallError, SandboxFailure, SandboxSession
from autograder.protocol import MAX_ERROR_CHARS


def run_in_sandbox(session: SandboxSession, test_files: list, sources: dict[str, str]) -> dict[str, TestResult]:
    """Run ``test_files`` (Otter ``TestFile``s of the bundle; ``sources``: their path -> source)
    with the ``otter_tests`` op. Returns test name -> result; a case the sandbox gave no
    well-formed outcome for is failed, with the reason."""
    reason = "Not graded: the sandbox returned no outcome for this test."
    try:
        outcomes = session.request("otter_tests", sources={f.path: sources[f.path] for f in test_files})
    except SandboxFailure as exc:
        outcomes, reason = [], f"Not graded: {exc}."
    except CallError as exc:
        outcomes, reason = [], f"The tests could not run: {exc.type_name}: {exc.message}"
    found = {}
    for o in outcomes if type(outcomes) is list else []:  # sandbox output: trust no field's type
        if type(o) is dict and type(o.get("file")) is str and type(o.get("index")) is int and type(o.get("passed")) is bool:
            found[(o["file"], o["index"])] = (o["passed"], str(o.get("message", "")))
    results = {}
    for test_file in test_files:
        for index, tc in enumerate(test_file.test_cases):
            points = float(tc.points or 0.0)
            result = TestResult(tc.name, points, visibility=HIDDEN if tc.hidden else VISIBLE, passed=False)
            passed, message = found.get((test_file.path, index), (None, reason))
            if passed:
                result.score, result.passed, result.output = points, True, tc.success_message or "✅ Test case passed"
            elif passed is None or not tc.hidden:
                result.output = message[:MAX_ERROR_CHARS]
            else:
                result.output = tc.failure_message or HIDDEN_FAILURE
            results[tc.name] = result
    return results
