"""``RESULTS/assignment.json``: what exports need later without the autograder zip (assignment
id, test -> question, submission -> file name, the late policy), and ``ExportError``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.bundle import Bundle, LatePolicy

ASSIGNMENT_INFO = "assignment.json"


class ExportError(Exception):
    """An input to an export (roster, timestamps, results folder) is unusable; str() says why."""


@dataclass
class AssignmentInfo:
    """``RESULTS/assignment.json``.

    - id: the assignment id.
    - questions: test name -> question (the test file it comes from), in test order.
    - files: submission name -> the file name it stands for in final_grades.csv
      (``<name><suffix>``: unique, since names are).
    - late: the bundle's late policy, or None.
    """

    id: str
    questions: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    late: LatePolicy | None = None
    autograder_sha256: str = ""

    @classmethod
    def from_bundle(cls, bundle: Bundle, submissions: dict[str, Path]) -> "AssignmentInfo":
        return cls(
            id=bundle.config.id,
            questions={tc.name: tf.name for tf, tc in bundle.test_cases},
            files={name: name + Path(path).suffix.lower() for name, path in submissions.items()},
            late=bundle.config.late,
            autograder_sha256=bundle.sha256,
        )

    def to_json(self) -> dict:
        data = asdict(self)
        data["late"] = asdict(self.late) if self.late else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "AssignmentInfo":
        return cls(
            id=str(data.get("id", "assignment")),
            questions=dict(data.get("questions", {})),
            files=dict(data.get("files", {})),
            late=LatePolicy.from_json(data["late"]) if data.get("late") else None,
            autograder_sha256=str(data.get("autograder_sha256", "")),
        )

    def file_of(self, submission: str) -> str:
        return self.files.get(submission, submission)


def read_assignment_info(out_dir: Path) -> AssignmentInfo | None:
    """``out_dir/assignment.json``, or None when there is none. Raises ExportError when unreadable."""
    path = Path(out_dir) / ASSIGNMENT_INFO
    if not path.is_file():
        return None
    try:
        return AssignmentInfo.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ExportError(f"{path}: unreadable ({exc})") from None
