"""Gradescope: an autograder zip that grades with dlgrade's sandbox, and Otter's results layout.

Gradescope's documented layout ("Autograder Specifications", gradescope-autograders.readthedocs.io):
the uploaded zip is unpacked into ``/autograder/source``; ``setup.sh`` runs once when the image is
built; for each submission ``/autograder/run_autograder`` (copied from the zip) runs as root with
the student's files in ``/autograder/submission`` and must write
``/autograder/results/results.json``. ``run_autograder`` here reads the root from
``$DLGRADE_GRADESCOPE_ROOT`` (default ``/autograder``) and its interpreter from ``$DLGRADE_PYTHON``
(default the virtual environment ``setup.sh`` makes), so the same script runs in a test's
temporary root.

Isolation, best first (``choose_sandbox``): bubblewrap; where the container forbids user
namespaces, ``uid`` (a separate uid with no_new_privs, resource limits, the tests on the trusted
side, the grader's folders made unreadable to it), with a warning in results.json's ``output``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.bundle import Bundle
from autograder.grading.grade import GradeOptions, grade_submission
from autograder.grading.launcher import SandboxUnavailable, check_sandbox
from autograder.grading.results import SubmissionResult

ROOT_ENV = "DLGRADE_GRADESCOPE_ROOT"
BUNDLE_NAME = "autograder.zip"
"""The dlgrade/Otter autograder zip inside the Gradescope zip (``/autograder/source/autograder.zip``)."""

VENV = "/opt/dlgrade"
"""Where ``setup.sh`` installs dlgrade: its own virtual environment, so the system ``python3`` that
Gradescope's harness runs on keeps its packages (Gradescope's "Python 3 issues" page warns
against changing it; Otter's setup.sh likewise installs into an environment of its own)."""

PYTHON_ENV = "DLGRADE_PYTHON"
"""Overrides the interpreter ``run_autograder`` uses (default ``VENV``'s): a test's own Python."""

SETUP_SH = f"""#!/usr/bin/env bash
# Gradescope runs this once while building the autograder image (Ubuntu, as root).
set -euo pipefail
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap python3 python3-venv
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "dlgrade needs Python 3.10 or newer, not $(python3 --version 2>&1): choose the Ubuntu 22.04 base image" >&2
    exit 1
fi
python3 -m venv {VENV}
{VENV}/bin/pip install --index-url https://download.pytorch.org/whl/cpu torch
{VENV}/bin/pip install /autograder/source/wheels/*.whl
"""

RUN_AUTOGRADER = f"""#!/usr/bin/env bash
# Gradescope runs this for each submission; it writes $ROOT/results/results.json.
exec "${{{PYTHON_ENV}:-{VENV}/bin/python}}" -m autograder.gradescope "${{{ROOT_ENV}:-/autograder}}"
"""

UID_WARNING = (
    "WARNING: this container does not allow user namespaces, so bubblewrap could not isolate the "
    "student's code. It ran as a separate uid with resource limits, and the tests ran outside its "
    "process, but it shared the container's filesystem view and network. ({reason})"
)


class GradescopeError(Exception):
    """The Gradescope zip cannot be written, or a submission folder holds no single notebook."""


def write_autograder(bundle_zip: Path, output: Path, wheel: Path | None = None) -> None:
    """Write a Gradescope autograder zip to ``output``: ``setup.sh``, ``run_autograder``, the
    bundle as ``autograder.zip`` and dlgrade's wheel under ``wheels/`` (``wheel``, or built from
    the source checkout this package runs from with hatchling).

    Raises GradescopeError when the bundle is unreadable or no wheel can be had; BundleError
    passes through as GradescopeError's message.
    """
    from autograder.bundle import BundleError

    try:
        Bundle.load(bundle_zip)
    except BundleError as exc:
        raise GradescopeError(str(exc)) from None
    with tempfile.TemporaryDirectory() as tmp:
        wheel = wheel or _build_wheel(Path(tmp))
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o755 << 16  # executable once unpacked
                zf.writestr(info, text)
            zf.write(bundle_zip, BUNDLE_NAME)
            zf.write(wheel, f"wheels/{wheel.name}")


def _build_wheel(dest: Path) -> Path:
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "pyproject.toml").is_file():
        raise GradescopeError("dlgrade is not running from a source checkout: pass --wheel with a dlgrade wheel")
    done = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dest)],
                          cwd=checkout, capture_output=True, text=True)
    wheels = sorted(dest.glob("dlgrade-*.whl"))
    if done.returncode != 0 or not wheels:
        raise GradescopeError(f"building dlgrade's wheel failed: {done.stderr.strip()[-2000:]}")
    return wheels[0]


def choose_sandbox() -> tuple[str, str | None]:
    """("bwrap", None) where bubblewrap works, else ("uid", warning for the results); raises
    SandboxUnavailable when neither is possible (not root)."""
    try:
        check_sandbox("bwrap")
        return "bwrap", None
    except SandboxUnavailable as exc:
        check_sandbox("uid")
        return "uid", UID_WARNING.format(reason=exc)


def find_notebook(submission: Path) -> Path:
    """The one notebook in Gradescope's submission folder (checkpoints ignored). Raises
    GradescopeError naming what was found when there is not exactly one."""
    found = sorted(p for p in submission.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if len(found) != 1:
        names = ", ".join(str(p.relative_to(submission)) for p in found) or "none"
        raise GradescopeError(f"submit exactly one Jupyter notebook (.ipynb); found: {names}")
    return found[0]


def results_json(result: SubmissionResult, warning: str | None = None) -> dict:
    """Gradescope's results.json for one graded submission: dlgrade's result.json (score,
    execution_time, output, tests[name, score, max_score, status, output, visibility]) with
    ``warning`` put first in ``output`` and the captured stdout shown once grades are published."""
    data = result.to_json()
    data["output"] = "\n\n".join(x for x in (warning, data["output"]) if x)
    data["stdout_visibility"] = "after_published"
    return data


def run(root: Path, sandbox: str | None = None) -> dict:
    """Grade ``root/submission`` with ``root/source/autograder.zip`` into
    ``root/results/results.json``; returns what it wrote. ``sandbox``: force a mode (tests),
    else ``choose_sandbox``. Never raises for a bad submission: its results say what was wrong."""
    warning = None
    if sandbox is None:
        sandbox, warning = choose_sandbox()
    if sandbox != "bwrap":
        for folder in ("source", "submission", "results"):  # nothing of the grader's for the student's uid
            (root / folder).mkdir(exist_ok=True)
            os.chmod(root / folder, 0o700)
    bundle = Bundle.load(root / "source" / BUNDLE_NAME)
    data_dir = os.environ.get("DLGRADE_DATA_DIR") or (str(root / "source" / "data") if (root / "source" / "data").is_dir() else None)
    try:
        notebook = find_notebook(root / "submission")
    except GradescopeError as exc:
        data = {"score": 0.0, "execution_time": 0.0, "output": "\n\n".join(x for x in (warning, str(exc)) if x), "tests": []}
    else:
        result = grade_submission(notebook, bundle, GradeOptions(sandbox=sandbox, data_dir=data_dir), name=notebook.stem)
        data = results_json(result, warning)
    (root / "results").mkdir(exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(data, indent=2))
    return data


def main() -> None:
    """``python -m autograder.gradescope [ROOT]`` (what ``run_autograder`` runs)."""
    run(Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get(ROOT_ENV, "/autograder")))


if __name__ == "__main__":
    main()
