"""Otter's grading semantics on plain `otter assign` zips (issue 15), each on a minimal zip:
all_or_nothing, seeds from otter_config.json, support files, tests at the grader.check cell,
a failed 0-point test, nbformat 4.4 notebooks with cell ids, no fontconfig noise.

The zips follow the layout `otter assign` writes (Otter docs, "Otter Assign" and
"Autograder configuration": tests/<q>.py, files/..., otter_config.json)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.bundle import Bundle
from autograder.grading.grade import grade_submission
from conftest import code_notebook, options

CHECK_Q1 = "import otter\ngrader = otter.Notebook('hw.ipynb')\n"


def otter_zip(folder: Path, tests: dict[str, str], config: dict | None = None, files: dict[str, bytes] | None = None) -> Path:
    """An autograder zip in `otter assign`'s layout (no dlgrade.json)."""
    path = folder / "autograder.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("otter_config.json", json.dumps(config or {}))
        for name, source in tests.items():
            zf.writestr(f"tests/{name}", source)
        for name, data in (files or {}).items():
            zf.writestr(f"files/{name}", data)
    return path


def exception_test(name: str, body: str, points: float = 1, hidden: bool = False, all_or_nothing: bool = False) -> str:
    header = f"from otter.test_files import test_case\n\nOK_FORMAT = False\nname = {name!r}\npoints = None\n"
    if all_or_nothing:
        header += "all_or_nothing = True\n"
    return header + body


def grade(tmp_path: Path, sandbox: str, zip_path: Path, *cells: str):
    nb = code_notebook(tmp_path / "hw.ipynb", *cells)
    result = grade_submission(nb, Bundle.load(zip_path), options(sandbox))
    return {t.name: t for t in result.tests}, result


TWO_CASES = """
@test_case(points=1)
def test_a(x):
    assert x > 0

@test_case(points=1)
def test_b(x):
    assert x > 10
"""


def test_all_or_nothing_zeroes_every_case_of_a_question_when_one_fails(sandbox_mode, tmp_path):
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", TWO_CASES, all_or_nothing=True)})
    tests, _ = grade(tmp_path, sandbox_mode, z, "x = 5")
    assert [t.score for t in tests.values()] == [0.0, 0.0]
    assert tests["q1.test_a"].passed and not tests["q1.test_b"].passed
    tests, _ = grade(tmp_path, sandbox_mode, z, "x = 50")
    assert [t.score for t in tests.values()] == [1.0, 1.0]


def test_a_failed_test_worth_no_points_is_reported_as_failed(sandbox_mode, tmp_path):
    body = "\n@test_case(points=0)\ndef test_zero(x):\n    assert x == 1, 'x should be 1'\n"
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", body)})
    tests, _ = grade(tmp_path, sandbox_mode, z, "x = 2")
    (test,) = tests.values()
    assert test.to_json()["status"] == "failed"
    assert "x should be 1" in test.output


SEEDED = """
@test_case(points=1)
def test_seeded(draw):
    import numpy as np
    np.random.seed(7)
    assert draw == np.random.randint(0, 10**9)
"""


def test_otter_config_seed_reseeds_numpy_before_every_cell(sandbox_mode, tmp_path):
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", SEEDED)}, config={"seed": 7})
    tests, _ = grade(tmp_path, sandbox_mode, z, "import numpy as np\nnp.random.seed(123)", "draw = np.random.randint(0, 10**9)")
    assert tests["q1.test_seeded"].score == 1.0


def test_otter_config_seed_variable_is_set_before_every_cell(sandbox_mode, tmp_path):
    body = "\n@test_case(points=1)\ndef test_seed(got):\n    assert got == 42\n"
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", body)}, config={"seed": 42, "seed_variable": "rng_seed"})
    tests, _ = grade(tmp_path, sandbox_mode, z, "rng_seed = 0", "got = rng_seed")
    assert tests["q1.test_seed"].score == 1.0


