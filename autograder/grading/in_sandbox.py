"""``--tests-in-sandbox``: a plain Otter zip's tests run by Otter's own runner inside the sandbox.

For tests the data boundary cannot serve (objects that must stay live, exact printing), this
gives exactly Otter's semantics, at Otter's price: the tests, hidden ones included, are in the
student's process, which can read them and forge their outcome. Points still come from the
trusted side's copy of the test files; only pass/fail and the public messages come back, and
every result is marked forgeable (``SubmissionResult.forgeable``).

``dlgrade check`` on a student's own notebook runs that notebook's stored public tests the same
way (``verdicts_from_sandbox``): whoever edits a notebook controls the tests stored in it, so the
trusted side never reads them as code, and the names and points shown come from the sandbox.
"""

from __future__ import annotations

from autograder.grading.results import HIDDEN, HIDDEN_FAILURE, VISIBLE, TestResult
from autograder.grading.runner import not_defined_message
from autograder.grading.failures import CallError, SandboxFailure
from autograder.grading.session import SandboxSession
from autograder.protocol import MAX_ERROR_CHARS


def sandbox_outcomes(session: SandboxSession, sources: dict[str, str]) -> tuple[list[dict], str]:
    """Run test files (name -> source) with the ``otter_tests`` op. Returns the outcomes whose
    ``file``, ``index`` and ``passed`` are well typed (sandbox output: no field's type is
    trusted), and the reason to give a case with no outcome."""
    reason = "Not graded: the sandbox returned no outcome for this test."
    try:
        outcomes = session.request("otter_tests", sources=sources)
    except SandboxFailure as exc:
        outcomes, reason = [], f"Not graded: {exc}."
    except CallError as exc:
        outcomes, reason = [], f"The tests could not run: {exc.type_name}: {exc.message}"
    well_typed = [
        o for o in (outcomes if type(outcomes) is list else [])
        if type(o) is dict and type(o.get("file")) is str and type(o.get("index")) is int and type(o.get("passed")) is bool
    ]
    return well_typed, reason


def run_in_sandbox(session: SandboxSession, test_files: list, sources: dict[str, str]) -> dict[str, TestResult]:
    """Run ``test_files`` (Otter ``TestFile``s of the bundle; ``sources``: their path -> source)
    inside the sandbox. Returns test name -> result, names and points from the trusted copy; a
    case the sandbox gave no well-formed outcome for is failed, with the reason."""
    outcomes, reason = sandbox_outcomes(session, {f.path: sources[f.path] for f in test_files})
    found = {(o["file"], o["index"]): (o["passed"], failure_text(o)) for o in outcomes}
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


def failure_text(outcome: dict) -> str:
    """What a student reads for a failed case: "`x` is not defined in your notebook" when its
    test file asked for names the notebook lacks (``missing``), else Otter's message."""
    missing = outcome.get("missing")
    if type(missing) is list and missing and all(type(n) is str for n in missing):
        return not_defined_message([n[:100] for n in missing[:20]])
    return str(outcome.get("message", ""))[:MAX_ERROR_CHARS]


MAX_UNTRUSTED_POINTS = 1e6
"""Points one case reported by the sandbox may carry in ``verdicts_from_sandbox``."""


def verdicts_from_sandbox(session: SandboxSession, sources: dict[str, str]) -> list[TestResult]:
    """Run test files the trusted side must never read as code (the public tests stored in a
    student's own notebook, for ``dlgrade check``) inside the sandbox, and take every field of
    the results from it: names, points, verdicts and messages, bounded and typed here. The
    result is a self-check, forgeable by the notebook's code; never a grade. Without any
    outcome, one not-graded row says why."""
    outcomes, reason = sandbox_outcomes(session, sources)
    results = []
    for o in outcomes:
        points = o.get("points")
        points = float(points) if type(points) in (int, float) and 0 <= points <= MAX_UNTRUSTED_POINTS else 0.0
        name = o.get("name") if type(o.get("name")) is str else f"{o['file']} case {o['index'] + 1}"
        results.append(TestResult(
            name[:200], points, points if o["passed"] else 0.0,
            "Passed." if o["passed"] else failure_text(o),
            HIDDEN if o.get("hidden") is True else VISIBLE, passed=o["passed"],
        ))
    return results or [TestResult("public tests", 0.0, output=reason, passed=False, graded=False)]
