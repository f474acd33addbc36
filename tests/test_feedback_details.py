"""The smaller points of issue 14, item 8: where printed output came from, tests that were not
graded, what a passing accuracy test reached, notebook order."""

from __future__ import annotations

from autograder.bundle import Bundle, BundleConfig, write_bundle
from autograder.grading.grade import grade_submission
from conftest import code_notebook, options

TRAIN = """
from otter.test_files import test_case

OK_FORMAT = False
name = "train"


@test_case(points=1, hidden=True)
def test_train_twice(train):
    assert train() == 1
    assert train() == 1
"""


def test_prints_from_the_graders_calls_are_shown_under_a_heading_that_says_so(tmp_path):
    zip_path = tmp_path / "train.zip"
    write_bundle(zip_path, BundleConfig(id="train", seed=1), {"train.py": TRAIN})
    notebook = code_notebook(tmp_path / "nb.ipynb", "print('loaded the data')", "def train():\n    print('acc 0.00%')\n    return 1")
    result = grade_submission(notebook, Bundle.load(zip_path), options("none"))
    assert result.tests[0].status == "passed"
    cells, grader = result.stdout.split("── printed while the grader's test train.test_train_twice ran your code ──\n")
    assert cells.strip() == "── printed while your notebook's cells ran ──\nloaded the data"
    assert grader.strip() == "acc 0.00%\nacc 0.00%"


def test_output_of_the_cells_alone_gets_no_heading(tmp_path):
    zip_path = tmp_path / "train.zip"
    write_bundle(zip_path, BundleConfig(id="train", seed=1), {"train.py": TRAIN})
    notebook = code_notebook(tmp_path / "nb.ipynb", "print('loaded the data')", "def train():\n    return 1")
    result = grade_submission(notebook, Bundle.load(zip_path), options("none"))
    assert result.stdout.strip() == "loaded the data"
