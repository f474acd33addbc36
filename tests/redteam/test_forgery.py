"""Grade forgery: attacks that try to earn points without the answer, or to reach the grader.

Every notebook holds a wrong or missing answer, so its honest score is 0 unless stated. Each
test checks the attack earned no more, the grader survived, and no hidden-test source reached
the results.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from autograder.bundle import Bundle
from autograder.grading.batch import grade_to_folder
from autograder.grading.grade import grade_submission
from conftest import DOUBLE, TINY_TEST_FILE, code_notebook, options, tiny_bundle

WRONG = "def double(x):\n    return x\n"


def hidden_source_lines() -> list[str]:
    lines = [l.strip() for l in TINY_TEST_FILE.splitlines()]
    return [l for l in lines if len(l) > 12 and not l.startswith(("@", "#", '"', "assert")) and "def test_" not in l]


def grade(tmp_path, sandbox_mode, *cells, honest=0, **limits):
    bundle = Bundle.load(tiny_bundle(tmp_path, **{"timeout": 60, "call_timeout": 10, **limits}))
    result = grade_submission(code_notebook(tmp_path / "attack.ipynb", *cells), bundle, options(sandbox_mode))
    assert result.score <= honest, {t.name: t.output for t in result.tests}
    report = str(result.to_json())
    assert not [l for l in hidden_source_lines() if l in report], "hidden-test source leaked into the results"
    return result


ATTACKS = {
    "patch-builtins": WRONG + "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.all = lambda *a: True\nbuiltins.AssertionError = type('X', (Exception,), {})",
    "patch-numpy": WRONG + "import numpy as np\nnp.array_equal = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\nnp.testing.assert_array_equal = lambda *a, **k: None",
    "patch-otter": WRONG + "ot = __import__('otter.test_files', fromlist=['x'])\not.test_case.call_func = lambda self, env: None\not.ExceptionTestFile.run = lambda self, env: None",
    "patch-pytest": WRONG + "import pytest\npytest.approx = lambda *a, **k: 4\npytest.fail = lambda *a, **k: None",
    "patch-torch": WRONG + "import torch\ntorch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True",
    "class-spoof": "import numpy as np\nclass Fake:\n    __class__ = np.ndarray\n    def __eq__(self, o): return np.True_\ndef double(x):\n    return Fake()",
    "ndarray-subclass": "import numpy as np\nclass Eq(np.ndarray):\n    def __eq__(self, o): return np.ones(np.shape(o), bool)\ndef double(x):\n    return np.zeros(np.shape(x)).view(Eq)",
    "float-subclass": "class F(float):\n    def __eq__(self, o): return True\ndef double(x):\n    return F(0)",
    "lying-dunders": (
        "class Liar:\n"
        "    def __array__(self, *a, **k):\n        import numpy\n        return numpy.zeros(5)\n"
        "    def __float__(self): return 4.0\n    def __int__(self): return 4\n    def __index__(self): return 4\n"
        "    def __len__(self): return 5\n    def __eq__(self, o): return True\n    def __bool__(self): return True\n"
        "def double(x):\n    return Liar()"
    ),
    "evil-exception": "class Evil(Exception):\n    def __str__(self):\n        while True: pass\ndef double(x):\n    raise Evil()",
    "deep-nesting": "def double(x):\n    v = []\n    for _ in range(100000):\n        v = [v]\n    return v",
    "huge-array": "import numpy as np\ndef double(x):\n    return np.zeros(60_000_000, dtype=np.uint8)",
    "object-array": "import numpy as np\ndef double(x):\n    return np.array([object(), 4], dtype=object)",
    "string-array": "import numpy as np\ndef double(x):\n    return np.array(['4'])",
    "forged-protocol-garbage": WRONG + "import os, sys\nos.write(int(sys.argv[2]), b'\\x00' * 8 + b'\\xff' * 64)",
    "forged-protocol-huge": WRONG + "import os, sys\nos.write(int(sys.argv[2]), (10**12).to_bytes(8, 'big'))",
    "close-channel": WRONG + "import os, sys\nos.close(int(sys.argv[1]))\nos.close(int(sys.argv[2]))",
    "kill-everything": WRONG + "import os, signal\nos.kill(-1, signal.SIGKILL)",
    "kill-parent": WRONG + "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)",
    "segfault": WRONG + "import ctypes\nctypes.string_at(0)",
    "threads-left-running": WRONG + "import threading, time\ndef spin():\n    while True:\n        time.sleep(0.01)\nfor _ in range(20):\n    threading.Thread(target=spin, daemon=True).start()",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_forgery_attacks_earn_nothing(tmp_path, sandbox_mode, attack):
    grade(tmp_path, sandbox_mode, ATTACKS[attack])


def test_a_segfault_is_reported_in_plain_words(tmp_path, sandbox_mode):
    result = grade(tmp_path, sandbox_mode, ATTACKS["segfault"])
    assert "segmentation fault" in result.error


def test_a_crafted_pickle_is_never_unpickled_by_the_grader(tmp_path, sandbox_mode):
    marker = f"/tmp/dlgrade-pwned-{uuid.uuid4().hex}"
    payload = (
        "import pickle, os\n"
        "class Boom:\n"
        f"    def __reduce__(self):\n        return (os.system, ('touch {marker}',))\n"
        "blob = pickle.dumps(Boom())\n"
        "def double(x):\n    return Boom()\n"
        "with open('result.pkl', 'wb') as f:\n    f.write(blob)\n"
    )
    grade(tmp_path, sandbox_mode, payload)
    assert not os.path.exists(marker)


def test_fake_result_files_do_not_reach_the_results_folder(tmp_path, sandbox_mode):
    out = tmp_path / "out"
    fake = (
        WRONG + "import json, os\n"
        "forged = json.dumps({'score': 999, 'max_score': 3, 'tests': []})\n"
        f"for d in ['.', os.environ.get('HOME', '.'), '/tmp', '{out}', '{out}/attack', '../results', '/results']:\n"
        "    try:\n"
        "        os.makedirs(d, exist_ok=True)\n"
        "        open(os.path.join(d, 'result.json'), 'w').write(forged)\n"
        "        open(os.path.join(d, 'grades.csv'), 'w').write('attack,999,3')\n"
        "    except OSError:\n"
        "        pass\n"
    )
    bundle = tiny_bundle(tmp_path)
    results = grade_to_folder(bundle, {"attack": code_notebook(tmp_path / "attack.ipynb", fake)}, out, options(sandbox_mode), workers=1)
    assert results[0].score == 0
    assert '"score": 0' in (out / "attack" / "result.json").read_text().replace("0.0", "0")
    assert "999" not in (out / "grades.csv").read_text()


def test_one_submission_cannot_touch_the_next_in_the_same_slot(tmp_path, sandbox_mode):
    writer = DOUBLE + "import os\nfor p in ['/tmp/work/left.txt', '/tmp/left.txt']:\n    open(p, 'w').write('x')\nos.environ['LEFT'] = '1'"
    reader = DOUBLE + "import os\nprint('SEEN', [p for p in ['/tmp/work/left.txt', '/tmp/left.txt'] if os.path.exists(p)], os.environ.get('LEFT'))"
    subs = {"a": code_notebook(tmp_path / "a.ipynb", writer), "b": code_notebook(tmp_path / "b.ipynb", reader)}
    results = {r.submission: r for r in grade_to_folder(tiny_bundle(tmp_path), subs, tmp_path / "out", options(sandbox_mode), workers=1)}
    assert "SEEN [] None" in results["b"].stdout
    assert results["a"].score == results["b"].score == 3


def test_the_sandbox_sees_only_its_own_processes(tmp_path, sandbox_mode):
    probe = DOUBLE + "import os\nprint('PIDS', len([p for p in os.listdir('/proc') if p.isdigit()]))"
    result = grade(tmp_path, sandbox_mode, probe, honest=3)
    assert int(result.stdout.split("PIDS ")[1].split()[0]) <= 4


def test_student_code_has_no_privileges_to_regain(tmp_path, sandbox_mode):
    """Real, effective and saved uids are the slot's; no_new_privs stops setuid binaries."""
    probe = DOUBLE + (
        "import os\n"
        "status = open('/proc/self/status').read()\n"
        "print('IDS', *os.getresuid(), 'NNP', status.split('NoNewPrivs:')[1].split()[0], 'CAPEFF', status.split('CapEff:')[1].split()[0])\n"
    )
    result = grade(tmp_path, sandbox_mode, probe, honest=3)
    fields = result.stdout.split("IDS ")[1].split()
    assert "0" not in fields[:3], result.stdout
    assert fields[4] == "1" and int(fields[6], 16) == 0, result.stdout


def test_the_grader_outlives_every_attack_in_one_batch(tmp_path, sandbox_mode):
    """All the attacks above in one batch: every one gets a result; the batch completes."""
    subs = {name: code_notebook(tmp_path / f"{name}.ipynb", cell) for name, cell in ATTACKS.items()}
    subs["honest"] = code_notebook(tmp_path / "honest.ipynb", DOUBLE)
    bundle = tiny_bundle(tmp_path, timeout=60, call_timeout=10)
    results = {r.submission: r for r in grade_to_folder(bundle, subs, tmp_path / "out", options(sandbox_mode, uid=61700), workers=2)}
    assert set(results) == set(subs)
    assert results["honest"].score == 3
    assert all(r.score == 0 for name, r in results.items() if name != "honest")
    left = subprocess.run(["pgrep", "-u", "61700,61701"], capture_output=True, text=True).stdout.split()
    assert left == [] or os.geteuid() != 0
