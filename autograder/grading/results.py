"""The one place that knows the results format: per-test and per-submission results,
``result.json`` (Gradescope's results.json schema plus dlgrade's extras) and ``grades.csv``.

Gradescope schema: top-level ``score``, ``max_score``, ``output``, ``execution_time``
(seconds) and ``tests``, a list of {``name``, ``score``, ``max_score``, ``status``
("passed" | "failed"), ``output``, ``visibility``}. dlgrade adds ``extra_data`` with the
submission's name and hashes, cell errors, code the grader did not run (``not_run``), captured
output, the sandbox mode, the device (``"cpu"`` or ``"cuda:<gpu index>"``) its code could use,
``state`` (``"graded"``, ``"rejected"`` or ``"grader_error"``, see ``SubmissionResult``),
``student_time`` (seconds of
``execution_time`` spent in student code) and ``figures`` (test name -> pictures the test drew,
base64 PNGs, for the feedback report).

Outcomes are fields, recorded where the trusted side detects them (never recovered from
message text, which a submission can print or name its exceptions after):

- each ``tests[]`` entry: ``graded`` (false when the test could not run: the sandbox died,
  timed out or the notebook could not be graded) and ``limit``, the limit hit during that
  test, null or {``kind``, ``message``} (see ``LimitHit``), and ``seconds``, the wall time the
  test spent in calls into the notebook;
- ``extra_data.limit``: the limit hit while the notebook's cells ran, same shape;
- ``extra_data.output_cut_bytes``: bytes of stdout+stderr dropped beyond
  ``max_output_bytes``, counted by the grader's ``OutputCapture``.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.safe_text import SafeCSVWriter

VISIBLE, HIDDEN = "visible", "hidden"
"""Gradescope visibility values used for public and hidden tests."""

PASSED = "Passed."
"""A passing test's ``output`` when its author wrote no success message (and it reported nothing)."""

HIDDEN_FAILURE = "This hidden test failed. Check your work against the question in the notebook."
"""A failed hidden test's ``output`` when its author wrote no failure message and its own
message may not be shown (exception tests, doctests, in either mode alike)."""

LIMIT_KINDS = ("timeout", "call_timeout", "cpu", "memory", "file_size", "killed")
"""What ``LimitHit.kind`` may be: the submission's wall clock, one call's wall clock, CPU time
(SIGXCPU), address space (a real ``MemoryError``), file size (SIGXFSZ), or SIGKILL (the hard
CPU limit, or the code killed itself). Output cut is ``output_cut_bytes``."""


@dataclass(frozen=True)
class LimitHit:
    """A limit the trusted side saw hit. kind: one of ``LIMIT_KINDS``; message: the grader's
    sentence for the student, with the limit's value (no text from the sandbox)."""

    kind: str
    message: str

    @classmethod
    def from_json(cls, data: dict | None) -> "LimitHit | None":
        return cls(str(data["kind"]), str(data["message"])) if data else None


@dataclass
class TestResult:
    """One test case's outcome. score and max_score in points; output is shown to the student."""

    name: str
    max_score: float
    score: float = 0.0
    output: str = ""
    visibility: str = VISIBLE
    figures: list[dict] = field(default_factory=list)
    """Pictures the test drew for the student's feedback: {"title": str, "png": base64 str}."""
    passed: bool | None = None
    """Whether the test passed; None (results written before this field): judged by score."""
    graded: bool = True
    """False when the test could not run (its score is 0 and ``output`` says why)."""
    limit: LimitHit | None = None
    """The limit hit while this test ran, as detected by the grader."""
    seconds: float = 0.0
    """Wall time the test spent waiting on calls into the notebook, seconds."""

    @property
    def status(self) -> str:
        passed = self.score >= self.max_score if self.passed is None else self.passed
        return "passed" if passed else "failed"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "output": self.output,
            "visibility": self.visibility,
            "graded": self.graded,
            "limit": asdict(self.limit) if self.limit else None,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class CellError:
    """A code cell that raised while the notebook ran. cell: index in the notebook (0-based)."""

    cell: int
    type: str
    message: str
    traceback: str


@dataclass
class NotRunCode:
    """Code the grader left out of a cell (``autograder.intake.NotRun``). cell: index in the
    notebook (0-based); line: 1-based line in the cell; code: that line; reason: why."""

    cell: int
    line: int
    code: str
    reason: str


