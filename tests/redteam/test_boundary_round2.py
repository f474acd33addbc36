"""Security round 2 (issue 11): attacks on the boundary between the sandbox and the trusted grader.

One test (or one parametrised family) per class: a submission that stops the batch, a deflate
bomb in an attachment, reply amplification in the protocol, forged in-sandbox probes, code in
notebook metadata run by ``dlgrade check``, and hidden labels read from feedback pictures.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile

import pytest

from autograder.bundle import BundleConfig, write_bundle
from conftest import DOUBLE, REPO, TINY_TEST_FILE, code_notebook

# ----------------------------------------------------------------------------- 1. stop the batch

KILLER_MODULE = 'import types\ndouble = types.ModuleType("torch.utils.model_dump.__main__")\n'
"""A module object whose name is a submodule that calls sys.exit at import."""

GRADER_EXITS_TEST = TINY_TEST_FILE + '''

@test_case(points=1, hidden=True)
def test_grader_bug(double):
    # Stands for a grader bug one submission's answer triggers: the trusted test itself raises
    # a BaseException that is not an Exception.
    if double(0) == "exit":
        raise SystemExit(2)
    if double(0) == "generator-exit":
        raise GeneratorExit()
'''


def dlgrade_grade(bundle, subs, out, workers: int, sandbox: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", str(bundle), str(subs), "-o", str(out),
         "--workers", str(workers), "--sandbox", sandbox, "--timeout", "60"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )


def grades(out) -> dict[str, float]:
    return {row["submission"]: float(row["score"]) for row in csv.DictReader((out / "grades.csv").open())}


def state(out, name: str) -> str:
    return json.loads((out / name / "result.json").read_text())["extra_data"]["state"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_module_named_by_the_student_is_never_imported_by_the_grader(tmp_path, sandbox_mode, workers):
    bundle = tmp_path / "tiny.zip"
    write_bundle(bundle, BundleConfig(id="tiny", seed=1), {"double.py": TINY_TEST_FILE})
    subs = tmp_path / "subs"
    subs.mkdir()
    code_notebook(subs / "honest1.ipynb", DOUBLE)
    code_notebook(subs / "killer.ipynb", KILLER_MODULE)
    code_notebook(subs / "numpy_killer.ipynb", 'import types\ndouble = types.ModuleType("numpy.f2py.__main__")\n')
    code_notebook(subs / "honest2.ipynb", DOUBLE)
    out = tmp_path / "out"

    run = dlgrade_grade(bundle, subs, out, workers, sandbox_mode)

    assert run.returncode == 0, run.stdout + run.stderr  # the grader graded everything
    assert grades(out) == {"honest1": 3.0, "honest2": 3.0, "killer": 0.0, "numpy_killer": 0.0}
    assert state(out, "killer") == "graded"
    assert all((out / f).is_file() for f in ("grades.csv", "final_grades.csv", "summary.html", "assignment.json"))


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("answer", ["exit", "generator-exit"])
def test_a_base_exception_in_the_grader_costs_one_submission_and_sets_the_exit_status(tmp_path, sandbox_mode, workers, answer):
    bundle = tmp_path / "tiny.zip"
    write_bundle(bundle, BundleConfig(id="tiny", seed=1), {"double.py": GRADER_EXITS_TEST})
    subs = tmp_path / "subs"
    subs.mkdir()
    code_notebook(subs / "honest1.ipynb", DOUBLE)
    code_notebook(subs / "trigger.ipynb", f"def double(x):\n    return {answer!r} if isinstance(x, int) and x == 0 else 2 * x\n")
    code_notebook(subs / "honest2.ipynb", DOUBLE)
    out = tmp_path / "out"

    run = dlgrade_grade(bundle, subs, out, workers, sandbox_mode)

    assert run.returncode == 3, run.stdout + run.stderr
    assert "trigger" in run.stderr and "honest" not in run.stderr
    scores = grades(out)
    assert scores["honest1"] == scores["honest2"] == 4.0
    assert state(out, "trigger") == "grader_error" and state(out, "honest1") == "graded"
    trigger = json.loads((out / "trigger" / "result.json").read_text())
    graded = {t["name"]: t["score"] for t in trigger["tests"]}
    assert graded["double.test_hidden"] == 2.0  # its other tests were graded
    assert (out / "final_grades.csv").is_file() and (out / "summary.html").is_file()


# ----------------------------------------------------------------------------- 3. reply amplification

MEASURE_DECODE = """
import json, resource, sys, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))  # main's decode needs 1.4 GiB here
from autograder import protocol
header = sys.stdin.buffer.read()
payload = len(header).to_bytes(4, "big") + header
tracemalloc.start()
try:
    protocol.decode(payload)
    outcome = "decoded"
except protocol.ProtocolError as exc:
    outcome = str(exc)
