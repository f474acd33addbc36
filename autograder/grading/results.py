"""The one place that knows the results format: per-test and per-submission results,
``result.json`` (Gradescope's results.json schema plus dlgrade's extras) and ``grades.csv``.

Gradescope schema: top-level ``score``, ``max_score``, ``output``, ``execution_time``
(seconds) and ``tests``, a list of {``name``, ``score``, ``max_score``, ``status``
("passed" | "failed"), ``output``, ``visibility``}. dlgrade adds ``extra_data`` with the
submission's name and hashes, cell errors, captured output, the sandbox mode, the device
(``"cpu"`` or ``"cuda:<gpu index>"``) its code could use, ``student_time`` (seconds of
``execution_time`` spent in student code) and ``figures`` (test name -> pictures the test drew,
base64 PNGs, for the feedback report).
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

VISIBLE, HIDDEN = "visible", "hidden"
"""Gradescope visibility values used for public and hidden tests."""


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
        }


@dataclass
class CellError:
    """A code cell that raised while the notebook ran. cell: index in the notebook (0-based)."""

    cell: int
    type: str
    message: str
    traceback: str


@dataclass
class SubmissionResult:
    """Everything graded for one submission.

    - submission: the submission's stem (its folder name in the results).
    - error: a message when the submission could not be graded as a whole (bad notebook,
      time limit during the cells), else None.
    - execution_time: wall time to grade it, seconds.
    - student_time: the part of it spent waiting on the student's code (running the cells
      and the calls tests make), seconds; the rest is dlgrade's overhead.
    """

    submission: str
    tests: list[TestResult] = field(default_factory=list)
    error: str | None = None
    cell_errors: list[CellError] = field(default_factory=list)
    stdout: str = ""
    execution_time: float = 0.0
    student_time: float = 0.0
    sandbox: str = "bwrap"
    device: str = "cpu"
    sha256: str = ""
    autograder_sha256: str = ""
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
                "cell_errors": [asdict(e) for e in self.cell_errors],
                "stdout": self.stdout,
                "figures": {t.name: t.figures for t in self.tests if t.figures},
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
                       passed=t["status"] == "passed" if "status" in t else None)
            for t in data["tests"]
        ]
        return cls(
            submission=extra.get("submission", ""),
            tests=tests,
            error=data.get("output") or None,
            cell_errors=[CellError(**e) for e in extra.get("cell_errors", [])],
            stdout=extra.get("stdout", ""),
            execution_time=data.get("execution_time", 0.0),
            sandbox=extra.get("sandbox", ""),
            device=extra.get("device", "cpu"),
            student_time=extra.get("student_time", 0.0),
            sha256=extra.get("sha256", ""),
            autograder_sha256=extra.get("autograder_sha256", ""),
            forgeable=bool(extra.get("forgeable", False)),
        )


def write_json_atomic(path: Path, data: dict) -> None:
    """Write JSON through a temporary file and rename, so a crash never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)


def write_grades_csv(path: Path, results: list[SubmissionResult], test_names: list[str]) -> None:
    """``grades.csv``: submission, score, max_score, then one column of points per test."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "score", "max_score", *test_names])
        for result in sorted(results, key=lambda r: r.submission):
            scores = {t.name: t.score for t in result.tests}
            writer.writerow([result.submission, result.score, result.max_score, *(scores.get(n, 0.0) for n in test_names)])
    os.replace(tmp, path)
