"""Warm sandboxes (issue 6): workers forked from a zygote that imported the heavy modules once.

Isolation must not weaken: whatever one submission leaves behind (files, patched modules,
threads, background processes, a full /tmp, System V shared memory) must not reach the next
submission the same zygote serves. Zygotes need a root grader (each worker drops to the
slot's uid); elsewhere these tests are skipped and every submission gets a new sandbox.
"""

from __future__ import annotations

import time

import pytest

from autograder.bundle import Bundle, BundleConfig, write_bundle
from autograder.grading import live
from autograder.grading.grade import grade_submission
from autograder.grading.launcher import Launcher
from autograder.grading.proxy import StudentNamespace
from autograder.grading.failures import SandboxFailure
from autograder.grading.session import SandboxSession
from autograder.grading.warm import Zygote, zygote_for
from conftest import DOUBLE, TINY_TEST_FILE, code_notebook, options

LEAVE_EVERYTHING_BEHIND = r"""
import ctypes, errno, os, subprocess, threading, time
import numpy

numpy.allclose = lambda *args, **kwargs: True                   # a patched module
os.makedirs("/tmp/left/deep", exist_ok=True)                  # files, in /tmp and in the work dir
open("/tmp/left/deep/answers.txt", "w").write("42")
open("left-in-work.txt", "w").write("42")
os.chmod("/tmp/left", 0)
def scribble():                                                 # a thread that keeps writing
    while True:
        open("/tmp/thread.txt", "a").write("x")
        time.sleep(0.01)
threading.Thread(target=scribble, daemon=True).start()
subprocess.Popen(["sleep", "1000"], start_new_session=True)     # background processes
if os.fork() == 0:
    os.setsid()
    while True:
        open("/tmp/daemon.txt", "a").write("x")
        time.sleep(0.01)
try:                                                            # fill the private /tmp,
    for i in range(10**6):                                      # one file-size limit at a time
        with open(f"/tmp/filler{i}", "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 2**20)
            except OSError as error:
                if error.errno != errno.EFBIG:
                    raise
except OSError:                                                 # ENOSPC: /tmp is full
    pass
libc = ctypes.CDLL(None)
shm = libc.shmget(0x5EED, 4096, 0o1666)                         # IPC_CREAT | 0666
"""

OBSERVE = r"""
import os, time
import numpy

time.sleep(0.3)                                                 # give any survivor time to write
def on_tmpfs(path):
    return os.lstat(path).st_dev == os.lstat("/tmp").st_dev
tmp_files = sorted(
    os.path.join(root, name)
    for root, dirs, names in os.walk("/tmp")
    for name in names + dirs
    if on_tmpfs(os.path.join(root, name)) and not os.path.ismount(os.path.join(root, name))
)
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
patched = numpy.allclose(1.0, 2.0)
shm_segments = open("/proc/sysvipc/shm").read().splitlines()[1:]
for name in ("big1", "big2"):                                   # /tmp has its room back
    with open(f"/tmp/work/{name}", "wb") as big:
        big.write(b"\0" * 200 * 2**20)
me, uid = os.getpid(), os.getuid()
try:
    os.kill(2, 0)
    zygote_reachable = True
except PermissionError:
    zygote_reachable = False
"""


@pytest.fixture
def launcher(sandbox_mode):
    launcher = Launcher(sandbox_mode)
    if not launcher.can_fork_workers:
        pytest.skip("warm sandboxes need a grader running as root (each worker drops to its slot's uid)")
    return launcher


def session(launcher, zygote, seconds=30):
    return SandboxSession(launcher, deadline=time.monotonic() + seconds, call_timeout=seconds, zygote=zygote)


