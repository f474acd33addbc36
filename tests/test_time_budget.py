"""Time budgets from the reference's measured cost (issue 14, item 4): a test that calls the
student's code several times gets margin x what the reference took, not one call's limit, and
running out of it says the limit, what was running and what the reference took."""

from __future__ import annotations

import re

from autograder.bundle import Bundle, BundleConfig, Limits, rewrite_config, write_bundle
from autograder.grading.budget import budget_for, measured, submission_timeout
from autograder.grading.grade import grade_submission
from conftest import code_notebook, options

THREE_RUNS = """
from otter.test_files import test_case

OK_FORMAT = False
name = "work"


@test_case(points=1, hidden=True)
def test_three_runs(work):
    for i in range(3):
        assert work(i) == 2 * i, "work(x) should be 2 * x"
"""

LIMITS = Limits(timeout=4.0, call_timeout=1.0, time_margin=4.0)


def sleeper(seconds: float) -> str:
    return f"import time\ndef work(x):\n    time.sleep({seconds})\n    return 2 * x\n"


def measured_bundle(tmp_path) -> Bundle:
    """The bundle after grading a reference whose calls take 0.5 s each (1.5 s for the test),
    with the measurement recorded as ``dlgrade build``'s verification records it."""
    path = tmp_path / "work.zip"
    write_bundle(path, BundleConfig(id="work", seed=1, limits=LIMITS), {"work.py": THREE_RUNS})
    reference = grade_submission(code_notebook(tmp_path / "ref.ipynb", sleeper(0.5)), Bundle.load(path), options("none"))
    assert reference.tests[0].status == "passed"
    tests, cells = measured(reference)
    assert 1.5 <= tests["work.test_three_runs"] < 3.0
    rewrite_config(path, BundleConfig(id="work", seed=1, limits=LIMITS, reference_seconds=tests, reference_cells_seconds=cells))
    return Bundle.load(path)


def test_a_slow_but_correct_submission_inside_the_budget_passes_and_one_over_it_is_told_the_numbers(tmp_path):
    bundle = measured_bundle(tmp_path)
    budget = budget_for(bundle.config, "work.test_three_runs")
    assert 6.0 <= budget.seconds < 12.0  # 4 x the reference, well over the 1 s per-call limit

    # 1.2 s per call: over the per-call limit of 1 s, which alone would fail it; inside the budget
    slow = grade_submission(code_notebook(tmp_path / "slow.ipynb", sleeper(1.2)), bundle, options("none"))
    assert slow.tests[0].status == "passed", slow.tests[0].output

    too_slow = grade_submission(code_notebook(tmp_path / "too_slow.ipynb", sleeper(30)), bundle, options("none"))
    test = too_slow.tests[0]
    assert test.status == "failed" and not test.graded
    assert test.limit.kind == "call_timeout" and test.limit.message in test.output
    assert f"time limit of {budget.seconds:.0f} s" in test.output
    assert "while your `work` was running" in test.output
    reference = re.search(r"reference solution's code took ([\d.]+) s", test.output)
    assert reference and float(reference.group(1)) == round(budget.reference, 1)
    assert budget.seconds - 1 < test.seconds < budget.seconds + 2


def test_the_submission_limit_covers_the_cells_and_every_test_budget():
    config = BundleConfig(limits=LIMITS, reference_seconds={"a": 10.0, "b": 0.01}, reference_cells_seconds=2.0)
    # cells max(1, 4 x 2) = 8; a: 40; b: the 1 s floor; more than Limits.timeout (4 s)
    assert submission_timeout(config, ["a", "b"]) == 8.0 + 40.0 + 1.0
    assert submission_timeout(BundleConfig(limits=LIMITS), ["a", "b"]) == LIMITS.timeout  # nothing measured
    assert budget_for(BundleConfig(limits=LIMITS), "a") is None
