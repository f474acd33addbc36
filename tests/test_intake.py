"""Intake: what the grader accepts and which cells it runs, decided by content only."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder.cell_source import grading_source
from autograder.intake import IntakeError, read_submission


def write_nb(path, cells, **meta):
    nb = nbformat.v4.new_notebook(cells=cells, metadata=meta)
    nbformat.write(nb, path)
    return path


def test_skip_marker_and_student_only_statements_are_not_run(tmp_path):
    path = write_nb(tmp_path / "a.ipynb", [
        nbformat.v4.new_code_cell("# Initialize Otter\nimport otter\ngrader = otter.Notebook('a.ipynb')"),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("import numpy as np\ndef f(x):\n    return x + 1"),
        nbformat.v4.new_code_cell('grader.check("q1")'),
        nbformat.v4.new_code_cell("# dlgrade: skip\nW = train_for_an_hour()"),
        nbformat.v4.new_code_cell("%matplotlib inline\n!pip install nothing\ny = f(1)"),
    ])
    cells = read_submission(path)
    assert [c.index for c in cells] == [0, 2, 3, 5]
    joined = "".join(c.source for c in cells)
    assert "otter" not in joined and "grader" not in joined and "train_for_an_hour" not in joined
    assert "def f(x)" in joined and "y = f(1)" in joined and "pip" not in joined


def test_the_python_under_timing_and_capturing_magics_runs_and_line_numbers_stay(tmp_path):
    """A ``%%time`` cell used to become one dropped ``get_ipython()`` statement: the answer vanished."""
    path = write_nb(tmp_path / "a.ipynb", [
        nbformat.v4.new_code_cell("%%time\ndef train(x):\n    return x + 1"),
        nbformat.v4.new_code_cell("%%capture out\nimport math"),
        nbformat.v4.new_code_cell("y = %time train(1)\n%timeit -n 2 -r1 train(2)\nfor i in range(2):\n    %time z = train(i)"),
    ])
    cells = read_submission(path)
    namespace: dict = {}
    for cell in cells:
        assert cell.not_run == ()
        exec(compile(cell.source, "<cell>", "exec"), namespace)
    assert namespace["train"](1) == 2 and namespace["y"] == 2 and namespace["z"] == 2 and "math" in namespace
    assert cells[0].source.splitlines()[1] == "def train(x):"  # line 2 of the cell stays line 2


def test_code_the_grader_does_not_run_is_reported_with_its_line_and_why(tmp_path):
    path = write_nb(tmp_path / "a.ipynb", [
        nbformat.v4.new_code_cell("x = 1\n!pip install torch\n%matplotlib inline\ndef f():\n    %cd /tmp\n    return x"),
        nbformat.v4.new_code_cell("%%bash\necho hi"),
        nbformat.v4.new_code_cell("# dlgrade: skip\nW = train_for_an_hour()"),
        nbformat.v4.new_code_cell("import otter\ngrader = otter.Notebook()\ngrader.check('q1')"),
    ])
    cells = read_submission(path)
    reported = {(c.index, n.line, n.code): n.reason for c in cells for n in c.not_run}
    assert set(reported) == {(0, 2, "!pip install torch"), (0, 3, "%matplotlib inline"), (0, 5, "%cd /tmp"), (1, 1, "%%bash")}
    assert "shell" in reported[0, 2, "!pip install torch"] and "%%bash" in reported[1, 1, "%%bash"]
    namespace: dict = {}
    exec(compile(cells[0].source, "<cell>", "exec"), namespace)
    assert namespace["f"]() == 1


def test_cells_are_chosen_without_metadata(tmp_path):
    """Deleting or forging cell metadata changes nothing."""
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata = {"tags": ["otter_ignore", "skip"], "deletable": False}
    cells = read_submission(write_nb(tmp_path / "a.ipynb", [cell]))
    assert [c.source.strip() for c in cells] == ["x = 1"]


def test_syntax_errors_are_kept_for_the_student_to_see():
    assert grading_source("def broken(:\n    pass") == ("def broken(:\n    pass", ())


def test_a_grader_reference_inside_a_function_body_is_kept():
    assert "return grader" in grading_source("def f():\n    return grader\n")[0]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}).encode(), "nbformat = 3"),
        (json.dumps([1, 2]).encode(), "not an nbformat 4 notebook"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}).encode(), "does not follow nbformat 4"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}).encode(), "no code"),
    ],
    ids=["invalid-json", "not-utf8", "nbformat-3", "not-a-dict", "invalid-cell", "no-cells"],
)
def test_bad_notebooks_get_a_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(IntakeError, match=message):
        read_submission(path)


def test_oversized_notebooks_are_refused_before_parsing(tmp_path, monkeypatch):
    import autograder.intake as intake

    monkeypatch.setattr(intake, "MAX_NOTEBOOK_BYTES", 1000)
    path = write_nb(tmp_path / "big.ipynb", [nbformat.v4.new_code_cell("x = '" + "a" * 2000 + "'")])
    with pytest.raises(IntakeError, match="limit"):
        read_submission(path)