def test_support_files_in_the_zip_are_in_the_notebooks_working_folder(sandbox_mode, tmp_path):
    body = "\n@test_case(points=1)\ndef test_rows(rows):\n    assert rows == 3\n"
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", body)}, files={"data.csv": b"a\n1\n2\n3\n", "sub/extra.txt": b"x"})
    tests, result = grade(tmp_path, sandbox_mode, z, "import os\nrows = len(open('data.csv').read().split()) - 1\nassert os.path.exists('sub/extra.txt')")
    assert tests["q1.test_rows"].score == 1.0, (result.cell_errors, tests)
    assert not result.cell_errors


def test_tests_run_at_the_questions_check_cell(sandbox_mode, tmp_path):
    body = "\n@test_case(points=1)\ndef test_two(x):\n    assert x == 2\n"
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", body), "q2.py": exception_test("q2", body.replace("two", "three").replace("== 2", "== 3"))})
    tests, _ = grade(tmp_path, sandbox_mode, z, CHECK_Q1, "x = 2; grader.check('q1'); x = 3")
    assert tests["q1.test_two"].score == 1.0  # checked where x was 2
    assert tests["q2.test_three"].score == 1.0  # never checked: runs after the notebook


def test_the_last_check_of_a_question_counts(sandbox_mode, tmp_path):
    body = "\n@test_case(points=1)\ndef test_two(x):\n    assert x == 2\n"
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", body)})
    tests, _ = grade(tmp_path, sandbox_mode, z, CHECK_Q1, "x = 2\ngrader.check('q1')", "x = 3\ngrader.check('q1')\nx = 2")
    assert tests["q1.test_two"].score == 0.0


def test_an_nbformat_4_4_notebook_whose_cells_carry_ids_is_accepted(sandbox_mode, tmp_path):
    body = "\n@test_case(points=1)\ndef test_two(x):\n    assert x == 2\n"
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", body)})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 2")])
    raw = json.loads(nbformat.writes(nb))
    raw["nbformat_minor"] = 4
    raw["cells"][0]["id"] = "abc-1"
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(raw))
    result = grade_submission(path, Bundle.load(z), options(sandbox_mode))
    assert result.error is None, result.error
    assert result.score == 1.0


def test_sandboxed_matplotlib_writes_no_fontconfig_error(sandbox_mode, tmp_path):
    pytest.importorskip("matplotlib")
    body = "\n@test_case(points=1)\ndef test_two(x):\n    assert x == 2\n"
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", body)})
    _, result = grade(tmp_path, sandbox_mode, z, "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.title('t'); plt.savefig('a.png')\nx = 2")
    assert result.score == 1.0
    assert "Fontconfig" not in result.stdout, result.stdout


VALUES = """
@test_case(points=1)
def test_values(s, fs, r, z, words, days):
    import numpy as np
    assert s == {1, 2, "a"} and fs == frozenset({3})
    assert r == range(0, 10, 2) and len(r) == 5
    assert z == complex(1, -2)
    assert list(words) == ["ab", "c"] and words.dtype.kind == "U"
    assert days[0] == np.datetime64("2024-01-01")

@test_case(points=1)
def test_env_is_a_mapping(env):
    assert {"s", "words", "double"} <= set(env.keys())
    assert "s" in env and len(env) >= 7
    assert dict(env.items())["z"] == complex(1, -2)
    assert env["double"](3) == 6
"""


def test_sets_ranges_complex_and_text_arrays_reach_tests_as_values_and_env_is_a_mapping(sandbox_mode, tmp_path):
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", VALUES)})
    tests, result = grade(
        tmp_path, sandbox_mode, z,
        "import numpy as np\ns = {1, 2, 'a'}; fs = frozenset({3}); r = range(0, 10, 2); z = complex(1, -2)\n"
        "words = np.array(['ab', 'c']); days = np.array(['2024-01-01'], dtype='datetime64[D]')\n"
        "def double(x):\n    return 2 * x",
    )
    assert {n: t.output for n, t in tests.items()} == {"q1.test_values": "Passed.", "q1.test_env_is_a_mapping": "Passed."}


