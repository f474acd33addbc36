"""Acceptance tests for the trust boundary: submissions that try to cheat or break the grader.

Each test writes its own notebook. Grading uses the real mnist-softmax bundle inside bubblewrap.
"""

from __future__ import annotations

import json
import zipfile

import pytest

from autograder.bundle import Bundle
from autograder.grading.grade import grade_submission
from conftest import notebook_from, options, scores_by_test

SOFTMAX_RETURN = "return exp / np.sum(exp, axis=1, keepdims=True)"
WRONG_SOFTMAX = {SOFTMAX_RETURN: "return exp / np.sum(exp)"}  # normalised over the whole batch
GRADIENTS_RETURN = "return images.T @ dlogits, np.sum(dlogits, axis=0)"
SOFTMAX_AND_GRADIENT_TESTS = [
    "softmax.test_values_against_reference",
    "softmax.test_stable_for_logits_of_1000",
    "gradients.test_against_reference",
    "gradients.test_numerical_gradient_check",
]


def bundle_test_sources(bundle_path) -> str:
    """Every test file in an autograder zip, joined."""
    with zipfile.ZipFile(bundle_path) as zf:
        return "\n".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("tests/"))


def grade(path, bundle_path, sandbox, **kw):
    return grade_submission(path, Bundle.load(bundle_path), options(sandbox, **kw))


def test_patching_numpy_comparisons_gains_nothing(built, fast_bundle, sandbox_mode, tmp_path):
    """Wrong softmax and gradients, with np.allclose and np.testing.assert_allclose patched to always pass."""
    path = notebook_from(
        built.solution_notebook, tmp_path / "patcher.ipynb",
        replace_text={**WRONG_SOFTMAX, GRADIENTS_RETURN: "return images.T @ dlogits * 2, np.sum(dlogits, axis=0) + 1"},
        extra_cells=[
            "import numpy as np\nimport numpy.testing\n"
            "np.allclose = lambda *a, **k: True\n"
            "np.isclose = lambda *a, **k: True\n"
            "np.testing.assert_allclose = lambda *a, **k: None\n"
            "numpy.testing.assert_array_almost_equal = lambda *a, **k: None\n"
        ],
    )
    result = grade(path, fast_bundle, sandbox_mode)
    scores = scores_by_test(result)
    for name in SOFTMAX_AND_GRADIENT_TESTS + ["softmax.test_rows_are_distributions"]:
        assert scores[name] == 0, f"{name} should fail for a wrong answer despite the patched numpy"
    assert scores["forward.test_zero_weights_give_uniform_probabilities"] == 0  # forward uses the wrong softmax
    assert scores["cross_entropy.test_values_against_reference"] > 0  # untouched functions still count


def test_objects_whose_eq_is_always_true_score_zero(built, fast_bundle, sandbox_mode, tmp_path):
    cheat = (
        "class Anything:\n"
        "    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n"
        "    def __lt__(self, other): return True\n"
        "    def __le__(self, other): return True\n"
        "    def __ge__(self, other): return True\n"
        "    def __gt__(self, other): return True\n"
        "    def __bool__(self): return True\n"
        "    def __float__(self): return 0.0\n"
        "    def __len__(self): return 2\n"
        "    def __getitem__(self, i): return Anything()\n"
        "    def __iter__(self): return iter([Anything(), Anything()])\n"
        "    def __getattr__(self, name): return Anything()\n"
        "    def __call__(self, *a, **k): return Anything()\n"
        "    @property\n"
        "    def shape(self): return (784, 10)\n"
        "    def __array__(self, *a, **k):\n"
        "        import numpy\n"
        "        return numpy.zeros((784, 10))\n"
        "for _name in ['softmax', 'forward', 'cross_entropy', 'gradients', 'accuracy', 'train']:\n"
        "    globals()[_name] = lambda *a, **k: Anything()\n"
    )
    path = notebook_from(built.student_notebook, tmp_path / "eq.ipynb", extra_cells=[cheat])
    result = grade(path, fast_bundle, sandbox_mode)
    assert result.score == 0, {t.name: t.output for t in result.tests if t.score}


