"""Expectations on graded notebooks, shared by ``build``'s verification and ``validate``."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.grading.results import VISIBLE, SubmissionResult


@dataclass
class Check:
    """One row of the validation table. ok: whether it met its expectation."""

    submission: str
    result: SubmissionResult
    expectation: str
    ok: bool
    detail: str = ""


def check_reference(result: SubmissionResult) -> Check:
    failed = [t.name for t in result.tests if t.status != "passed"]
    detail = result.error or (f"fails {', '.join(failed)}" if failed else "")
    return Check("reference", result, "full marks", not failed and not result.error, detail)


def check_stub(result: SubmissionResult) -> Check:
    passed = [t.name for t in result.tests if t.visibility != VISIBLE and t.score > 0]
    return Check("untouched stub", result, "passes no hidden test", not passed, f"passes {', '.join(passed)}" if passed else "")


def check_mutant(mutant, result: SubmissionResult) -> Check:
    """``mutant``: a ``validate.Mutant`` (name and expect_message are used)."""
    failed = [t for t in result.tests if t.visibility != VISIBLE and t.status != "passed"]
    pointed = [t.name for t in failed if mutant.expect_message in t.output]
    if not failed:
        ok, detail = False, "passes every hidden test"
    elif not pointed:
        ok, detail = False, f"no failing hidden test mentions {mutant.expect_message!r}"
    else:
        ok, detail = True, f"caught by {', '.join(pointed)}"
    return Check(f"mutant {mutant.name}", result, f"a hidden test fails naming {mutant.expect_message!r}", ok, detail)




def check_public(mutant_results: dict[str, SubmissionResult]) -> Check:
    """Every shipped mutant (name -> its graded result) fails a public test: what ``grader.check``
    and ``dlgrade check`` run, so a student with that bug learns before submitting.

    Read from the same grading as the hidden checks (public cases are graded with the hidden
    ones, each on the notebook's state and its own inputs). A public test that could not run
    (the sandbox died in an earlier test) does not count as catching the mutant.
    """
    missed = [
        name for name, result in mutant_results.items()
        if not any(t.visibility == VISIBLE and t.graded and t.status != "passed" for t in result.tests)
    ]
    caught = len(mutant_results) - len(missed)
    detail = f"catch {caught} of {len(mutant_results)}" + (f"; every public test passes {', '.join(missed)}" if missed else "")
    return Check("public tests", SubmissionResult("public tests"), "each mutant fails a public test", not missed, detail)