def test_new_protocol_values_round_trip_and_malformed_ones_are_refused():
    import numpy as np

    from autograder import protocol

    for value in [..., {1, "a", (2, 3)}, frozenset({1.5}), range(3, -7, -2), complex(2, float("inf")), np.array(["x", "yz"]),
                  np.array([1, 2], dtype="timedelta64[s]")]:
        back = protocol.decode(protocol.encode(value))
        assert type(back) is type(value)
        assert (back == value).all() if isinstance(value, np.ndarray) else back == value
    for node in [{"t": "set", "v": [{"t": "list", "v": []}]}, {"t": "range", "v": [0, 1, 0]}, {"t": "complex", "v": ["a", 1.0]}]:
        header = json.dumps(node).encode()
        with pytest.raises(protocol.ProtocolError):
            protocol.decode(len(header).to_bytes(4, "big") + header)


LIVE_OBJECT = """
@test_case(points=1)
def test_box(box):
    assert type(box).__name__ == "Box" and box.items == [1]

@test_case(points=1, hidden=True)
def test_secret(box):
    assert box.items == ["secret expected value"]
"""


def test_tests_in_sandbox_run_otters_runner_on_live_objects_and_are_marked_forgeable(sandbox_mode, tmp_path):
    from autograder.reports import render_feedback_md

    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", LIVE_OBJECT)})
    nb = code_notebook(tmp_path / "hw.ipynb", "class Box:\n    def __init__(self):\n        self.items = [1]\nbox = Box()")
    secure = grade_submission(nb, Bundle.load(z), options(sandbox_mode))
    assert secure.tests[0].score == 0.0 and not secure.forgeable  # a Remote on the trusted side
    inside = grade_submission(nb, Bundle.load(z), options(sandbox_mode, tests_in_sandbox=True))
    assert [(t.name, t.score, t.status) for t in inside.tests] == [("q1.test_box", 1.0, "passed"), ("q1.test_secret", 0.0, "failed")]
    assert "secret expected value" not in inside.tests[1].output
    assert inside.forgeable and "results forgeable" in render_feedback_md(inside, "hw")


RAISES = """
@test_case(points=1)
def test_rejects_negative(isqrt):
    try:
        isqrt(-4)
    except ValueError as exc:
        assert "negative" in str(exc), str(exc)
    else:
        assert False, "isqrt(-4) should raise ValueError"
"""

OK_RAISES = {"name": "q2", "points": 2, "suites": [{"type": "doctest", "scored": True, "setup": "", "teardown": "", "cases": [
    {"code": ">>> isqrt(-4)\nTraceback (most recent call last):\n    ...\nValueError: negative input", "hidden": False, "locked": False},
    {"code": ">>> isqrt(9)\n3", "hidden": False, "locked": False},
]}]}

ISQRT = "def isqrt(n):\n    if n < 0:\n        raise {error}('negative input')\n    return int(n ** 0.5)"


@pytest.mark.parametrize("error, scores", [("ValueError", [1.0, 1.0, 1.0]), ("TypeError", [0.0, 0.0, 1.0])])
def test_an_exception_the_students_code_raises_matches_a_tests_except_clause_and_a_doctests_traceback(
    sandbox_mode, tmp_path, error, scores
):
    """Otter's tests share the notebook's process, so `except ValueError` and a doctest expecting
    `ValueError: negative input` see the student's own exception; the secure mode gives the same
    scores as Otter's runner in the sandbox (before, the student's ValueError reached tests as a
    CallError: both tests failed on a correct notebook)."""
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", RAISES), "q2.py": f"OK_FORMAT = True\n\ntest = {OK_RAISES!r}\n"})
    nb = code_notebook(tmp_path / "hw.ipynb", ISQRT.format(error=error))
    secure = grade_submission(nb, Bundle.load(z), options(sandbox_mode))
    inside = grade_submission(nb, Bundle.load(z), options(sandbox_mode, tests_in_sandbox=True))
    assert [t.score for t in secure.tests] == [t.score for t in inside.tests] == scores
    if error == "TypeError":
        assert "TypeError: negative input" in secure.tests[1].output  # doctest's own report: got vs expected


