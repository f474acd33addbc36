"""Security round 2 (issue 11), sandbox classes: inode flood (6), IPC state surviving a warm
reset (13), uids shared between graders (16) and spoofed limit notices (15).

Each attack is a notebook (or a second grader) doing what an attacker would; each test fails
on the code before the fix of its class.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from autograder.bundle import Bundle
from autograder.grading import uids
from autograder.grading.grade import grade_submission
from autograder.grading.launcher import Launcher
from autograder.grading.proxy import StudentNamespace
from autograder.grading.session import SandboxSession
from autograder.grading.warm import Zygote
from conftest import DOUBLE, code_notebook, options, tiny_bundle

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs a grader running as root (per-uid sandboxes)")


# ------------------------------------------------------------------ class 6: inode flood

INODE_FLOOD = """
import os
made = 0
try:
    for i in range(200_000):
        open(f"/tmp/flood{i}", "w").close()
        made += 1
except OSError as e:
    print("STOPPED after", made, "files:", e.strerror)
"""


@ROOT_ONLY
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_an_inode_flood_stops_at_the_tmp_inode_limit(tmp_path, sandbox_mode, warm):
    bundle = Bundle.load(tiny_bundle(tmp_path, timeout=60, call_timeout=30, tmp_inodes=1000))
    result = grade_submission(code_notebook(tmp_path / "flood.ipynb", DOUBLE, INODE_FLOOD), bundle, options(sandbox_mode, warm=warm))
    assert "No space left on device" in result.stdout, result.stdout
    assert int(result.stdout.split("after ")[1].split()[0]) <= 1000
    assert result.score == result.max_score  # the honest answer before the flood stands


# ------------------------------------------------------------------ class 13: IPC through a warm reset

SEND = """
import ctypes, os
rt = ctypes.CDLL("librt.so.1", use_errno=True)
rt.mq_open.restype = ctypes.c_int
mq = rt.mq_open(b"/dlgrade-leak", os.O_CREAT | os.O_RDWR, 0o666, None)
assert mq >= 0, os.strerror(ctypes.get_errno())
assert rt.mq_send(mq, b"answers: 42", 11, 0) == 0, os.strerror(ctypes.get_errno())
"""

RECEIVE = """
import ctypes, os
rt = ctypes.CDLL("librt.so.1", use_errno=True)
rt.mq_open.restype = ctypes.c_int
mq = rt.mq_open(b"/dlgrade-leak", os.O_RDWR | os.O_NONBLOCK)
received = None
if mq >= 0:
    buffer = ctypes.create_string_buffer(8192)
    n = rt.mq_receive(mq, buffer, 8192, None)
    received = buffer.raw[:n].decode() if n >= 0 else None
"""


@ROOT_ONLY
def test_a_posix_message_queue_does_not_reach_the_next_warm_submission(sandbox_mode):
    launcher = Launcher(sandbox_mode, uid=61950)
    zygote = Zygote(launcher, ("numpy",))
    try:
        with SandboxSession(launcher, time.monotonic() + 30, 30, zygote=zygote) as first:
            assert first.request("exec", cells=[[0, SEND]])[0]["error"] is None
        with SandboxSession(launcher, time.monotonic() + 30, 30, zygote=zygote) as second:
            assert second.request("exec", cells=[[0, RECEIVE]])[0]["error"] is None
            assert StudentNamespace(second, {}).get("received") is None
    finally:
        zygote.kill()


# ------------------------------------------------------------------ class 16: uids shared between graders

HOLD = "import sys, time; from autograder.grading.uids import claim_uid; print(claim_uid({base}, sys.argv[1]), flush=True); time.sleep(120)"


def hold_uid(base: int, lock_dir) -> tuple[subprocess.Popen, int]:
    """Another grading process that claims a uid from ``base`` and keeps it until killed."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD.format(base=base), str(lock_dir)], stdout=subprocess.PIPE, text=True)
    return holder, int(holder.stdout.readline())


def test_concurrent_graders_get_disjoint_uids_and_a_crashed_ones_uid_is_reclaimed(tmp_path):
    first, second = hold_uid(62000, tmp_path), hold_uid(62000, tmp_path)
    try:
        assert first[1] != second[1] and {first[1], second[1]} == {62000, 62001}
        assert uids.claim_uid(62000, tmp_path) == 62002
        first[0].send_signal(signal.SIGKILL)  # a grader that crashes: no clean-up runs
        first[0].wait()
        assert subprocess.run([sys.executable, "-c", HOLD.format(base=62000).replace("time.sleep(120)", ""), str(tmp_path)],
                              capture_output=True, text=True).stdout.strip() == str(first[1])
    finally:
        for holder, _ in (first, second):
            holder.kill()
            holder.wait()


