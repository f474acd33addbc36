"""Per-submission feedback, rendered with Jinja2 from ``templates/``: ``feedback.html``
(autoescaped, self-contained: no scripts, styles inline, nothing fetched) and ``feedback.md``,
both from the same data (``feedback_context``).

What a student sees comes from ``result.json`` only: test outputs were written for students by
the trusted runner (hidden tests carry the author's message or a generic hint, never test
source or expected values), and cell tracebacks were trimmed to the student's own cells in the
sandbox. This module adds the per-question summary, the time taken and, in plain words, the
limits the submission ran into (from result.json's limit fields, never from message text).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from autograder.grading.results import HIDDEN, PASSED, SubmissionResult, write_text_atomic
from autograder.resources import templates_dir


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["points"] = format_points
    env.filters["md_cell"] = markdown_cell
    env.filters["md_code"] = markdown_code_block
    env.filters["md_span"] = markdown_code_span
    env.filters["seconds"] = format_seconds
    return env


# ------------------------------------------------------------------------------ formatting


def format_points(value: float) -> str:
    """Points as a student reads them: ``3``, ``2.5``, ``0.33``."""
    return f"{round(float(value), 2):g}"


def format_seconds(value: float) -> str:
    """``0.4 s``, ``12.3 s``, ``2 min 05 s``."""
    value = float(value)
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s"


def markdown_cell(text: str) -> str:
    """Text that stays inside one Markdown table cell: one line, pipes and markup escaped."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\|`*_\[\]<>#])", r"\\\1", text)


def markdown_code_span(text: str) -> str:
    """``text`` as inline code on one line (for headings; table cells use ``markdown_cell``)."""
    text = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    tick = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{tick}{pad}{text}{pad}{tick}"