MODULE_USE = """
@test_case(points=1)
def test_letters(string):
    assert string.ascii_lowercase[:3] == "abc"
"""

OK_MODULE_USE = {"name": "q2", "points": 1, "suites": [{"type": "doctest", "scored": True, "setup": "", "teardown": "", "cases": [
    {"code": ">>> string.digits[:3]\n'012'", "hidden": False, "locked": False},
]}]}


def test_a_test_using_a_module_the_secure_mode_cannot_hand_over_is_not_graded_and_says_why(sandbox_mode, tmp_path):
    """A module the notebook imported that is not on the grader's list (here the standard
    library's `string`; in Otter's full example a submitted `units.py`) is never imported on the
    trusted side; a test that uses it is not graded, naming the module and --tests-in-sandbox
    (before: it read None and failed with "'NoneType' object has no attribute 'ascii_lowercase'")."""
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", MODULE_USE), "q2.py": f"OK_FORMAT = True\n\ntest = {OK_MODULE_USE!r}\n"})
    nb = code_notebook(tmp_path / "hw.ipynb", "import string")
    secure = grade_submission(nb, Bundle.load(z), options(sandbox_mode))
    for test in secure.tests:
        assert not test.graded and test.score == 0.0, test.output
        assert "`string` is the module `string` your notebook imported" in test.output and "--tests-in-sandbox" in test.output
    inside = grade_submission(nb, Bundle.load(z), options(sandbox_mode, tests_in_sandbox=True))
    assert [t.score for t in inside.tests] == [1.0, 1.0]


def test_a_failed_hidden_case_without_a_message_reads_the_same_in_every_runner_and_mode(sandbox_mode, tmp_path):
    from autograder.grading.results import HIDDEN_FAILURE

    hidden_doctest = {"name": "q2", "points": 1, "suites": [{"type": "doctest", "scored": True, "setup": "", "teardown": "", "cases": [
        {"code": ">>> x\n3", "hidden": True, "locked": False}]}]}
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", "\n@test_case(points=1, hidden=True)\ndef test_x(x):\n    assert x == 3\n"),
                             "q2.py": f"OK_FORMAT = True\n\ntest = {hidden_doctest!r}\n"})
    nb = code_notebook(tmp_path / "hw.ipynb", "x = 2")
    for tests_in_sandbox in (False, True):
        result = grade_submission(nb, Bundle.load(z), options(sandbox_mode, tests_in_sandbox=tests_in_sandbox))
        assert [t.output for t in result.tests] == [HIDDEN_FAILURE, HIDDEN_FAILURE], (tests_in_sandbox, result.tests)


FRAMES = """
@test_case(points=1)
def test_frame(df, s, pd):
    assert "a" in df.columns and list(df["a"]) == [1, 2, 3]
    assert df.loc["y", "b"] == "q" and df.index.name == "key"
    assert str(df["c"].dtype) == "category" and df["d"].dt.year.tolist() == [2024] * 3
    pd.testing.assert_series_equal(s, pd.Series([0.5, 1.5], name="half"))

@test_case(points=1)
def test_derived(total):
    assert total.name is None and total.sum() == 6
"""


def test_pandas_dataframes_and_series_reach_tests_as_values(sandbox_mode, tmp_path):
    pytest.importorskip("pyarrow")
    z = otter_zip(tmp_path, {"q1.py": exception_test("q1", FRAMES)})
    tests, result = grade(
        tmp_path, sandbox_mode, z,
        "import pandas as pd\n"
        "df = pd.DataFrame({'a': [1, 2, 3], 'b': ['p', 'q', 'r'], 'c': pd.Categorical(['u', 'v', 'u']),\n"
        "                   'd': pd.to_datetime(['2024-01-01'] * 3)}, index=pd.Index(['x', 'y', 'z'], name='key'))\n"
        "s = pd.Series([0.5, 1.5], name='half')\ntotal = pd.Series([1, 2, 3])",
    )
    assert {n: t.output for n, t in tests.items()} == {"q1.test_frame": "Passed.", "q1.test_derived": "Passed."}, result.cell_errors


