"""Crash safety: a batch killed with SIGKILL resumes where it stopped and ends with the same grades."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import DOUBLE, code_notebook, tiny_bundle

REPO = Path(__file__).resolve().parents[1]


def grade_command(bundle, subs, out, *extra):
    return [sys.executable, "-m", "autograder.cli", "grade", str(bundle), str(subs), "-o", str(out), "--workers", "1", *extra]


def make_batch(tmp_path):
    bundle = tiny_bundle(tmp_path, timeout=30, call_timeout=10)
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(5):
        answer = DOUBLE if i % 2 == 0 else "def double(x):\n    return x + 2\n"  # right for x = 2 only
        code_notebook(subs / f"student{i}.ipynb", answer, "import time\ntime.sleep(1)")
    return bundle, subs


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, **kw)


def test_sigkill_mid_batch_then_rerun_finishes_with_the_same_grades(tmp_path, sandbox_mode):
    bundle, subs = make_batch(tmp_path)
    reference = tmp_path / "uninterrupted"
    assert run(grade_command(bundle, subs, reference)).returncode == 0

    out = tmp_path / "interrupted"
    proc = subprocess.Popen(grade_command(bundle, subs, out), cwd=REPO, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*/result.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/result.json")}
    assert 2 <= len(finished) < 5

    rerun = run(grade_command(bundle, subs, out))
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(finished)} submissions were already graded" in rerun.stdout
    for name, mtime in finished.items():  # kept, not regraded
        assert (out / name / "result.json").stat().st_mtime_ns == mtime
    assert (out / "grades.csv").read_text() == (reference / "grades.csv").read_text()

    regrade = run(grade_command(bundle, subs, out, "--regrade"))
    assert regrade.returncode == 0 and "already graded" not in regrade.stdout
    assert (out / "grades.csv").read_text() == (reference / "grades.csv").read_text()


def test_a_changed_submission_is_graded_again(tmp_path, sandbox_mode):
    bundle, subs = make_batch(tmp_path)
    out = tmp_path / "out"
    assert run(grade_command(bundle, subs, out)).returncode == 0
    code_notebook(subs / "student1.ipynb", DOUBLE)  # fixed after the first run
    rerun = run(grade_command(bundle, subs, out))
    assert "4 submissions were already graded" in rerun.stdout
    row = next(l for l in (out / "grades.csv").read_text().splitlines() if l.startswith("student1,"))
    assert row.startswith("student1,3.0,3.0")


def test_a_results_write_failure_stops_the_batch_with_a_clear_message_and_keeps_the_rest(tmp_path, sandbox_mode):
    """A write that fails halfway (as on a full disk) ends the batch with a message; what was
    written stays, and a rerun after the cause is removed finishes the batch."""
    bundle, subs = make_batch(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "student3").write_text("a file where student3's results folder should be")
    result = run(grade_command(bundle, subs, out))
    assert result.returncode != 0 and "cannot write the results of student3" in result.stderr
    assert "run the same command again" in result.stderr
    assert (out / "student0" / "result.json").is_file() and (out / "grades.csv").is_file()
    (out / "student3").unlink()
    assert run(grade_command(bundle, subs, out)).returncode == 0
    assert len((out / "grades.csv").read_text().splitlines()) == 6


def test_ctrl_c_kills_in_flight_sandboxes_keeps_results_and_says_how_to_resume(tmp_path, sandbox_mode):
    bundle = tiny_bundle(tmp_path, timeout=60, call_timeout=30)
    subs = tmp_path / "subs"
    subs.mkdir()
    marker = "31.41592"
    code_notebook(subs / "a_fast.ipynb", DOUBLE)
    for i in range(3):  # each starts a marked child process and takes a while
        code_notebook(subs / f"slow{i}.ipynb", DOUBLE, f"import subprocess, time\nsubprocess.Popen(['sleep', '{marker}'])\ntime.sleep(20)")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "autograder.cli", "grade", str(bundle), str(subs), "-o", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / "a_fast" / "result.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    while not subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True).stdout and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    interrupted = time.monotonic()
    _, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - interrupted < 10, "in-flight sandboxes must be killed, not waited for"
    assert proc.returncode != 0
    assert "run the same command again" in stderr
    assert (out / "a_fast" / "result.json").is_file() and "a_fast" in (out / "grades.csv").read_text()
    time.sleep(0.5)
    assert subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split() == []


def test_a_rerun_in_the_other_test_mode_grades_again(tmp_path, sandbox_mode):
    """A forgeable grade (--tests-in-sandbox: Otter's runner inside the sandbox) is never kept
    for a secure rerun of the same files and autograder, nor the reverse; same mode: kept."""
    import zipfile

    from autograder.grading.batch import grade_to_folder
    from conftest import options

    bundle = tmp_path / "autograder.zip"
    with zipfile.ZipFile(bundle, "w") as zf:  # `otter assign`'s layout
        zf.writestr("otter_config.json", "{}")
        zf.writestr("tests/q1.py", "from otter.test_files import test_case\n\nOK_FORMAT = False\nname = 'q1'\npoints = None\n\n"
                                   "@test_case(points=1)\ndef test_x(x):\n    assert x == 1\n")
    subs = {"student": code_notebook(tmp_path / "hw.ipynb", "x = 1")}
    out = tmp_path / "out"

    def forgeable_and_kept(tests_in_sandbox):
        kept = []
        (result,) = grade_to_folder(bundle, subs, out, options(sandbox_mode, tests_in_sandbox=tests_in_sandbox), 1,
                                    on_result=lambda r, was_kept: kept.append(was_kept))
        return result.score, result.forgeable, kept

    assert forgeable_and_kept(True) == (1.0, True, [False])
    assert forgeable_and_kept(False) == (1.0, False, [False])  # regraded on the trusted side
    assert forgeable_and_kept(False) == (1.0, False, [True])
    assert forgeable_and_kept(True) == (1.0, True, [False])