def markdown_code_block(text: str) -> str:
    """A fenced code block that ``text`` cannot close early (the fence outgrows its backticks)."""
    text = str(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


CELL_FRAME = re.compile(r'File "<cell (\d+)>"')


def friendly_traceback(text: str) -> str:
    """Name a student's cells as the report does: ``File "<cell 1>", line 3`` (0-based, as the
    sandbox names them) becomes ``Cell 2, line 3`` (every cell of the notebook counted from 1)."""
    return CELL_FRAME.sub(lambda m: f"Cell {int(m.group(1)) + 1}", str(text))


# ------------------------------------------------------------------------------ limits


LIMIT_TITLES = {
    "timeout": "Time limit",
    "call_timeout": "Time limit",
    "killed": "Process killed",
    "cpu": "CPU time limit",
    "memory": "Memory limit",
    "file_size": "File size limit",
    "output": "Output limit",
}
"""Title per ``LimitHit.kind`` (``autograder.grading.results.LIMIT_KINDS``), and for output cut."""


@dataclass(frozen=True)
class LimitNotice:
    """A limit a submission ran into, as the reports show it: kind (a key of LIMIT_TITLES), its
    title, and the grader's plain-words message (with the numbers), once per distinct message."""

    kind: str
    title: str
    detail: str


def limits_hit(result: SubmissionResult, include_cells: bool = True) -> list[LimitNotice]:
    """The limits this submission ran into, from the fields the grader recorded where it
    detected them (``limit`` of the submission and of each test, ``output_cut_bytes``); never
    from message or output text. include_cells: also the limit hit while the cells ran."""
    hits = ([result.limit] if include_cells else []) + [t.limit for t in result.tests]
    notices: dict[tuple[str, str], LimitNotice] = {}
    for hit in filter(None, hits):
        detail = hit.message.strip().rstrip(".") + "."
        detail = detail[:1].upper() + detail[1:]
        notices.setdefault((hit.kind, detail), LimitNotice(hit.kind, LIMIT_TITLES.get(hit.kind, "Limit"), detail))
    if result.output_cut_bytes:
        detail = f"Your code printed more than the grader keeps: {result.output_cut_bytes} more bytes of output were cut."
        notices[("output", detail)] = LimitNotice("output", LIMIT_TITLES["output"], detail)
    return list(notices.values())


# ------------------------------------------------------------------------------ questions


NOT_GRADED = "not graded"
"""The status shown for a test that could not run (``TestResult.graded`` false)."""


def question_of(test_name: str, questions: dict[str, str] | None = None) -> str:
    """The question a test belongs to: from ``questions`` (test name -> question, as the bundle
    knows it), else the part of ``question.test_name`` before the first dot."""
    if questions and test_name in questions:
        return questions[test_name]
    return test_name.split(".", 1)[0] if "." in test_name else test_name


def short_test_name(test_name: str, question: str) -> str:
    """``softmax.test_shape`` shown under the question ``softmax`` as ``test_shape``."""
    prefix = question + "."
    return test_name[len(prefix):] if test_name.startswith(prefix) else test_name


@dataclass
class QuestionSummary:
    name: str
    score: float
    max_score: float
    passed: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 100.0 * (self.passed == self.total)

    @property
    def status(self) -> str:
        return "passed" if self.passed == self.total else "failed"


def question_summaries(result: SubmissionResult, questions: dict[str, str] | None = None) -> list[QuestionSummary]:
    """Points and tests passed per question, in the order the tests come."""
    summary: dict[str, QuestionSummary] = {}
    for test in result.tests:
        name = question_of(test.name, questions)
        row = summary.setdefault(name, QuestionSummary(name, 0.0, 0.0, 0, 0))
        row.score += test.score
        row.max_score += test.max_score
        row.passed += test.status == "passed"
        row.total += 1
    return list(summary.values())


# ------------------------------------------------------------------------------ rendering


def feedback_context(result: SubmissionResult, assignment: str, questions: dict[str, str] | None = None) -> dict:
    """Everything both feedback templates show, computed once."""
    tests = []
    for test in result.tests:
        question = question_of(test.name, questions)
        whole_not_graded = not test.graded and bool(result.error)  # the whole notebook could not be graded
        failed = test.status != "passed"
        tests.append({
            "name": test.name,
            "short_name": short_test_name(test.name, question),
            "question": question,
            "hidden": test.visibility == HIDDEN,
            "status": test.status if test.graded else NOT_GRADED,
            "css": test.status if test.graded else "not-graded",  # not graded: neutral, not red
            "score": test.score,
            "max_score": test.max_score,
            # a failed test's message, not repeated when it only says the notebook could not run;
            # a passed test's when it says more than "Passed." (what it measured: testing.report)
            "message": ("" if whole_not_graded else friendly_traceback(test.output)) if failed
            else ("" if test.output.strip() in ("", PASSED) else test.output),
            "figures": test.figures,
        })
    return {
        "assignment": assignment,
        "result": result,
        "score": result.score,
        "max_score": result.max_score,
        "percent": 100.0 * result.score / result.max_score if result.max_score else 0.0,
        "questions": question_summaries(result, questions),
        "tests": tests,
        "passed": sum(t["status"] == "passed" for t in tests),
        "limits": limits_hit(result),
        "cell_errors": [
            {"cell": e.cell, "type": e.type, "message": e.message, "traceback": friendly_traceback(e.traceback)}
            for e in result.cell_errors
        ],
        "not_run": [{"cell": n.cell + 1, "line": n.line, "code": n.code, "reason": n.reason} for n in result.not_run],
        "error": result.error,
        "stdout": friendly_traceback(result.stdout),
        "execution_time": result.execution_time,
        "student_time": result.student_time,
        "device": result.device,
        "sandboxed": result.sandbox == "bwrap",
        "forgeable": result.forgeable,
    }


def render_feedback_html(result: SubmissionResult, assignment: str, questions: dict[str, str] | None = None) -> str:
    """``feedback.html``: one self-contained page (score, per-question summary, a row per test,
    limits hit, cell errors, code not run, captured output, time taken)."""
    return environment().get_template("feedback.html.j2").render(feedback_context(result, assignment, questions))


def render_feedback_md(result: SubmissionResult, assignment: str, questions: dict[str, str] | None = None) -> str:
    """``feedback.md``: the same report as ``feedback.html`` in Markdown."""
    return tidy_markdown(environment().get_template("feedback.md.j2").render(feedback_context(result, assignment, questions)))


def tidy_markdown(text: str) -> str:
    """Collapse runs of blank lines outside fenced code blocks to one (templates leave extras)."""
    lines, fence, blank = [], None, False
    for line in text.splitlines():
        marker = re.match(r"^(`{3,})", line)
        if fence is None:
            if not line.strip():
                if not blank and lines:
                    lines.append("")
                blank = True
                continue
            blank = False
            if marker:
                fence = marker.group(1)
        elif line.rstrip() == fence:
            fence = None
        lines.append(line)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_feedback(result: SubmissionResult, assignment: str, folder: Path, questions: dict[str, str] | None = None) -> Path:
    """Write ``folder/feedback.html`` and ``folder/feedback.md``; return the HTML's path.

    questions: test name -> question (``Bundle.questions``-style); by default the part of the
    test name before its first dot.
    """
    path = folder / "feedback.html"
    write_text_atomic(path, render_feedback_html(result, assignment, questions))
    write_text_atomic(folder / "feedback.md", render_feedback_md(result, assignment, questions))
    return path
