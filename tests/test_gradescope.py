"""Gradescope: the autograder zip `dlgrade gradescope` writes, run in Gradescope's documented
layout rebuilt in a temporary root, its results.json validated against Gradescope's documented
schema; the fallback where user namespaces are forbidden; Otter's per-question layout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder import gradescope
from autograder.exports.otter import otter_results_json
from autograder.grading.launcher import SandboxUnavailable
from autograder.grading.results import SubmissionResult, TestResult
from conftest import REPO, code_notebook

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
RESULTS_SCHEMA = {
    # Gradescope's results.json ("Autograder Specifications", Output Format,
    # gradescope-autograders.readthedocs.io/en/latest/specs/): score is required unless every
    # test has one; execution_time in seconds; visibility values as listed there.
    "type": "object",
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "properties": {
                    "name": {"type": "string"},
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "visibility": VISIBILITY,
                    "number": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}

TESTS = """from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = None

@test_case(points=1)
def test_double(double):
    assert double(3) == 6

@test_case(points=2, hidden=True)
def test_isolated(where):
    assert where["uid"] != 0 and not where["read_source"]
"""

NOTEBOOK = (
    "import os\nwhere = {'uid': os.getuid()}\n"
    "try:\n    open('{probe}', 'rb').read(1)\n"
    "    where['read_source'] = True\nexcept OSError:\n    where['read_source'] = False\n"
    "def double(x):\n    return 2 * x"
)


def layout(tmp_path: Path, wheel: Path) -> Path:
    """Gradescope's layout: the zip unpacked in ROOT/source, run_autograder at ROOT, the student's
    files in ROOT/submission, ROOT/results for results.json."""
    bundle = tmp_path / "otter.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("otter_config.json", "{}")
        zf.writestr("tests/q1.py", TESTS)
    out = tmp_path / "gradescope.zip"
    gradescope.write_autograder(bundle, out, wheel)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
        assert {"setup.sh", "run_autograder", "autograder.zip", f"wheels/{wheel.name}"} <= set(zf.namelist())
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    (root / "submission").mkdir()
    (root / "results").mkdir()
    probe = root / "source" / "autograder.zip"
    code_notebook(root / "submission" / "hw.ipynb", NOTEBOOK.replace("{probe}", str(probe)))
    return root


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return gradescope._build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_gradescope_zip_grades_the_submission_into_a_valid_results_json(sandbox_mode, wheel, tmp_path):
    root = layout(tmp_path, wheel)
    env = {**os.environ, gradescope.ROOT_ENV: str(root), gradescope.PYTHON_ENV: sys.executable, "PYTHONPATH": str(REPO)}
    subprocess.run(["bash", str(root / "run_autograder")], env=env, check=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 3.0, results
    assert results["extra_data"]["sandbox"] == "bwrap" and "WARNING" not in results["output"]


def run_setup(tmp_path: Path, python_version: str) -> subprocess.CompletedProcess:
    """setup.sh with apt-get, python3 and pip replaced by stubs that log their arguments
    (python3 answers the version check as ``python_version`` would, and makes the venv's pip)."""
    stubs, log = tmp_path / "bin", tmp_path / "calls.log"
    stubs.mkdir(parents=True)
    major, minor = python_version.split(".")
    (stubs / "apt-get").write_text(f'#!/bin/sh\necho "apt-get $*" >> {log}\n')
    (stubs / "python3").write_text(
        f'#!/bin/sh\necho "python3 $*" >> {log}\n'
        f'if [ "$1" = "-c" ]; then exec {sys.executable} -c "import sys; sys.version_info = ({major}, {minor}); $2"; fi\n'
        f'if [ "$1" = "--version" ]; then echo "Python {python_version}"; fi\n'
    )
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    setup = gradescope.SETUP_SH.replace(gradescope.VENV, str(tmp_path / "venv"))
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    pip = tmp_path / "venv" / "bin" / "pip"
    pip.write_text(f'#!/bin/sh\necho "venv-pip $*" >> {log}\n')
    pip.chmod(0o755)
    run = subprocess.run(["bash", "-c", setup], env={**os.environ, "PATH": f"{stubs}:/usr/bin:/bin"}, capture_output=True, text=True)
    run.calls = log.read_text().splitlines() if log.exists() else []
    return run


def test_setup_sh_installs_into_its_own_environment_and_refuses_an_old_python(tmp_path):
    """Gradescope's harness runs on the image's python3, so setup.sh leaves it alone: dlgrade, torch
    and their dependencies go into a virtual environment, which run_autograder uses; an image whose
    python3 is older than dlgrade needs (Ubuntu 20.04's 3.8) stops the build with a message naming
    the base image to choose, instead of a pip resolver error."""
    ok = run_setup(tmp_path / "new", "3.10")
    assert ok.returncode == 0, ok.stderr
    assert any("apt-get install" in c and "bubblewrap" in c and "python3-venv" in c for c in ok.calls)
    assert f"python3 -m venv {tmp_path / 'new' / 'venv'}" in ok.calls
    installs = [c for c in ok.calls if "pip install" in c]
    assert installs and all(c.startswith("venv-pip install") for c in installs), ok.calls  # never the system pip
    assert any("/autograder/source/wheels/" in c for c in installs)
    assert f"{gradescope.VENV}/bin/python" in gradescope.RUN_AUTOGRADER
    old = run_setup(tmp_path / "old", "3.8")
    assert old.returncode == 1 and "needs Python 3.10 or newer" in old.stderr and "Ubuntu 22.04" in old.stderr
    assert not any(c.startswith(("python3 -m venv", "venv-pip")) for c in old.calls)  # stopped before installing


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid fallback needs a root grader, as Gradescope's run_autograder is")
def test_without_user_namespaces_it_grades_as_a_separate_uid_and_warns(wheel, request, monkeypatch):
    real = gradescope.check_sandbox

    def no_userns(mode):
        if mode == "bwrap":
            raise SandboxUnavailable("bubblewrap cannot create namespaces here: Operation not permitted")
        real(mode)

    monkeypatch.setattr(gradescope, "check_sandbox", no_userns)
    # Gradescope's /autograder is world-readable (pytest's tmp_path is not): the fallback must close it
    base = Path(tempfile.mkdtemp(prefix="dlgrade-gradescope-"))
    request.addfinalizer(lambda: shutil.rmtree(base))
    os.chmod(base, 0o755)
    root = layout(base, wheel)
    results = gradescope.run(root)
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["output"].startswith("WARNING: this container does not allow user namespaces")
    assert results["extra_data"]["sandbox"] == "uid"
    assert {t["name"]: t["score"] for t in results["tests"]} == {"q1.test_double": 1.0, "q1.test_isolated": 2.0}, results


def test_a_submission_without_exactly_one_notebook_gets_a_clear_message(wheel, tmp_path):
    root = layout(tmp_path, wheel)
    (root / "submission" / "hw.ipynb").unlink()
    results = gradescope.run(root, sandbox="none")
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0.0 and "submit exactly one Jupyter notebook (.ipynb); found: none" in results["output"]


def test_otters_per_question_layout_sums_each_questions_tests():
    result = SubmissionResult("s", tests=[
        TestResult("q1.a", 1.0, 1.0, "Passed.", passed=True), TestResult("q1.b", 2.0, 0.0, "x is wrong", passed=False),
        TestResult("q2.case_1", 3.0, 3.0, "ok", "hidden", passed=True),
    ])
    data = otter_results_json(result)
    assert data["score"] == 4.0
    assert [(t["name"], t["score"], t["max_score"], t["visibility"]) for t in data["tests"]] == [
        ("q1", 1.0, 3.0, "visible"), ("q2", 3.0, 3.0, "hidden")]
    assert "q1.b: failed\nx is wrong" in data["tests"][0]["output"]


def test_export_otter_results_writes_one_results_json_per_submission(tmp_path):
    from click.testing import CliRunner

    from autograder.cli import main

    result = SubmissionResult("alice", tests=[TestResult("q1.a", 2.0, 2.0, "Passed.", passed=True),
                                              TestResult("q2.b", 1.0, 0.0, "wrong", passed=False)])
    (tmp_path / "results" / "alice").mkdir(parents=True)
    (tmp_path / "results" / "alice" / "result.json").write_text(json.dumps(result.to_json()))
    run = CliRunner().invoke(main, ["export", "otter-results", str(tmp_path / "results"), "-o", str(tmp_path / "otter")])
    assert run.exit_code == 0, run.output
    data = json.loads((tmp_path / "otter" / "alice" / "results.json").read_text())
    assert data["score"] == 2.0 and [(t["name"], t["score"], t["max_score"]) for t in data["tests"]] == [("q1", 2.0, 2.0), ("q2", 0.0, 1.0)]
