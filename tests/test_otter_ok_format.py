"""OK-format (doctest) Otter test files (issue 15, cause 7) graded in the secure mode: the
doctests run on the trusted side through Otter's own ``run_doctest``, reading the notebook's
names across the protocol. The test files follow the layout `otter assign` writes for OK format
(Otter docs, "Test File Formats": ``OK_FORMAT = True`` and a ``test`` dict with one doctest
suite)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from autograder.bundle import Bundle, BundleError
from autograder.grading.grade import grade_submission
from conftest import code_notebook, options


def ok_test(name: str, cases: list[dict], points: float | None = None, all_or_nothing: bool = False) -> str:
    spec = {"name": name, "points": points, "all_or_nothing": all_or_nothing,
            "suites": [{"cases": cases, "scored": True, "setup": "", "teardown": "", "type": "doctest"}]}
    return f"OK_FORMAT = True\n\ntest = {spec!r}\n"


def ok_zip(folder: Path, tests: dict[str, str]) -> Path:
    path = folder / "autograder.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("otter_config.json", "{}")
        for name, source in tests.items():
            zf.writestr(f"tests/{name}", source)
    return path


CASES = [
    # names the case assigns stay on the trusted side; comprehensions read the notebook's names
    {"code": ">>> y = double(5)\n>>> y\n10\n>>> [double(i) for i in values]\n[2, 4, 6]\n>>> all(double(v) > v for v in values)\nTrue",
     "hidden": False, "locked": False},
    {"code": ">>> import numpy as np\n>>> np.allclose(arr * 2, [2.0, 4.0])\nTrue\n>>> len(words)\n2", "hidden": False, "locked": False},
    {"code": ">>> double(-1) == -2 and SECRET_EXPECTED\nTrue", "hidden": True, "locked": False,
     "failure_message": None},
]

NOTEBOOK = ("import numpy as np\narr = np.array([1.0, 2.0]); words = {'a', 'b'}; values = [1, 2, 3]\n"
            "SECRET_EXPECTED = True\ndef double(x):\n    return 2 * x")


def grade(tmp_path: Path, sandbox: str, zip_path: Path, *cells: str):
    nb = code_notebook(tmp_path / "hw.ipynb", *cells)
    return grade_submission(nb, Bundle.load(zip_path), options(sandbox))


def test_ok_format_cases_pass_against_a_correct_notebook(sandbox_mode, tmp_path):
    z = ok_zip(tmp_path, {"q1.py": ok_test("q1", CASES, points=3)})
    result = grade(tmp_path, sandbox_mode, z, NOTEBOOK)
    assert [(t.name, t.score, t.status, t.output) for t in result.tests] == [
        ("q1.case_1", 1.0, "passed", "✅ Test case passed"),
        ("q1.case_2", 1.0, "passed", "✅ Test case passed"),
        ("q1.case_3", 1.0, "passed", "✅ Test case passed"),
    ]


def test_failed_ok_cases_report_otters_message_for_public_cases_and_never_hidden_source(sandbox_mode, tmp_path):
    z = ok_zip(tmp_path, {"q1.py": ok_test("q1", CASES, points=3)})
    result = grade(tmp_path, sandbox_mode, z, NOTEBOOK.replace("2 * x", "x + 1"))
    public, _, hidden = result.tests
    assert (public.score, public.status) == (0.0, "failed")
    assert public.output.startswith("❌ Test case failed\n")
    assert "Expected:\n    10\nGot:\n    6" in public.output  # doctest's own report, as Otter shows it
    assert (hidden.score, hidden.status) == (0.0, "failed")
    assert "SECRET_EXPECTED" not in hidden.output and "double(-1)" not in hidden.output


def test_ok_format_all_or_nothing_and_point_split_follow_otter(sandbox_mode, tmp_path):
    z = ok_zip(tmp_path, {"q1.py": ok_test("q1", CASES, points=6, all_or_nothing=True)})
    result = grade(tmp_path, sandbox_mode, z, NOTEBOOK.replace("SECRET_EXPECTED = True", "SECRET_EXPECTED = False"))
    assert [t.max_score for t in result.tests] == [2.0, 2.0, 2.0]
    assert [t.score for t in result.tests] == [0.0, 0.0, 0.0]
    assert [t.status for t in result.tests] == ["passed", "passed", "failed"]


def test_a_test_file_otter_could_not_read_is_refused_with_a_clear_message(tmp_path):
    z = ok_zip(tmp_path, {"q1.py": "OK_FORMAT = True\n\ntest = {'name': 'q1', 'points': 1, 'suites': []}\n"})
    with pytest.raises(BundleError, match="q1.py: unreadable Otter test file"):
        Bundle.load(z)
    z = ok_zip(tmp_path, {"q1.py": "x = 1\n"})
    with pytest.raises(BundleError, match="does not define OK_FORMAT"):
        Bundle.load(z)
