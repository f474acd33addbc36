"""``dlgrade check``: the public tests on one notebook, before it is submitted.

Where the tests come from decides where they run:

- ``check_own_notebook(notebook)`` (``dlgrade check NOTEBOOK``, what students run): the tests
  ``otter assign`` stored in the notebook's metadata (``metadata.otter.tests``), the ones
  ``grader.check`` runs in Jupyter. Anyone who edits a notebook controls them, so they run in the
  sandbox with the cells, by Otter's own runner; the result is a self-check (forgeable).
- ``public_tests_of(bundle)`` (``dlgrade check NOTEBOOK --autograder ZIP``, for graders): the
  public cases of the course's autograder zip, run on the trusted side exactly as grading runs
  them, with the cells sandboxed.
- ``public_bundle(notebook)``: the tests stored in a notebook the caller built, read on this
  side (``validate``'s count of the mutants public tests catch).

Hidden tests are never in a student notebook.
"""

from __future__ import annotations

import copy
import json
import platform
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from autograder.bundle import Bundle, BundleConfig, BundleError, Limits
from autograder.console import Line
from autograder.grading.cells import Files, close_sandbox, start_sandbox
from autograder.grading.grade import GradeOptions, submission_files
from autograder.grading.in_sandbox import verdicts_from_sandbox
from autograder.grading.results import NotRunCode, SubmissionResult
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


def notebook_test_sources(notebook: Path) -> dict[str, str]:
    """The public tests ``otter assign`` stored in a notebook's metadata (``metadata.otter.tests``:
    question -> source), as text: file name (``q1.py``) -> source, in notebook order. Nothing
    here runs them.

    Raises CheckError when the file is not a notebook JSON or carries no Otter tests (not a
    notebook made by ``dlgrade build``/``otter assign``, or its metadata was removed).
    """
    try:
        tests = notebook_json(notebook)["metadata"]["otter"]["tests"]
    except (OSError, IntakeError, ValueError, KeyError, TypeError) as exc:
        raise CheckError(
            f"{notebook}: no public tests found ({type(exc).__name__}: {exc}); check the notebook your "
            "course handed out, whose metadata holds them"
        ) from None
    if not isinstance(tests, dict) or not tests:
        raise CheckError(f"{notebook}: the notebook's metadata holds no public tests")
    return {f"{name}.py": str(source) for name, source in tests.items()}


def recorded_attachments(notebook: Path) -> list[str]:
    """The files ``dlgrade build`` recorded that students submit with the notebook."""
    attachments = metadata_dlgrade(notebook).get("attachments", [])
    return [str(a) for a in attachments] if isinstance(attachments, list) else []


def public_bundle(notebook: Path) -> Bundle:
    """The public tests stored in a notebook YOU built (``dlgrade build``'s student notebook), as
    a bundle with default limits: they are read as Python on this side, so never use this for a
    notebook someone else could edit (``check_own_notebook`` runs those in the sandbox).

    Raises CheckError as ``notebook_test_sources`` does, or when a test file cannot be read.
    """
    sources = notebook_test_sources(notebook)
    config = BundleConfig(id=Path(notebook).stem, questions=[n.removesuffix(".py") for n in sources],  # notebook order
                          attachments=recorded_attachments(notebook))
    try:
        return Bundle.from_sources(config, sources)
    except BundleError as exc:
        raise CheckError(str(exc)) from None


def check_own_notebook(notebook: Path, options: GradeOptions) -> SubmissionResult:
    """``dlgrade check NOTEBOOK``: the notebook's cells and the public tests stored in it, both run
    in the sandbox (the tests by Otter's own runner, as ``grader.check`` runs them in Jupyter),
    so no code from the notebook runs on this side. Names, points and verdicts come back from the
    sandbox (``verdicts_from_sandbox``): a student's self-check, marked forgeable, never a grade.

    Raises CheckError as ``notebook_test_sources`` does; anything the notebook's code does is
    reported in the result.
    """
    sources = notebook_test_sources(notebook)
    started = time.monotonic()
    limits = Limits()
    result = SubmissionResult(submission=Path(notebook).stem, sandbox=options.sandbox, forgeable=True)
    try:
        cells, attachments, result.sha256 = submission_files(notebook, BundleConfig(attachments=recorded_attachments(notebook)))
    except (IntakeError, OSError) as exc:
        result.state, result.error = "rejected", f"Your notebook could not be checked: {exc}"
        return result
    result.not_run = [NotRunCode(c.index, n.line, n.code, n.reason) for c in cells for n in c.not_run]
    launcher = options.launcher(limits)
    outputs: list[str] = []
    deadline = started + (options.timeout or limits.timeout)
    session, failure = start_sandbox(launcher, None, deadline, limits, cells, Files(attachments, {}), result)
    try:
        if failure:
            result.error, result.limit = f"Running your notebook failed: {failure}.", failure.limit
        else:
            result.tests = verdicts_from_sandbox(session, sources)
    finally:
        close_sandbox(session, result, outputs)
    result.stdout = "\n".join(o for o in outputs if o)[-limits.max_output_bytes :]
    result.execution_time = time.monotonic() - started
    return result


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
    width = max([len(t.name) for t in result.tests] + [len("public test")])
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