def test_filesystem_walk_finds_no_grader_files(built, sandbox_mode, tmp_path, mnist_dir):
    """The submission searches every readable file for the hidden tests, the reference solution,
    the bundle and the MNIST test labels, and prints what it finds."""
    marker = "test_mnist_test_accuracy"  # a hidden test's name, present in its source
    walker = (
        "import os\n"
        "found = []\n"
        "for root, dirs, files in os.walk('/'):\n"
        "    dirs[:] = [d for d in dirs if root != '/' or d not in ('proc', 'sys', 'dev')]\n"
        "    for f in files:\n"
        "        p = os.path.join(root, f)\n"
        "        if f in ('autograder.zip', 'dlgrade.json', 't10k-labels-idx1-ubyte.gz', 'solution.py'):\n"
        "            found.append(p)\n"
        "        elif f.endswith('.py'):\n"
        "            try:\n"
        "                if os.path.getsize(p) < 200_000 and '" + marker + "' in open(p, errors='ignore').read():\n"
        "                    found.append(p)\n"
        "            except OSError:\n"
        "                pass\n"
        "print('FOUND:', found)\n"
        "leak = len(found)\n"
    )
    path = notebook_from(built.solution_notebook, tmp_path / "walker.ipynb", extra_cells=[walker])
    result = grade(path, built.autograder_zip, sandbox_mode, data_dir=mnist_dir)  # the walk takes > 5 s
    assert "FOUND: []" in result.stdout, result.stdout[-2000:]
    assert result.score == result.max_score

    # No hidden-test source reaches any output: not the test bodies, not the helper lines.
    hidden_lines = [l.strip() for l in bundle_test_sources(built.autograder_zip).splitlines() if "ref." in l]
    assert hidden_lines
    report = json.dumps(result.to_json())
    assert not [l for l in hidden_lines if l in report]


def test_failure_messages_of_hidden_tests_quote_no_test_source(built, fast_bundle, sandbox_mode, tmp_path):
    path = notebook_from(built.solution_notebook, tmp_path / "wrong.ipynb", replace_text=WRONG_SOFTMAX)
    result = grade(path, fast_bundle, sandbox_mode)
    failed = [t for t in result.tests if t.status == "failed" and t.visibility == "hidden"]
    assert failed
    code_lines = {l.strip() for l in bundle_test_sources(fast_bundle).splitlines() if l.strip() and not l.strip().startswith(("#", '"', "assert", "f\""))}
    for test in failed:
        assert not [l for l in code_lines if len(l) > 15 and l in test.output], test.output


def test_student_code_runs_outside_the_grader_process(built, fast_bundle, sandbox_mode, tmp_path):
    """A cell that records its pid and uid, and tries to reach the network."""
    probe = (
        "import os, socket\n"
        "print('PID', os.getpid(), 'UID', os.getuid())\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "    print('NETWORK: yes')\n"
        "except OSError as e:\n"
        "    print('NETWORK: no')\n"
    )
    path = notebook_from(built.solution_notebook, tmp_path / "probe.ipynb", extra_cells=[probe])
    result = grade(path, fast_bundle, sandbox_mode)
    import os

    assert f"PID {os.getpid()} " not in result.stdout
    uid = int(result.stdout.split("UID ")[1].split()[0])
    assert uid != 0 and uid != os.getuid(), "student code must not run as the grader's user"
    assert "NETWORK: no" in result.stdout, result.stdout


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("while True:\n    pass", "did not finish within"),
        ("import os\nos._exit(3)", "exit code 3"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "signal SIGKILL"),
    ],
    ids=["busy-loop", "os._exit", "sigkill"],
)
def test_hanging_or_dying_notebooks_get_a_clear_message_and_zero(built, fast_bundle, sandbox_mode, tmp_path, cell, expected):
    path = notebook_from(built.solution_notebook, tmp_path / "bad.ipynb", extra_cells=[cell])
    result = grade(path, fast_bundle, sandbox_mode)
    assert result.score == 0
    assert expected in result.error
    assert all(expected in t.output for t in result.tests)
