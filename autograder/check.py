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
from dataclasses import replace
import platform
from importlib import metadata
from pathlib import Path

from autograder.bundle import Bundle, BundleConfig, BundleError
from autograder.console import Line
from autograder.grading.results import SubmissionResult
from autograder.intake import IntakeError, notebook_from_zip, read_attachments, read_submitted
from autograder.reports import NOT_GRADED, friendly_traceback


class CheckError(Exception):
    """The notebook cannot be checked; ``str()`` says why."""


def notebook_json(notebook: Path) -> dict:
    """The notebook's JSON, from an ``.ipynb`` or from the one notebook in a submitted ``.zip``
    (read as the grader reads it: ``autograder.intake``). Raises ValueError or OSError."""
    data = read_submitted(Path(notebook), MAX_ZIP_EXTRA_BYTES)
    if Path(notebook).suffix.lower() == ".zip":
        try:
            data = notebook_from_zip(data)
        except IntakeError as exc:
            raise ValueError(str(exc)) from None
    return json.loads(data.decode("utf-8"))


MAX_ZIP_EXTRA_BYTES = 1 << 30
"""Room for a ``.zip``'s attachments when ``dlgrade check`` reads it (its own notebook, its own
limit: the grader's limits apply when it grades)."""


def metadata_dlgrade(notebook: Path) -> dict:
    """``metadata.dlgrade`` of the notebook (what ``dlgrade build`` recorded), {} when absent."""
    try:
        recorded = notebook_json(notebook)["metadata"]["dlgrade"]
    except (OSError, IntakeError, ValueError, KeyError, TypeError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def attachment_lines(notebook: Path, attachments: list[str]) -> list[Line]:
    """A yellow warning for each file the assignment wants submitted with the notebook
    (``attachments``, e.g. a trained ``state_dict``) that the grader would not find: in the same
    ``.zip``, or beside a notebook alone in its folder (``autograder.intake.read_attachments``)."""
    try:
        found = read_attachments(Path(notebook), attachments, MAX_ZIP_EXTRA_BYTES)
    except (IntakeError, OSError) as exc:
        return [Line(f"warning: the files submitted with the notebook cannot be read: {exc}", "yellow")]
    where = "in the same .zip as the notebook" if Path(notebook).suffix.lower() == ".zip" else "beside the notebook, alone in its folder"
    return [
        Line(f"warning: {name} is missing: submit it {where}; without it every test that uses it scores 0", "yellow")
        for name in attachments if name not in found
    ]


def public_bundle(notebook: Path) -> Bundle:
    """The public tests embedded in a student notebook (an ``.ipynb`` or a submitted ``.zip``),
    as a bundle with default limits and the attachments ``dlgrade build`` recorded.

    Raises CheckError when the file is not a notebook JSON or carries no Otter tests (not a
    notebook made by ``dlgrade build``/``otter assign``, or its metadata was removed).
    """
    try:
        data = notebook_json(notebook)
        otter = data["metadata"]["otter"]
        tests = otter["tests"]
    except (OSError, IntakeError, ValueError, KeyError, TypeError) as exc:
        raise CheckError(
            f"{notebook}: no public tests found ({type(exc).__name__}: {exc}); check the notebook your "
            "course handed out, whose metadata holds them"
        ) from None
    if not isinstance(tests, dict) or not tests:
        raise CheckError(f"{notebook}: the notebook's metadata holds no public tests")
    attachments = metadata_dlgrade(notebook).get("attachments", [])
    config = BundleConfig(id=str(otter.get("assignment_name", "assignment")), questions=[str(q) for q in tests],  # notebook order
                          attachments=[str(a) for a in attachments] if isinstance(attachments, list) else [])
    try:
        return Bundle.from_sources(config, {f"{name}.py": str(source) for name, source in tests.items()})
    except BundleError as exc:
        raise CheckError(str(exc)) from None
    except Exception as exc:  # a test file that does not parse
        raise CheckError(f"{notebook}: the public tests in its metadata cannot be read ({type(exc).__name__}: {exc})") from None


def hidden_tests(notebook: Path) -> dict[str, list[dict]]:
    """question -> [{"name", "points"}] of the hidden tests, as ``dlgrade build`` recorded them in
    the notebook's metadata (``metadata.dlgrade.hidden_tests``); {} for an older notebook."""
    summary = metadata_dlgrade(notebook).get("hidden_tests")
    return summary if isinstance(summary, dict) else {}


def describe_hidden_tests(summary: dict[str, list[dict]]) -> list[str]:
    """Plain lines for ``dlgrade check``: how many hidden tests there are, and what each
    question's check, by name (``test_stable_for_logits_of_1000`` -> "stable for logits of 1000")."""
    tests = [t for cases in summary.values() if isinstance(cases, list) for t in cases if isinstance(t, dict)]
    if not tests:
        return []
    points = sum(float(t.get("points", 0)) for t in tests)
    lines = [f"The grader also runs {len(tests)} hidden tests ({points:g} points), not in your notebook:"]
    for question, cases in summary.items():
        names = [str(t.get("name", "")).split(".")[-1].removeprefix("test_").replace("_", " ") for t in cases if isinstance(t, dict)]
        if names:
            lines.append(f"  {question}: {len(names)} ({'; '.join(names)})")
    return lines


ENVIRONMENT_PACKAGES = ("numpy", "torch")
"""Packages whose versions ``dlgrade build`` records beside Python's."""


def grading_environment() -> dict[str, str]:
    """Versions of Python and ``ENVIRONMENT_PACKAGES`` in this process ({"python": "3.11.9",
    "numpy": "2.1.3", ...}; a package that is not installed is left out)."""
    versions = {"python": platform.python_version()}
    for name in ENVIRONMENT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def environment_warnings(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """One line per difference that changes behaviour: Python's major.minor, or a package's
    major version (NumPy 1 -> 2 removed ``np.int``, for example). recorded: the grader's
    versions from the notebook's metadata; current: ``grading_environment()`` here."""
    warnings = []
    for name, want in recorded.items():
        have = current.get(name)
        parts = 2 if name == "python" else 1
        if have is None or str(want).split(".")[:parts] != have.split(".")[:parts]:
            warnings.append(
                f"the grader runs {name} {want}; this kernel has {have or 'none'}: code that works here may fail "
                "when graded (and the other way round)"
            )
    return warnings


def recorded_environment(notebook: Path) -> dict[str, str]:
    """The grading environment ``dlgrade build`` recorded in the notebook's metadata
    (``metadata.dlgrade.environment``); {} for an older notebook."""
    recorded = metadata_dlgrade(notebook).get("environment")
    return {str(k): str(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def environment_lines(notebook: Path) -> list[Line]:
    """``environment_warnings`` for ``notebook`` against this process, as yellow lines."""
    return [Line(f"warning: {w}", "yellow") for w in environment_warnings(recorded_environment(notebook), grading_environment())]


def report_lines(notebook: Path, result: SubmissionResult) -> list[Line]:
    """What ``dlgrade check`` prints after grading ``notebook``'s public tests: the grading error,
    each cell that raised (cells numbered from 1, Markdown cells counted, as in feedback.md) and
    code not run, a table of the public tests with the tracebacks of those that failed, the
    score, then what the hidden tests check (``describe_hidden_tests``)."""
    lines = [Line(result.error, "red")] if result.error else []
    for error in result.cell_errors:
        lines.append(Line(f"cell {error.cell + 1} raised {error.type}: {error.message}", "yellow"))
        if error.traceback:
            lines.append(Line("    " + friendly_traceback(error.traceback).rstrip().replace("\n", "\n    ")))
    for item in result.not_run:
        lines.append(Line(f"cell {item.cell + 1}, line {item.line} was not run ({item.code}): {item.reason}", "yellow"))
    width = max(len(t.name) for t in result.tests)
    lines.append(Line(f"\n{'public test':<{width}}  status      points"))
    for test in result.tests:
        status = test.status if test.graded else NOT_GRADED
        lines.append(Line(f"{test.name:<{width}}  {status:<10}  {test.score:g}/{test.max_score:g}"))
        if test.status != "passed" and (test.graded or not result.error):
            lines.append(Line("    " + friendly_traceback(test.output).replace("\n", "\n    ")))
    lines.append(Line(f"\n{result.score:g}/{result.max_score:g} on the public tests ({result.execution_time:.1f} s)"))
    lines.extend(Line(text) for text in describe_hidden_tests(hidden_tests(notebook)))
    return lines
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
    return replace(bundle, test_files=files)