print(json.dumps({"peak": tracemalloc.get_traced_memory()[1], "bytes": len(payload), "outcome": outcome}))
"""


def decode_peak(header: bytes) -> dict:
    """Peak bytes Python allocated while decoding one reply, measured in a fresh process."""
    run = subprocess.run([sys.executable, "-c", MEASURE_DECODE], input=header, cwd=REPO, capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    return json.loads(run.stdout)


@pytest.mark.parametrize(
    "header",
    [
        b"[" + b"[]," * (64 * 2**20 // 3) + b"[]]",  # the 64 MiB reply: 1.4 GiB on main
        b"[" + b"[]," * (15 * 2**20 // 3) + b"[]]",  # under the header-size limit
        b"[" + b"[]," * 299_999 + b"[]]",  # just under the value count: the most lists parsing may build
        b"[" + b'"\\ud83d\\ude00",' * 599_999 + b'"x"]',  # the most (and largest) short strings
        json.dumps({"t": "list", "v": [0.5] * 99_999}).encode(),  # an honest reply at max_items
    ],
    ids=["64MiB-lists", "15MiB-lists", "most-lists", "most-strings", "honest-floats"],
)
def test_a_decoded_reply_costs_at_most_4x_its_bytes_plus_64_mib(header):
    measured = decode_peak(header)
    assert measured["peak"] <= 4 * measured["bytes"] + 64 * 2**20, measured
    if len(header) > 2**20 and header.startswith(b"[[]"):
        assert measured["peak"] < 2**20, measured  # refused before parsing
        assert "exceeds" in measured["outcome"] or "JSON values" in measured["outcome"]


# ----------------------------------------------------------------------------- 2. deflate bomb in a .pt


def deflate_bomb(declared_bytes: int = 2 * 2**30) -> bytes:
    """A genuine ``torch.save`` checkpoint whose tensor record is replaced by ``declared_bytes``
    of deflated zeros (about 2 MB of file for 2 GiB declared)."""
    import torch

    genuine = io.BytesIO()
    torch.save({"weight": torch.zeros(4)}, genuine)
    bomb, zeros = io.BytesIO(), bytes(2**20)
    with zipfile.ZipFile(io.BytesIO(genuine.getvalue())) as src, zipfile.ZipFile(bomb, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith("/data/0"):
                dst.writestr(info, src.read(info))
                continue
            record = zipfile.ZipInfo(info.filename)
            record.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(record, "w", force_zip64=True) as out:
                for _ in range(declared_bytes // len(zeros)):
                    out.write(zeros)
    return bomb.getvalue()


MEASURE_LOAD = """
import json, resource, sys
import torch  # imported before measuring: only the load counts
from autograder.testing import load_state_dict
data = sys.stdin.buffer.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_state_dict({"tinyvgg_mnist.pt": data}, "tinyvgg_mnist.pt")
    outcome = "loaded"
except AssertionError as exc:
    outcome = str(exc)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"grown_kib": grown, "outcome": outcome}))
