"""``dlgrade check``: the public tests on one notebook, graded the way the grader grades it
(sandboxed cells, test runner outside the sandbox).

Test files are Python that runs outside the sandbox, as the caller, so they come from a trusted
source only:

- ``public_tests_of(bundle)``: the public test cases of the course's autograder zip (a grader
  checking a student's notebook);
- ``public_bundle(notebook)``: the tests ``otter assign`` stored in a notebook's metadata
  (``metadata.otter.tests``: test file name -> exception-based source), the same tests
  ``grader.check`` runs in Jupyter. Anyone who edits the notebook controls them: only for one's
  own notebook (``dlgrade check --trust-notebook``), never for a student's.

Hidden tests are never in a student notebook.
"""

from __future__ import annotations

import copy
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


def public_tests_of(bundle: Bundle) -> Bundle:
    """The bundle with its public test cases only (hidden ones dropped), same config.

    Raises CheckError when it has no public test."""
    files = []
    for test_file in bundle.test_files:
        public = [tc for tc in test_file.test_cases if not tc.hidden]
        if public:
            files.append(copy.copy(test_file))
            files[-1].test_cases = public
    if not files:
        raise CheckError("the autograder zip holds no public tests")
    return Bundle(bundle.config, files, bundle.sha256)
