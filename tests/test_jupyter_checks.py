"""The generated notebook's grader.check cells in a real Jupyter kernel (nbclient)."""

from __future__ import annotations

import os
import shutil

import nbformat
import pytest
from nbclient import NotebookClient


def run_checks(notebook_path, folder, data_dir):
    """Execute the notebook in a fresh kernel; return {question: text of its grader.check output}."""
    target = folder / notebook_path.name  # otter reads the public tests from this file
    shutil.copyfile(notebook_path, target)
    nb = nbformat.read(target, as_version=4)
    for cell in nb.cells:  # leave out the long training run; everything else runs as a student would
        if cell.cell_type == "code" and "W, b = train(train_images, train_labels)" in cell.source:
            cell.source = "pass"
    env_before = os.environ.get("DLGRADE_DATA_DIR")
    os.environ["DLGRADE_DATA_DIR"] = str(data_dir)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("DLGRADE_DATA_DIR")
        else:
            os.environ["DLGRADE_DATA_DIR"] = env_before
    checks = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check("):
            question = cell.source.split('"')[1]
            checks[question] = "\n".join(
                str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) + str(o.get("evalue", "")) for o in cell.outputs
            )
    return checks


@pytest.mark.parametrize("which", ["solution", "student"])
def test_grader_check_cells_work_in_jupyter(built, mnist_dir, tmp_path, which):
    notebook = built.solution_notebook if which == "solution" else built.student_notebook
    checks = run_checks(notebook, tmp_path, mnist_dir)
    assert set(checks) == {"softmax", "forward", "cross_entropy", "gradients", "accuracy", "train"}
    for question, text in checks.items():
        if which == "solution":
            assert "passed" in text and "failed" not in text.lower(), (question, text)
        else:
            assert "failed" in text.lower(), (question, text)
