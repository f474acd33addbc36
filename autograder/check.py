"""``dlgrade check``: a student runs the public tests on their own notebook, graded the way the
grader grades it (sandboxed cells, trusted test runner), before submitting.

The public tests come from the notebook itself: ``otter assign`` stores them in the student
notebook's metadata (``metadata.otter.tests``: test file name -> exception-based source), the
same tests ``grader.check`` runs in Jupyter. Hidden tests are never in a student notebook.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.bundle import Bundle, BundleConfig, BundleError


class CheckError(Exception):
    """The notebook cannot be checked; ``str()`` says why."""


def public_bundle(notebook: Path) -> Bundle:
    """The public tests embedded in a student notebook, as a bundle with default limits.

    Raises CheckError when the file is not a notebook JSON or carries no Otter tests (not a
    notebook made by ``dlgrade build``/``otter assign``, or its metadata was removed).
    """
    try:
        data = json.loads(Path(notebook).read_text(encoding="utf-8"))
        otter = data["metadata"]["otter"]
        tests = otter["tests"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CheckError(
            f"{notebook}: no public tests found ({type(exc).__name__}: {exc}); check the notebook your "
            "course handed out, whose metadata holds them"
        ) from None
    if not isinstance(tests, dict) or not tests:
        raise CheckError(f"{notebook}: the notebook's metadata holds no public tests")
    config = BundleConfig(id=str(otter.get("assignment_name", "assignment")))
    try:
        return Bundle.from_sources(config, {f"{name}.py": str(source) for name, source in tests.items()})
    except BundleError as exc:
        raise CheckError(str(exc)) from None
    except Exception as exc:  # a test file that does not parse
        raise CheckError(f"{notebook}: the public tests in its metadata cannot be read ({type(exc).__name__}: {exc})") from None