def test_frames_round_trip_without_pickle_and_bad_streams_are_refused():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    import numpy as np

    from autograder import protocol

    df = pd.DataFrame({"x": [1.5, None], "y": ["a", "b"]})
    pd.testing.assert_frame_equal(protocol.decode(protocol.encode(df)), df)
    mixed = pd.DataFrame({"m": [1, "a"]})  # Arrow cannot type it: it stays a handle
    assert protocol.decode(protocol.encode(mixed, make_handle=lambda o: {"t": "handle", "id": 1, "type": "DataFrame"})).type_name == "DataFrame"

    def payload(table: "pa.Table", tag: str = "dataframe") -> bytes:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        blob = io.BytesIO()
        np.save(blob, np.frombuffer(sink.getvalue().to_pybytes(), np.uint8), allow_pickle=False)
        header = json.dumps({"t": tag, "i": 0}).encode()
        return len(header).to_bytes(4, "big") + header + len(blob.getvalue()).to_bytes(8, "big") + blob.getvalue()

    nested = pa.table({"l": pa.array([[1, 2]], type=pa.list_(pa.int64()))})
    with pytest.raises(protocol.ProtocolError, match="is not accepted"):
        protocol.decode(payload(nested))
    big = pa.table({"a": pa.array(np.zeros(30)), "b": pa.array(np.zeros(30))})
    with pytest.raises(protocol.ProtocolError, match="exceeds the limit"):
        protocol.decode(payload(big), protocol.MessageLimits(max_array_elements=50))
    with pytest.raises(protocol.ProtocolError, match="invalid Arrow stream"):
        header = json.dumps({"t": "series", "i": 0}).encode()
        blob = io.BytesIO()
        np.save(blob, np.frombuffer(b"not arrow at all", np.uint8), allow_pickle=False)
        protocol.decode(len(header).to_bytes(4, "big") + header + len(blob.getvalue()).to_bytes(8, "big") + blob.getvalue())


def test_warm_sandboxes_preload_only_what_an_otter_zips_tests_use(tmp_path):
    np_only = exception_test("q1", "\n@test_case(points=1)\ndef test_a(x, np):\n    assert np.all(x > 0)\n")
    plain = exception_test("q2", "\n@test_case(points=1)\ndef test_b(y):\n    assert y == 1\n")
    assert Bundle.load(otter_zip(tmp_path, {"q1.py": np_only, "q2.py": plain})).config.preload == ["numpy"]
    assert Bundle.load(otter_zip(tmp_path, {"q2.py": plain})).config.preload == []
    uses_torch = exception_test("q3", "\n@test_case(points=1)\ndef test_c(model):\n    import torch\n    assert model(torch.ones(1)) is not None\n")
    assert Bundle.load(otter_zip(tmp_path, {"q3.py": uses_torch})).config.preload == ["torch", "torch._dynamo"]
    path = otter_zip(tmp_path, {"q2.py": plain})
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("requirements.txt", "pandas==2.2\n")
    assert Bundle.load(path).config.preload == ["pandas"]


SUBMITTED_FILE_TESTS = {
    "q1.py": exception_test("q1", "\n@test_case(points=1)\ndef test_k(k):\n    assert k == 5\n"),
    "q2.py": "OK_FORMAT = True\ntest = " + repr({"name": "q2", "points": 2, "suites": [{"type": "doctest", "scored": True, "setup": "", "teardown": "", "cases": [
        {"code": ">>> import helper\n>>> helper.K + len(helper.notes())\n7", "hidden": False, "locked": False},
        {"code": ">>> import math\n>>> math.floor(k + 0.5)\n5", "hidden": False, "locked": False},
    ]}]}) + "\n",
    "q3.py": exception_test("q3", "\n@test_case(points=1)\ndef test_helper():\n    from helper import K\n    assert K == 5\n"),
}
HELPER = b"import pathlib\nK = 5\ndef notes():\n    return pathlib.Path('notes/a.txt').read_text()\n"
"""Otter's `student_files`: a module a student submits in the zip with the notebook."""


