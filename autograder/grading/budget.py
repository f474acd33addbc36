"""Time budgets from the reference solution's measured cost (issue 14, item 4).

A hidden test that trains the student's model six times needs more than one call's default
limit on a loaded machine, through no fault of the student. ``dlgrade build`` therefore grades
the reference, records what each test spent in calls into the notebook
(``BundleConfig.reference_seconds``) and what the cells took, and grading gives

- each test a budget for all its calls together: ``max(call_timeout, time_margin x reference)``;
- the cells ``max(call_timeout, time_margin x reference cells)``;
- the submission ``max(timeout, cells budget + the sum of the test budgets)``, so that a
  submission within every budget is never stopped by the overall limit.

A test without a measurement (a plain Otter zip, an older bundle) keeps the per-call limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.bundle import BundleConfig
from autograder.grading.results import SubmissionResult


@dataclass(frozen=True)
class Budget:
    """One test's time budget. seconds: what all its calls into the notebook may take together;
    reference: what the reference solution's calls took in the same test, seconds; margin: the
    factor between them (``Limits.time_margin``); floor: the per-call limit it never goes below."""

    seconds: float
    reference: float
    margin: float
    floor: float

    def timeout_message(self, test: str, running: str | None) -> str:
        """The student's sentence when ``test`` ran out of its budget while ``running`` (the
        notebook function being called, or None) was running."""
        what = f"while your `{running}` was running" if running else "while your code was running"
        return (
            f"Test {test} was stopped at its time limit of {self.seconds:.0f} s {what}. The reference solution's "
            f"code took {self.reference:.1f} s for the same calls; the limit is {self.margin:g} x that, "
            f"and never under {self.floor:.0f} s. Look for a loop that does more work than it needs "
            "(a Python loop over every element or sample, an extra epoch, recomputing inside a loop)."
        )


def budget_for(config: BundleConfig, test: str) -> Budget | None:
    """The budget of ``test``, or None when the bundle holds no measurement for it."""
    reference = config.reference_seconds.get(test)
    if reference is None:
        return None
    limits = config.limits
    return Budget(max(limits.call_timeout, limits.time_margin * reference), reference, limits.time_margin, limits.call_timeout)


def cells_budget(config: BundleConfig) -> float:
    """Seconds the notebook's cells may take together."""
    limits, reference = config.limits, config.reference_cells_seconds
    return limits.call_timeout if reference is None else max(limits.call_timeout, limits.time_margin * reference)


def submission_timeout(config: BundleConfig, test_names: list[str]) -> float:
    """The whole submission's wall-clock limit, seconds: ``Limits.timeout``, or more when the
    budgets of the cells and of ``test_names`` (the tests that will run) add up to more."""
    budgets = [budget_for(config, name) for name in test_names]
    if not any(budgets):
        return config.limits.timeout
    total = cells_budget(config) + sum(b.seconds if b else config.limits.call_timeout for b in budgets)
    return max(config.limits.timeout, total)


def measured(result: SubmissionResult) -> tuple[dict[str, float], float]:
    """What a graded reference took: (test name -> seconds its calls into the notebook took,
    seconds the cells took), rounded to milliseconds. Tests that did not pass are left out:
    their time says nothing about what the reference needs."""
    tests = {t.name: round(t.seconds, 3) for t in result.tests if t.status == "passed"}
    cells = max(0.0, result.student_time - sum(t.seconds for t in result.tests))
    return tests, round(cells, 3)
