"""Files submitted with the notebook (a trained state_dict): intake, the sandbox's copy, the
trusted side's weights-only load, and resume hashes."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
import torch

from autograder.bundle import Bundle, BundleConfig, write_bundle
from autograder.grading.grade import grade_submission, submission_sha256
from autograder.intake import IntakeError, read_attachments
from conftest import code_notebook, options

CHECKPOINT_TEST_FILE = """
from otter.test_files import test_case

OK_FORMAT = False
name = "checkpoint"


@test_case(points=1, hidden=True)
def test_submitted_weights_match_the_model(attachments, model_state):
    import torch
    from autograder.testing import load_state_dict

    state = load_state_dict(attachments, "weights.pt")
    mine = torch.nn.Linear(2, 1)
    mine.load_state_dict(state)
    assert torch.equal(mine.weight, model_state()["weight"]), "the submitted weights are not the ones the notebook loads"
"""

NOTEBOOK_CELL = (
    "import torch\n"
    "model = torch.nn.Linear(2, 1)\n"
    "model.load_state_dict(torch.load('weights.pt', weights_only=True))  # the sandbox holds its own copy\n"
    "def model_state():\n"
    "    return model.state_dict()\n"
)


def saved(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@pytest.fixture
def bundle(tmp_path) -> Bundle:
    path = tmp_path / "ckpt.zip"
    write_bundle(path, BundleConfig(id="ckpt", attachments=["weights.pt"]), {"checkpoint.py": CHECKPOINT_TEST_FILE})
    return Bundle.load(path)


def zipped(dest, members: dict[str, bytes]):
    with zipfile.ZipFile(dest, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def test_a_checkpoint_in_the_zip_reaches_the_sandbox_and_the_trusted_side(bundle, sandbox_mode, tmp_path):
    torch.manual_seed(0)
    weights = saved(torch.nn.Linear(2, 1).state_dict())
    nb = code_notebook(tmp_path / "nb.ipynb", NOTEBOOK_CELL).read_bytes()
    sub = zipped(tmp_path / "alice.zip", {"alice/hw.ipynb": nb, "alice/weights.pt": weights})
    result = grade_submission(sub, bundle, options(sandbox_mode))
    assert result.score == 1, result.tests[0].output + result.stdout


def test_a_missing_or_unsafe_checkpoint_fails_its_test_with_a_reason(bundle, sandbox_mode, tmp_path):
    nb = code_notebook(tmp_path / "nb.ipynb", "def model_state():\n    return {}\n").read_bytes()
    missing = grade_submission(zipped(tmp_path / "missing.zip", {"hw.ipynb": nb}), bundle, options(sandbox_mode))
    assert missing.score == 0 and "weights.pt was not submitted" in missing.tests[0].output

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    evil = saved({"weight": Payload()})
    unsafe = grade_submission(zipped(tmp_path / "evil.zip", {"hw.ipynb": nb, "weights.pt": evil}), bundle, options(sandbox_mode))
    assert unsafe.score == 0 and "cannot be loaded with torch.load(weights_only=True)" in unsafe.tests[0].output
    assert not marker.exists()


def test_attachments_beside_a_notebook_count_only_when_it_is_alone_in_its_folder(tmp_path):
    alone = tmp_path / "alice"
    alone.mkdir()
    (alone / "weights.pt").write_bytes(b"w")
    (alone / "other.bin").write_bytes(b"x")
    assert read_attachments(code_notebook(alone / "hw.ipynb", "x = 1"), ["weights.pt"], 10) == {"weights.pt": b"w"}
    code_notebook(alone / "bob.ipynb", "x = 1")
    assert read_attachments(alone / "hw.ipynb", ["weights.pt"], 10) == {}


def test_attachment_symlinks_sizes_and_duplicates_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("grader's file")
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "weights.pt").symlink_to(secret)
    assert read_attachments(code_notebook(folder / "hw.ipynb", "x = 1"), ["weights.pt"], 100) == {}
    with pytest.raises(IntakeError, match="larger than"):
        read_attachments(zipped(tmp_path / "big.zip", {"hw.ipynb": b"{}", "weights.pt": bytes(11)}), ["weights.pt"], 10)
    with pytest.raises(IntakeError, match="two files named 'weights.pt'"):
        read_attachments(zipped(tmp_path / "dup.zip", {"a/weights.pt": b"1", "b/weights.pt": b"2"}), ["weights.pt"], 10)


def test_the_resume_hash_changes_with_an_attachment(tmp_path):
    nb = code_notebook(tmp_path / "nb.ipynb", "x = 1").read_bytes()
    plain = submission_sha256(nb, {})
    assert submission_sha256(nb, {"weights.pt": b"1"}) not in (plain, submission_sha256(nb, {"weights.pt": b"2"}))


PUBLIC_CHECKPOINT_TEST = CHECKPOINT_TEST_FILE.replace("hidden=True", "hidden=False")

STORED_CHECKPOINT_TEST = """
from otter.test_files import test_case

OK_FORMAT = False
name = "checkpoint"


@test_case(points=1, hidden=False)
def test_weights_file_is_beside_the_notebook():
    import torch

    assert set(torch.load("weights.pt", weights_only=True)) == {"weight", "bias"}, "weights.pt holds no Linear(2, 1)"
"""
"""The public test a notebook stores (Otter's runner runs it in the sandbox, as grader.check does
in Jupyter: no grader fixtures, the submitted files in the working folder)."""


def submitted_zip(tmp_path, with_weights: bool):
    """A .zip as torch-cnn-mnist students submit it: the notebook (its public tests and the
    attachments ``dlgrade build`` records in its metadata) and, when asked, its checkpoint."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(NOTEBOOK_CELL)])
    notebook.metadata["otter"] = {"assignment_name": "ckpt", "tests": {"checkpoint": STORED_CHECKPOINT_TEST}}
    notebook.metadata["dlgrade"] = {"attachments": ["weights.pt"]}
    members = {"ckpt.ipynb": nbformat.writes(notebook).encode()}
    if with_weights:
        members["weights.pt"] = saved(torch.nn.Linear(2, 1).state_dict())
    return zipped(tmp_path / "submission.zip", members)


def test_dlgrade_check_takes_the_submitted_zip_and_warns_about_a_missing_attachment(tmp_path):
    from click.testing import CliRunner

    from autograder.cli import main

    def check(path, *how):
        return CliRunner().invoke(main, ["check", str(path), *how, "--sandbox", "none"])

    complete = check(submitted_zip(tmp_path, True))
    assert complete.exit_code == 0, complete.output
    assert "checkpoint.test_weights_file_is_beside_the_notebook  passed" in complete.output and "missing" not in complete.output

    course = tmp_path / "course.zip"  # a grader checking it with the course's autograder's public tests
    write_bundle(course, BundleConfig(id="ckpt", attachments=["weights.pt"]), {"checkpoint.py": PUBLIC_CHECKPOINT_TEST})
    graded = check(tmp_path / "submission.zip", "--autograder", str(course))
    assert graded.exit_code == 0, graded.output
    assert "checkpoint.test_submitted_weights_match_the_model  passed" in graded.output

    (tmp_path / "submission.zip").unlink()
    partial = check(submitted_zip(tmp_path, False))
    assert partial.exit_code == 1
    assert "warning: weights.pt is missing: submit it in the same .zip as the notebook" in partial.output
    graded = check(tmp_path / "submission.zip", "--autograder", str(course))
    assert graded.exit_code == 1 and "warning: weights.pt is missing" in graded.output
