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


MEASURED = """
from otter.test_files import test_case

OK_FORMAT = False
name = "fit"


@test_case(points=1, hidden=True)
def test_accuracy(fit):
    from autograder.testing import report

    accuracy = fit()
    report(f"Your model reached {accuracy:.1f}% (pass mark 90%).")
    assert accuracy > 90, f"your model reached {accuracy:.1f}%; the pass mark is 90%"
"""


def test_a_passing_accuracy_test_shows_the_accuracy_reached(tmp_path):
    from autograder.reports import render_feedback_html, render_feedback_md

    zip_path = tmp_path / "fit.zip"
    write_bundle(zip_path, BundleConfig(id="fit", seed=1), {"fit.py": MEASURED})
    result = grade_submission(code_notebook(tmp_path / "nb.ipynb", "def fit():\n    return 93.25"), Bundle.load(zip_path), options("none"))
    assert result.tests[0].status == "passed"
    assert result.tests[0].output == "Passed. Your model reached 93.2% (pass mark 90%)."
    assert "## What the passing tests measured\n\n- `fit.test_accuracy`: Passed. Your model reached 93.2% (pass mark 90%)." in render_feedback_md(result, "fit")
    assert "Your model reached 93.2%" in render_feedback_html(result, "fit")


def test_a_test_that_could_not_run_is_not_graded_not_failed(tmp_path):
    from autograder.check import report_lines
    from autograder.reports import feedback_context

    zip_path = tmp_path / "train.zip"
    write_bundle(zip_path, BundleConfig(id="train", seed=1), {"train.py": TRAIN})
    notebook = code_notebook(tmp_path / "nb.ipynb", "import os\ndef train():\n    os._exit(3)")
    result = grade_submission(notebook, Bundle.load(zip_path), options("none"))
    assert not result.tests[0].graded
    row = feedback_context(result, "train")["tests"][0]
    assert (row["status"], row["css"]) == ("not graded", "not-graded")
    assert any("train.test_train_twice  not graded" in line.text for line in report_lines(notebook, result))
