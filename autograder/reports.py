"""Per-submission feedback, rendered with Jinja2 from ``templates/`` (HTML autoescaped)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import jinja2

from autograder.grading.results import SubmissionResult
from autograder.resources import templates_dir


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
    )


def render_feedback_html(result: SubmissionResult, assignment: str) -> str:
    """``feedback.html`` for one submission: score, a row per test, cell errors, captured output."""
    return environment().get_template("feedback.html.j2").render(result=result, assignment=assignment)


def write_feedback(result: SubmissionResult, assignment: str, folder: Path) -> Path:
    """Write ``folder/feedback.html`` and return its path."""
    path = folder / "feedback.html"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_feedback_html(result, assignment))
    os.replace(tmp, path)
    return path
