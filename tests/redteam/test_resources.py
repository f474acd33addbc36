"""Resource attacks: each is stopped by its limit, reported in plain words, and leaves nothing behind.

Each test grades a notebook holding a correct answer plus the attack, so the honest score is
known; the attack must not earn more, and the grader must come back with a clear message.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from autograder.bundle import Bundle
from autograder.grading.grade import grade_submission
from conftest import DOUBLE, code_notebook, options, tiny_bundle

LIMITS = dict(
    timeout=30, call_timeout=10, memory_bytes=1 * 2**30, cpu_seconds=4, file_bytes=8 * 2**20, tmp_bytes=32 * 2**20, processes=64
)


def grade(tmp_path, sandbox_mode, *cells, **option_overrides):
    bundle = Bundle.load(tiny_bundle(tmp_path, **LIMITS))
    submission = code_notebook(tmp_path / "attack.ipynb", DOUBLE, *cells)
    return grade_submission(submission, bundle, options(sandbox_mode, **option_overrides))


def test_memory_bomb_gets_a_memory_error_and_the_honest_score(tmp_path, sandbox_mode):
    result = grade(tmp_path, sandbox_mode, "hog = []\nwhile True:\n    hog.append(bytearray(64 * 2**20))")
    assert [e.type for e in result.cell_errors] == ["MemoryError"]
    assert "sandbox allows 1.0 GiB" in result.cell_errors[0].message
    assert result.score == result.max_score == 3  # the attack cell failed; the answer before it stands


def test_memory_bomb_inside_a_graded_call_fails_that_test_in_plain_words(tmp_path, sandbox_mode):
    result = grade(tmp_path, sandbox_mode, "import numpy as np\ndef double(x):\n    return np.ones(10**10)")
    assert result.score == 0
    assert all("ran out of memory" in t.output for t in result.tests)


def test_cpu_burn_in_c_is_stopped_by_the_cpu_limit(tmp_path, sandbox_mode):
    started = time.monotonic()
    result = grade(tmp_path, sandbox_mode, "sum(range(10**13))")  # one C-level loop, never returns to Python
    assert time.monotonic() - started < 20
    assert result.score == 0
    assert "used up its 4 s of CPU time" in result.error, result.error


def test_disk_fill_hits_the_private_tmp_size(tmp_path, sandbox_mode):
    fill = (
        "import os\n"
        "written = 0\n"
        "try:\n"
        "    for i in range(1000):\n"
        "        with open(f'/tmp/fill{i}', 'wb') as f:\n"
        "            f.write(b'x' * 4 * 2**20)\n"
        "        written += 4\n"
        "except OSError as e:\n"
        "    print('STOPPED after', written, 'MiB:', e.strerror)\n"
    )
    result = grade(tmp_path, sandbox_mode, fill)
    assert "No space left on device" in result.stdout, result.stdout
    assert int(result.stdout.split("after ")[1].split()[0]) <= 32
    assert result.score == result.max_score


def test_one_huge_file_hits_the_file_size_limit(tmp_path, sandbox_mode):
    big = "try:\n    open('/tmp/work/big', 'wb').write(b'x' * 16 * 2**20)\nexcept OSError as e:\n    print('REFUSED:', e.strerror)"
    result = grade(tmp_path, sandbox_mode, big)
    assert "REFUSED: File too large" in result.stdout, result.stdout
    assert result.score == result.max_score


def test_file_descriptor_exhaustion_is_bounded(tmp_path, sandbox_mode):
    fds = "import os\nopened = []\ntry:\n    while True:\n        opened.append(os.open('/dev/null', os.O_RDONLY))\nexcept OSError:\n    print('OPENED', len(opened))"
    result = grade(tmp_path, sandbox_mode, fds)
    assert 200 < int(result.stdout.split("OPENED ")[1].split()[0]) < 256
    assert result.score == result.max_score


def test_background_processes_do_not_outlive_the_submission(tmp_path, sandbox_mode):
    marker = "4242.125"
    escape = (
        "import subprocess, os\n"
        f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        f"if os.fork() == 0:\n    os.setsid()\n    os.execvp('sleep', ['sleep', '{marker}'])\n"
    )
    result = grade(tmp_path, sandbox_mode, escape)
    assert result.score == result.max_score
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes left behind: {left}"


@pytest.mark.parametrize("trap", ["import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass"])
def test_a_handler_that_ignores_sigterm_is_still_stopped(tmp_path, sandbox_mode, trap):
    started = time.monotonic()
    result = grade(tmp_path, sandbox_mode, trap)
    assert time.monotonic() - started < 20 and result.score == 0


def test_fork_bomb_is_capped_and_cleaned_up(tmp_path, sandbox_mode):
    import os

    if os.geteuid() != 0:
        pytest.skip("per-uid process limits need the grader to run as root (one uid per slot)")
    uid = 61900  # a uid of its own, so no other test's sandbox shares the process limit
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    started = time.monotonic()
    result = grade(tmp_path, sandbox_mode, bomb, uid=uid)
    assert time.monotonic() - started < 30
    assert result.score == 0 and "did not finish within" in result.error
    time.sleep(0.5)
    assert subprocess.run(["pgrep", "-u", str(uid)], capture_output=True, text=True).stdout.split() == []


def test_each_parallel_slot_runs_as_its_own_uid(tmp_path, sandbox_mode):
    import os

    from autograder.grading.batch import grade_to_folder

    if os.geteuid() != 0:
        pytest.skip("per-slot uids need the grader to run as root")
    bundle = tiny_bundle(tmp_path, **LIMITS)
    subs = {f"s{i}": code_notebook(tmp_path / f"s{i}.ipynb", DOUBLE, "import os, time\nprint('UID', os.getuid())\ntime.sleep(2)") for i in range(2)}
    results = grade_to_folder(bundle, subs, tmp_path / "out", options(sandbox_mode, uid=61800), workers=2)
    uids = {int(r.stdout.split("UID ")[1].split()[0]) for r in results}
    assert uids == {61800, 61801}