def test_nothing_one_submission_leaves_behind_reaches_the_next(launcher):
    zygote = Zygote(launcher, ("numpy",))
    try:
        cold = SandboxSession(launcher, deadline=time.monotonic() + 30)
        cold.request("exec", cells=[[0, OBSERVE]])
        baseline = StudentNamespace(cold, {}).get("tmp_files")
        cold.close()

        with session(launcher, zygote) as first:
            outcome = first.request("exec", cells=[[0, LEAVE_EVERYTHING_BEHIND]])
            assert outcome[0]["error"] is None, outcome
        with session(launcher, zygote) as second:
            outcome = second.request("exec", cells=[[0, OBSERVE]])
            assert outcome[0]["error"] is None, outcome
            seen = StudentNamespace(second, {})
            assert seen.get("tmp_files") == baseline  # nothing written by the first is left
            assert seen.get("patched") is False and seen.get("shm_segments") == []
            assert seen.get("pids") == [1, 2, seen.get("me")]  # bwrap's init, the zygote, this worker
            assert seen.get("uid") == launcher.uid and seen.get("zygote_reachable") is False
    finally:
        zygote.kill()


def test_a_crash_or_timeout_in_a_warm_worker_is_reported_and_the_zygote_serves_on(launcher):
    zygote = Zygote(launcher, ("numpy",))
    try:
        with session(launcher, zygote) as crashing:
            with pytest.raises(SandboxFailure, match="exit code 5"):
                crashing.request("exec", cells=[[0, "import os\nos._exit(5)"]])
        with session(launcher, zygote, seconds=2) as hanging:
            with pytest.raises(SandboxFailure, match="did not finish"):
                hanging.request("exec", cells=[[0, "while True:\n    pass"]])
        with session(launcher, zygote) as killed:
            with pytest.raises(SandboxFailure, match="SIGKILL"):
                killed.request("exec", cells=[[0, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"]])
        assert zygote.alive
        with session(launcher, zygote) as fine:
            fine.request("exec", cells=[[0, "x = 6 * 7"]])
            assert StudentNamespace(fine, {}).get("x") == 42
    finally:
        zygote.kill()


def test_kill_all_stops_zygotes_and_the_sessions_of_both_kinds(launcher):
    """What a pool worker does on Ctrl-C: every zygote, warm session and cold session of this
    process is killed and forgotten, whatever order they die in."""
    zygote = Zygote(launcher, ("numpy",))
    warm, cold = session(launcher, zygote), SandboxSession(launcher, deadline=time.monotonic() + 30)
    for running in (warm, cold):
        running.request("exec", cells=[[0, "x = 1"]])
    live.kill_all()
    assert not zygote.alive and zygote._proc.returncode is not None and cold._proc.returncode is not None
    for stopped in (warm, cold):
        with pytest.raises(SandboxFailure, match="the grader was interrupted"):
            stopped.request("exec", cells=[[0, "x = 2"]])
    assert not live._LIVE


def test_grading_forks_from_one_zygote_per_slot_and_falls_back_when_it_cannot_start(launcher, sandbox_mode, tmp_path):
    probe = TINY_TEST_FILE + '''

@test_case(points=1, hidden=True)
def test_forked(worker_pid):
    assert worker_pid() > 2, "the worker was not forked from a zygote"
'''
    nb = code_notebook(tmp_path / "nb.ipynb", DOUBLE + "import os\ndef worker_pid():\n    return os.getpid()\n")
    bundle = tmp_path / "b.zip"
    write_bundle(bundle, BundleConfig(id="probe"), {"double.py": probe})
    results = [grade_submission(nb, Bundle.load(bundle), options(sandbox_mode)) for _ in range(2)]
    assert [r.score for r in results] == [4, 4], [t.output for t in results[0].tests]
    assert zygote_for(Launcher(sandbox_mode, threads=1, limits=Bundle.load(bundle).config.limits), ("numpy",)) is not None

    broken = tmp_path / "broken.zip"
    write_bundle(broken, BundleConfig(id="probe", preload=["no_such_module"]), {"double.py": probe})
    cold = grade_submission(nb, Bundle.load(broken), options(sandbox_mode))
    assert cold.score == 3 and "not forked" in cold.tests[-1].output  # graded all the same, in a new sandbox
