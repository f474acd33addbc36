"""An assignment folder (``assignments/<id>/``) as data: ``assignment.toml``, ``solution.py``
(and grader-only modules beside it), ``tests/``, ``mutants/``, ``attachments/``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.bundle import BundleConfig, LatePolicy, Limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class SpecError(Exception):
    """The assignment folder is incomplete or inconsistent."""


@dataclass(frozen=True)
class OutlineCell:
    """One entry of the notebook outline: a markdown cell, a given code cell, or a question
    (its prompt, a stubbed solution cell from the reference, and its public-test check)."""

    markdown: str = ""
    code: str = ""
    question: str = ""


@dataclass(frozen=True)
class AssignmentSpec:
    """What ``assignment.toml`` declares.

    - folder: the assignment folder; its ``tests/<question>.py`` hold the Otter test files and
      its ``solution.py`` the reference solution, one function (or class) per question.
    - ``[late]`` (optional): the late policy, ``deadline`` (ISO-8601 with a UTC offset, or a
      TOML offset date-time), ``percent_per_day``, ``max_days`` (see ``LatePolicy``).

    Files the student submits with the notebook (``config.attachments``) have the reference's
    own versions in ``attachments/``; the build puts them beside the solution notebook.
    """

    folder: Path
    id: str
    title: str
    config: BundleConfig
    cells: list[OutlineCell] = field(default_factory=list)

    @property
    def questions(self) -> list[str]:
        return [c.question for c in self.cells if c.question]

    def test_file(self, question: str) -> Path:
        return self.folder / "tests" / f"{question}.py"

    @property
    def solution_file(self) -> Path:
        return self.folder / "solution.py"

    def attachment(self, name: str) -> Path:
        """The reference's version of a file students submit with the notebook."""
        return self.folder / "attachments" / name

    @classmethod
    def load(cls, folder: Path) -> "AssignmentSpec":
        """Read ``folder/assignment.toml``. Raises SpecError naming what is missing."""
        path = Path(folder) / "assignment.toml"
        try:
            data = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise SpecError(f"{folder} has no assignment.toml") from None
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{path}: {exc}") from None
        for key in ("id", "cells"):
            if key not in data:
                raise SpecError(f"{path}: missing '{key}'")
        late = None
        if "late" in data:
            try:
                late = LatePolicy.from_json(data["late"]) if isinstance(data["late"], dict) else None
            except (ValueError, TypeError) as exc:
                raise SpecError(f"{path}: [late]: {exc}") from None
            if late is None:
                raise SpecError(f"{path}: 'late' must be a table: [late] deadline = ..., percent_per_day = ...")
        config = BundleConfig(
            id=data["id"], seed=int(data.get("seed", 0)), data=list(data.get("data", [])),
            limits=Limits(**data.get("limits", {})), attachments=list(data.get("attachments", [])),
            preload=list(data.get("preload", ["numpy"])), late=late,
        )
        for name in config.attachments:
            if not name or "/" in name or "\\" in name or name.startswith(".") or name.endswith(".ipynb"):
                raise SpecError(f"{path}: attachment {name!r} must be a plain file name (no folders, not a notebook)")
            if not (Path(folder) / "attachments" / name).is_file():
                raise SpecError(f"{folder}: the reference's attachment is missing: attachments/{name}")
        spec = cls(
            folder=Path(folder), id=data["id"], title=data.get("title", data["id"]), config=config, cells=[OutlineCell(**c) for c in data["cells"]],
        )
        if not spec.solution_file.is_file():
            raise SpecError(f"{folder}: the reference solution solution.py is missing")
        for question in spec.questions:
            if not spec.test_file(question).is_file():
                raise SpecError(f"{folder}: question '{question}' has no tests/{question}.py")
        return spec
