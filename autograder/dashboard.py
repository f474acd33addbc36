"""The class dashboard, ``RESULTS/summary.html``: one self-contained page from every
``result.json`` in a results folder.

It shows the score distribution (a histogram), per-test pass rates (the tests the class failed
most first, with a chart), the most common failure messages grouped, the submissions that
could not be graded, hit a limit or raised in a cell, the slowest submissions, and the devices
and sandbox modes used. Charts are drawn with matplotlib's Agg canvas (no pyplot, no display)
and embedded as base64 PNG ``data:`` URIs, so the page loads nothing else.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.figures import png_base64
from autograder.grading.results import SubmissionResult, write_text_atomic
from autograder.reports import LIMIT_TITLES, environment, friendly_traceback, limits_hit, question_of

SLOWEST = 10
"""How many of the slowest submissions the dashboard lists."""

COMMON_FAILURES = 15
"""How many failure-message groups the dashboard lists."""


@dataclass
class TestStats:
    name: str
    question: str
    max_score: float
    passed: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass
class FailureGroup:
    """Failures of one test whose messages agree once numbers are masked."""

    test: str
    message: str  # the first message seen, as written
    submissions: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.submissions)


@dataclass
class Problem:
    """A submission that could not be graded, hit a limit, or raised while its cells ran."""

    submission: str
    kind: str  # "not graded", "time limit", "memory limit", ..., "cell error"
    message: str


@dataclass
class ClassSummary:
    """What the dashboard shows, computed from the results (see ``class_summary``)."""

    assignment: str
    count: int
    max_score: float
    scores: list[float]
    mean: float
    median: float
    full_marks: int
    zero: int
    tests: list[TestStats]
    failures: list[FailureGroup]
    problems: list[Problem]
    slowest: list[SubmissionResult]
    devices: Counter
    sandboxes: Counter
    total_time: float


def masked(message: str) -> str:
    """A failure message's first line with numbers masked, to group messages that differ only
    in values (``relative error 3.1e-02`` and ``relative error 4.7e-01``)."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return re.sub(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", "#", first)


def class_summary(results: list[SubmissionResult], assignment: str, questions: dict[str, str] | None = None) -> ClassSummary:
    """Class statistics from a batch's results (any order)."""
    results = sorted(results, key=lambda r: r.submission)
    scores = [r.score for r in results]
    max_score = max((r.max_score for r in results), default=0.0)
    tests: dict[str, TestStats] = {}
    groups: dict[tuple[str, str], FailureGroup] = {}
    problems: list[Problem] = []
    for result in results:
        for test in result.tests:
            stats = tests.setdefault(test.name, TestStats(test.name, question_of(test.name, questions), test.max_score))
            if test.status == "passed":
                stats.passed += 1
                continue
            stats.failed += 1
            if not test.graded and result.error:
                continue  # the whole submission was not graded: listed under problems instead
            group = groups.setdefault((test.name, masked(test.output)), FailureGroup(test.name, friendly_traceback(test.output)))
            group.submissions.append(result.submission)
        if result.error:
            kind = f"not graded ({LIMIT_TITLES[result.limit.kind].lower()})" if result.limit else "not graded"
            problems.append(Problem(result.submission, kind, result.error))
        for hit in limits_hit(result, include_cells=not result.error):  # a not-graded one is listed above
            problems.append(Problem(result.submission, hit.title.lower(), hit.detail))
        for error in result.cell_errors:
            where = f"cell {error.cell + 1}" if error.cell >= 0 else "a cell"
            problems.append(Problem(result.submission, "cell error", f"{where} raised {error.type}: {error.message}"))
    ordered = sorted(tests.values(), key=lambda t: (t.pass_rate, t.name))
    failures = sorted(groups.values(), key=lambda g: (-g.count, g.test, g.message))[:COMMON_FAILURES]
    ranked = sorted(scores)
    n = len(ranked)
    median = (ranked[(n - 1) // 2] + ranked[n // 2]) / 2 if n else 0.0
    return ClassSummary(
        assignment=assignment,
        count=n,
        max_score=max_score,
        scores=scores,
        mean=sum(scores) / n if n else 0.0,
        median=median,
        full_marks=sum(1 for r in results if r.max_score and r.score >= r.max_score),
        zero=sum(1 for s in scores if s == 0),
        tests=ordered,
        failures=failures,
        problems=problems,
        slowest=sorted(results, key=lambda r: -r.execution_time)[:SLOWEST],
        devices=Counter(r.device or "unknown" for r in results),
        sandboxes=Counter((r.sandbox or "unknown") + (", tests in sandbox: forgeable" if r.forgeable else "") for r in results),
        total_time=sum(r.execution_time for r in results),
    )


# ------------------------------------------------------------------------------ charts


def _png(figure) -> str:
    """A matplotlib Figure as a ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + png_base64(figure)


def score_histogram(scores: list[float], max_score: float) -> str:
    """Histogram of the scores, 0 to max_score: one bar per point when there are at most 20
    points (and whole-point scores), else 20 bins. A PNG data URI."""
    from matplotlib.figure import Figure

    top = max([max_score, *scores, 1.0])
    whole = all(float(s).is_integer() for s in scores) and float(top).is_integer()
    if whole and top <= 20:
        edges = [k - 0.5 for k in range(int(top) + 2)]
    else:
        edges = [top * k / 20 for k in range(21)]
    figure = Figure(figsize=(7, 3.2))
    axes = figure.add_subplot()
    axes.hist(scores, bins=edges, color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"score (out of {max_score:g})")
    axes.set_ylabel("submissions")
    axes.set_title("Score distribution")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlim(edges[0], edges[-1])
    if whole and top <= 20:
        axes.set_xticks(range(int(top) + 1))
    return _png(figure)


def pass_rate_chart(tests: list[TestStats]) -> str:
    """Horizontal bars: the share of submissions passing each test, the most failed on top."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 0.8 + 0.28 * max(1, len(tests))))
    axes = figure.add_subplot()
    names = [t.name for t in tests][::-1]
    rates = [100 * t.pass_rate for t in tests][::-1]
    colors = ["#1a7f37" if r >= 80 else "#bf8700" if r >= 50 else "#cf222e" for r in rates]
    axes.barh(range(len(names)), rates, color=colors)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of submissions passing")
    axes.set_title("Pass rate per test")
    return _png(figure)


# ------------------------------------------------------------------------------ page


def render_summary_html(results: list[SubmissionResult], assignment: str, questions: dict[str, str] | None = None) -> str:
    """``summary.html`` for these results."""
    summary = class_summary(results, assignment, questions)
    charts = {}
    if summary.count:
        charts = {
            "histogram": score_histogram(summary.scores, summary.max_score),
            "pass_rates": pass_rate_chart(summary.tests) if summary.tests else "",
        }
    return environment().get_template("summary.html.j2").render(summary=summary, charts=charts)


def write_summary(out_dir: Path, results: list[SubmissionResult], assignment: str, questions: dict[str, str] | None = None) -> Path:
    """Write ``out_dir/summary.html`` (atomically) and return its path."""
    path = out_dir / "summary.html"
    write_text_atomic(path, render_summary_html(results, assignment, questions))
    return path