"""


def load_growth(data: bytes) -> dict:
    """How much the peak RSS of a fresh process grows while ``load_state_dict`` reads ``data``."""
    run = subprocess.run([sys.executable, "-c", MEASURE_LOAD], input=data, cwd=REPO, capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    return json.loads(run.stdout)


def test_a_deflate_bomb_checkpoint_is_refused_before_torch_inflates_it():
    bomb = deflate_bomb()
    assert len(bomb) < 4 * 2**20  # 2 GiB declared in a file that passes the attachment limit
    measured = load_growth(bomb)
    assert measured["grown_kib"] < 64 * 1024, measured  # main: +1.86 GB
    assert "compressed" in measured["outcome"], measured
    with pytest.raises(AssertionError, match="not in torch's zip format"):
        from autograder.testing import load_state_dict

        load_state_dict({"legacy.pt": b"\x80\x02legacy pickle"}, "legacy.pt")


# ----------------------------------------------------------------------------- 7. forged in-sandbox probes

NO_OP_DISPATCH = '''
import torch
import torch.utils._python_dispatch as dispatch


class NoOp:  # records nothing: an in-sandbox operator probe built on it sees no torch.tanh
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


dispatch.TorchDispatchMode = NoOp


def tanh(x):
    return torch.tanh(x)
'''


def test_a_forged_operator_probe_earns_nothing(tmp_path, sandbox_mode):
    from autograder.bundle import Bundle
    from autograder.grading.grade import GradeOptions, grade_submission

    tests = {"tanh.py": (REPO / "assignments" / "torch-classification" / "tests" / "tanh.py").read_text()}
    bundle_path = tmp_path / "tanh.zip"
    write_bundle(bundle_path, BundleConfig(id="tanh", seed=1, preload=["numpy", "torch"]), tests)
    result = grade_submission(code_notebook(tmp_path / "forger.ipynb", NO_OP_DISPATCH), Bundle.load(bundle_path),
                              GradeOptions(sandbox=sandbox_mode, threads=1))
    scores = {t.name: t.score for t in result.tests}
    assert scores["tanh.test_pure_pytorch_with_gradients"] == 0 and scores["tanh.test_not_pytorchs_own_tanh"] == 0, result.tests
    # the values are right: only the source check (2 points) and the public bit-for-bit torch.tanh check (1) fail
    assert result.score == result.max_score - 3


def test_hidden_tests_read_student_source_on_the_trusted_side_without_running_it():
    from autograder.testing import referenced_names, student_source

    cells = ["import torch\nraise SystemExit('never run')", "def tanh(x):\n    return x", "def tanh(x):\n    return helper(x)",
             "helper = torch.nn.functional.tanh", "def broken(:"]
    assert student_source(cells, "tanh") == "def tanh(x):\n    return helper(x)"  # the last definition
    assert {"helper", "torch", "nn", "functional", "tanh"} <= referenced_names(cells, "tanh")
    with pytest.raises(AssertionError, match="should be defined"):
        student_source(cells, "sigmoid")


# ----------------------------------------------------------------------------- 11. dlgrade check and notebook metadata


def test_dlgrade_check_never_runs_tests_stored_in_a_students_notebook(tmp_path, sandbox_mode):
    import nbformat
    from click.testing import CliRunner

    from autograder.cli import main

    marker = tmp_path / "ran-on-the-host"
    public_only = TINY_TEST_FILE.split("@test_case(points=2, hidden=True)")[0]
    evil = f"try:\n    open({str(marker)!r}, 'w').write('pwned')\nexcept OSError:\n    pass\n" + public_only
    path = code_notebook(tmp_path / "student.ipynb", DOUBLE)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["otter"] = {"assignment_name": "tiny", "tests": {"double": evil}}
    nbformat.write(nb, path)
    bundle = tmp_path / "tiny.zip"
    write_bundle(bundle, BundleConfig(id="tiny", seed=1), {"double.py": TINY_TEST_FILE})

    # A student's own check: the stored tests run, in the sandbox with the cells (whose private
    # /tmp takes the marker), never on the host.
    plain = CliRunner().invoke(main, ["check", str(path), "--sandbox", sandbox_mode])
    assert not marker.exists(), "dlgrade check ran code from the notebook's metadata on the host"
    assert plain.exit_code == 0, plain.output
    assert "double.test_public" in plain.output and "1/1 on the public tests" in plain.output

    graded = CliRunner().invoke(main, ["check", str(path), "--autograder", str(bundle), "--sandbox", sandbox_mode])
    assert not marker.exists()
    assert graded.exit_code == 0, graded.output
    assert "double.test_public" in graded.output and "test_hidden" not in graded.output


# ----------------------------------------------------------------------------- 12. pictures and hidden labels


def label_probe_weights(images):
    """(W, b) of a softmax regression that sends, for k = 1..9, one chosen image of ``images``
    alone to class k and every other image to class 0: a confusion matrix of its predictions
    on those images shows each chosen image's true label in column k. Returns W, b and the
    chosen indices."""
    import numpy as np

    X = images.astype(np.float64)
    W, b, chosen = np.zeros((X.shape[1], 10)), np.zeros(10), []
    for k, i in zip(range(1, 10), range(0, len(X), 97)):
        while True:  # an image whose self-similarity beats its similarity to every other image
            scores = X @ X[i]
            others = np.delete(scores, i).max()
            if scores[i] > others:
                break
            i += 1
        W[:, k] = X[i]
        b[k] = -(scores[i] + others) / 2
        chosen.append(i)
    return W * 1e3, b * 1e3, chosen


def test_feedback_pictures_reveal_no_secret_test_label(fast_bundle, mnist_dir, sandbox_mode, tmp_path, monkeypatch):
    import numpy as np

    from autograder import testing
    from autograder.bundle import Bundle
    from autograder.grading.grade import GradeOptions, grade_submission
    from autograder.datasets import load_mnist

    mnist = load_mnist(mnist_dir)
    W, b, chosen = label_probe_weights(mnist.test.images)
    probe = np.argmax(mnist.test.images.astype(np.float64) @ W + b, axis=1)
    assert [int(probe[i]) for i in chosen] == list(range(1, 10)) and np.bincount(probe, minlength=10)[1:].tolist() == [1] * 9

    drawn = []
    monkeypatch.setattr(testing, "_confusion_png", lambda counts, title: drawn.append(counts.copy()) or "")
    source = f"import numpy as np\nW = np.array({W.tolist()!r})\nb = np.array({b.tolist()!r})\ndef train(X, Y):\n    return W, b\n"
    grade_submission(code_notebook(tmp_path / "prober.ipynb", source), Bundle.load(fast_bundle),
                     GradeOptions(sandbox=sandbox_mode, threads=1, data_dir=str(mnist_dir)))

    truth = [int(mnist.test.labels[i]) for i in chosen]
    for counts in drawn:
        columns = [(int(counts[:, k].sum()), int(counts[:, k].argmax())) for k in range(1, 10)]
        assert columns != [(1, label) for label in truth], "a feedback picture shows the chosen test images' labels"
        assert counts.sum() != len(mnist.test.labels), "a feedback picture was drawn from the secret test labels"
    assert mnist.test.labels_secret and not mnist.train.labels_secret  # declared by the dataset