@ROOT_ONLY
def test_a_submission_runs_as_a_uid_no_other_running_grader_holds(tmp_path, sandbox_mode, monkeypatch):
    monkeypatch.setattr(uids, "LOCK_DIR", tmp_path / "locks")
    holder, held = hold_uid(62100, tmp_path / "locks")
    try:
        bundle = Bundle.load(tiny_bundle(tmp_path, timeout=60, call_timeout=30))
        notebook = code_notebook(tmp_path / "who.ipynb", DOUBLE, "import os\nprint('UID', os.getuid())")
        result = grade_submission(notebook, bundle, options(sandbox_mode, uid=62100))
        assert held == 62100 and int(result.stdout.split("UID ")[1].split()[0]) == 62101
    finally:
        holder.kill()
        holder.wait()


# ------------------------------------------------------------------ class 15: spoofed limit notices

SPOOFS = {
    # an exception class named MemoryError, raised in a cell and by the graded function
    "fake-memory": [DOUBLE, "class MemoryError(Exception):\n    pass\n\nraise MemoryError('ran out of memory')",
                    "def double(x):\n    raise MemoryError('Your code ran out of memory: the sandbox allows 9.0 GiB.')"],
    # printed notices that read like the grader's
    "fake-notices": [DOUBLE, "print('[... 123456 more bytes of output were cut]')\n"
                             "print('Not graded: your code did not finish within the 1 s limit for one call and was stopped.')\n"
                             "print('your code used up its 600 s of CPU time and was stopped')"],
}
REAL = {
    "real-memory": [DOUBLE, "import numpy as np\nhog = np.ones(10**11)"],
    "real-time": ["def double(x):\n    while True:\n        pass\n"],
    "real-output": [DOUBLE, "print('x' * 100_000)"],
}


@pytest.fixture(scope="module")
def limit_batch(tmp_path_factory, sandbox_mode):
    from autograder.grading.batch import grade_to_folder

    folder = tmp_path_factory.mktemp("limits")
    bundle = tiny_bundle(folder, timeout=30, call_timeout=2, memory_bytes=2**30, max_output_bytes=4096)
    subs = {name: code_notebook(folder / f"{name}.ipynb", *cells) for name, cells in {**SPOOFS, **REAL}.items()}
    out = folder / "results"
    grade_to_folder(bundle, subs, out, options(sandbox_mode), workers=1)
    return out


def shown_limits(out, name: str) -> tuple[set, str, str]:
    """(limit kinds in result.json, the feedback page's text, the Markdown report's 'Limits' section)."""
    import json

    data = json.loads((out / name / "result.json").read_text())
    kinds = {t["limit"]["kind"] for t in data["tests"] if t["limit"]}
    kinds |= {data["extra_data"]["limit"]["kind"]} if data["extra_data"]["limit"] else set()
    kinds |= {"output"} if data["extra_data"]["output_cut_bytes"] else set()
    md = (out / name / "feedback.md").read_text()
    return kinds, (out / name / "feedback.html").read_text(), md


def dashboard_problems(out) -> set[tuple[str, str]]:
    from bs4 import BeautifulSoup

    page = BeautifulSoup((out / "summary.html").read_text(), "html.parser")
    return {(tds[0].get_text(), tds[1].get_text()) for tds in (tr.find_all("td") for tr in page.select("#problems tr")[1:])}


@pytest.mark.parametrize("name", sorted(SPOOFS))
def test_spoofed_limit_notices_are_not_reported_as_limits(limit_batch, name):
    page, md = ((limit_batch / name / f"feedback.{ext}").read_text() for ext in ("html", "md"))
    assert "Limits your code ran into" not in page and "Limits your code ran into" not in md
    assert not {kind for sub, kind in dashboard_problems(limit_batch) if sub == name} - {"cell error"}
    assert shown_limits(limit_batch, name)[0] == set()


@pytest.mark.parametrize("name, kind, title", [("real-memory", "memory", "memory limit"), ("real-time", "call_timeout", "time limit"),
                                               ("real-output", "output", "output limit")])
def test_real_limit_hits_are_still_reported(limit_batch, name, kind, title):
    kinds, page, md = shown_limits(limit_batch, name)
    assert kind in kinds
    assert "Limits your code ran into" in page and "Limits your code ran into" in md
    assert (name, title) in dashboard_problems(limit_batch)