@dataclass
class SubmissionResult:
    """Everything graded for one submission.

    - submission: the submission's stem (its folder name in the results).
    - error: a message when the submission could not be graded as a whole (bad notebook,
      time limit during the cells), else None.
    - execution_time: wall time to grade it, seconds.
    - student_time: the part of it spent waiting on the student's code (running the cells
      and the calls tests make), seconds; the rest is dlgrade's overhead.
    - limit: the limit hit while the cells ran (see ``LimitHit``), else None.
    - output_cut_bytes: captured output bytes dropped beyond the limit (the grader's count).
    - state: "graded"; "rejected" (intake refused the notebook: graded 0, the student's
      doing); or "grader_error" (the grader itself failed on it, wholly or on some tests:
      ``dlgrade grade`` exits 3 and a rerun grades it again).
    """

    submission: str
    tests: list[TestResult] = field(default_factory=list)
    error: str | None = None
    cell_errors: list[CellError] = field(default_factory=list)
    not_run: list[NotRunCode] = field(default_factory=list)
    stdout: str = ""
    execution_time: float = 0.0
    student_time: float = 0.0
    sandbox: str = "bwrap"
    device: str = "cpu"
    sha256: str = ""
    autograder_sha256: str = ""
    limit: LimitHit | None = None
    output_cut_bytes: int = 0
    state: str = "graded"
    forgeable: bool = False
    """The tests ran inside the sandbox (``--tests-in-sandbox``): the student's code could forge them."""

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)

    def to_json(self) -> dict:
        """The submission as a Gradescope results.json object."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 3),
            "output": self.error or "",
            "tests": [t.to_json() for t in self.tests],
            "extra_data": {
                "submission": self.submission,
                "sha256": self.sha256,
                "autograder_sha256": self.autograder_sha256,
                "sandbox": self.sandbox,
                "device": self.device,
                "student_time": round(self.student_time, 3),
                "state": self.state,
                "cell_errors": [asdict(e) for e in self.cell_errors],
                "not_run": [asdict(n) for n in self.not_run],
                "stdout": self.stdout,
                "figures": {t.name: t.figures for t in self.tests if t.figures},
                "limit": asdict(self.limit) if self.limit else None,
                "output_cut_bytes": self.output_cut_bytes,
                **({"forgeable": True} if self.forgeable else {}),
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "SubmissionResult":
        """Read back a result.json written by ``to_json``."""
        extra = data.get("extra_data", {})
        figures = extra.get("figures", {})
        tests = [
            TestResult(t["name"], t["max_score"], t["score"], t.get("output", ""), t.get("visibility", VISIBLE), figures.get(t["name"], []),
                       passed=t["status"] == "passed" if "status" in t else None,
                       graded=t.get("graded", True), limit=LimitHit.from_json(t.get("limit")), seconds=t.get("seconds", 0.0))
            for t in data["tests"]
        ]
        return cls(
            submission=extra.get("submission", ""),
            tests=tests,
            error=data.get("output") or None,
            cell_errors=[CellError(**e) for e in extra.get("cell_errors", [])],
            not_run=[NotRunCode(**n) for n in extra.get("not_run", [])],
            stdout=extra.get("stdout", ""),
            execution_time=data.get("execution_time", 0.0),
            sandbox=extra.get("sandbox", ""),
            device=extra.get("device", "cpu"),
            student_time=extra.get("student_time", 0.0),
            sha256=extra.get("sha256", ""),
            autograder_sha256=extra.get("autograder_sha256", ""),
            limit=LimitHit.from_json(extra.get("limit")),
            output_cut_bytes=extra.get("output_cut_bytes", 0),
            state=extra.get("state", "graded"),
            forgeable=bool(extra.get("forgeable", False)),
        )


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it and a rename, so a
    crash never leaves half a file. Raises OSError when it cannot be written."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json_atomic(path: Path, data: dict) -> None:
    """``data`` as indented JSON, written by ``write_text_atomic``."""
    write_text_atomic(path, json.dumps(data, indent=2))


def write_grades_csv(path: Path, results: list[SubmissionResult], test_names: list[str]) -> None:
    """``grades.csv``: submission, score, max_score, then one column of points per test (text
    cells neutralised against spreadsheet formulas: ``autograder.safe_text.csv_cell``)."""
    out = io.StringIO(newline="")
    writer = SafeCSVWriter(out)
    writer.writerow(["submission", "score", "max_score", *test_names])
    for result in sorted(results, key=lambda r: r.submission):
        scores = {t.name: t.score for t in result.tests}
        writer.writerow([result.submission, result.score, result.max_score, *(scores.get(n, 0.0) for n in test_names)])
    write_text_atomic(path, out.getvalue())


def results_table(results: list[SubmissionResult], out_dir: Path) -> list[str]:
    """Lines for the terminal after a batch: submission, score, seconds and the first line of
    its error (at most 70 characters), by submission name; then where the reports are."""
    width = max([len(r.submission) for r in results] + [10])
    lines = [f"\n{'submission':<{width}}  {'score':>11}  time"]
    for r in sorted(results, key=lambda r: r.submission):
        note = f"  {r.error.splitlines()[0][:70]}" if r.error else ""
        lines.append(f"{r.submission:<{width}}  {r.score:>5g}/{r.max_score:<5g}  {r.execution_time:5.1f}s{note}")
    lines.append(
        f"\nreports: {out_dir}/<submission>/feedback.html   class: {out_dir / 'summary.html'}   "
        f"grades: {out_dir / 'grades.csv'}, final_grades.csv"
    )
    return lines