def zipped_submission(folder: Path, *cells: str, files: dict[str, bytes]) -> Path:
    """A .zip submission (as Otter's export cell makes it): hw.ipynb and ``files``."""
    folder.mkdir()
    nb = code_notebook(folder / "hw.ipynb", *cells)
    with zipfile.ZipFile(folder / "hw.zip", "w") as zf:
        zf.write(nb, "hw.ipynb")
        for name, data in files.items():
            zf.writestr(name, data)
    nb.unlink()
    return folder / "hw.zip"


def test_every_file_of_a_zip_submission_is_in_the_notebooks_folder_for_otters_tests_in_the_sandbox(sandbox_mode, tmp_path):
    z = otter_zip(tmp_path, SUBMITTED_FILE_TESTS)
    sub = zipped_submission(tmp_path / "sub", "import helper\nk = helper.K", files={"helper.py": HELPER, "notes/a.txt": b"ab"})
    result = grade_submission(sub, Bundle.load(z), options(sandbox_mode, tests_in_sandbox=True))
    assert [(t.name, t.score) for t in result.tests] == [("q1.test_k", 1.0), ("q2.case_1", 1.0), ("q2.case_2", 1.0), ("q3.test_helper", 1.0)], result.tests
    assert not result.cell_errors


def test_a_test_importing_a_submitted_file_is_not_graded_in_the_secure_mode_and_says_why(sandbox_mode, tmp_path):
    import sys

    z = otter_zip(tmp_path, SUBMITTED_FILE_TESTS)
    sub = zipped_submission(tmp_path / "sub", "import helper\nk = helper.K", files={"helper.py": HELPER, "notes/a.txt": b"ab"})
    result = grade_submission(sub, Bundle.load(z), options(sandbox_mode))
    tests = {t.name: t for t in result.tests}
    assert tests["q1.test_k"].score == 1.0 and tests["q2.case_2"].score == 1.0  # the notebook imported it; `import math` runs
    for name in ("q2.case_1", "q3.test_helper"):  # doctest and exception-based: never run on the trusted side
        assert not tests[name].graded and tests[name].score == 0.0
        assert "imports `helper`" in tests[name].output and "--tests-in-sandbox" in tests[name].output
    assert "helper" not in sys.modules


UNANSWERED = {
    "q1.py": exception_test("q1", "\n@test_case(points=1)\ndef test_answered(answer):\n    assert answer is not ..., 'replace the ...'\n"),
    "q2.py": "OK_FORMAT = True\ntest = " + repr({"name": "q2", "points": 1, "suites": [{"type": "doctest", "scored": True, "setup": "", "teardown": "", "cases": [
        {"code": ">>> answer\n3", "hidden": False, "locked": False}]}]}) + "\n",
}


def test_an_unanswered_placeholder_reaches_tests_as_ellipsis(sandbox_mode, tmp_path):
    """`answer = ...`, the stub `otter assign` writes, is Ellipsis to tests as under Otter: an
    `is not ...` check fails (a handle to it passed) and a doctest shows `Ellipsis`."""
    z = otter_zip(tmp_path, UNANSWERED)
    tests, _ = grade(tmp_path, sandbox_mode, z, "answer = ...")
    assert [t.score for t in tests.values()] == [0.0, 0.0]
    assert "replace the ..." in tests["q1.test_answered"].output
    assert "Got:\n    Ellipsis" in tests["q2.case_1"].output
    tests, _ = grade(tmp_path, sandbox_mode, z, "answer = 3")
    assert [t.score for t in tests.values()] == [1.0, 1.0]


def test_a_zip_submissions_other_files_are_read_by_path_and_bounded_together():
    from autograder.intake import IntakeError, zip_files

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in {"hw.ipynb": "{}", "units.py": "K = 5\n", "notes/a.txt": "abcdef", "__MACOSX/._units.py": "x"}.items():
            zf.writestr(name, data)
    assert zip_files(buf.getvalue(), 12) == {"units.py": b"K = 5\n", "notes/a.txt": b"abcdef"}
    with pytest.raises(IntakeError, match="more than .* MiB together"):
        zip_files(buf.getvalue(), 11)
