"""Feedback (feedback.html, feedback.md), the class dashboard (summary.html) and Otter's
final_grades.csv, from a real batch: tiny submissions graded with the tiny bundle."""

from __future__ import annotations

import base64
import csv
import re

import mistune
import pytest
from bs4 import BeautifulSoup

from autograder.dashboard import class_summary, masked
from autograder.grading.batch import grade_to_folder, read_results
from autograder.grading import results as results_module
from autograder.grading.results import HIDDEN, SubmissionResult
from autograder.reports import markdown_cell, markdown_code_block, markdown_code_span, render_feedback_md, tidy_markdown
from conftest import DOUBLE, code_notebook, options, tiny_bundle

WRONG = "def double(x):\n    return x + 2\n"  # right for x = 2 only: passes the public test, fails the hidden one
SUBMISSIONS = {
    "correct": [DOUBLE, "print('<script>alert(1)</script> ``` | done')"],
    "wrong": [WRONG],
    "crash": [DOUBLE, "def f():\n    return 1 / 0\n\nf()"],
    "hang": ["def double(x):\n    while True:\n        pass\n"],
    "oom": ["def double(x):\n    raise MemoryError()\n"],
}
HIDDEN_TEST_SOURCE = ("np.array_equal(double(x), 2 * x)", "rng.normal", "import numpy")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The results folder of one graded batch (student code as a plain child process: these
    tests are about reports, not isolation)."""
    folder = tmp_path_factory.mktemp("reports")
    bundle = tiny_bundle(folder, timeout=30, call_timeout=1)
    subs = {name: code_notebook(folder / f"{name}.ipynb", *cells) for name, cells in SUBMISSIONS.items()}
    broken = folder / "broken.ipynb"
    broken.write_text("this is not a notebook")
    subs["broken"] = broken
    out = folder / "results"
    grade_to_folder(bundle, subs, out, options("none"), workers=1)
    return out


def html(out, name):
    return BeautifulSoup((out / name / "feedback.html").read_text(), "html.parser")


def md(out, name):
    return (out / name / "feedback.md").read_text()


def test_every_submission_gets_an_html_and_a_markdown_report_with_score_questions_tests_and_time(batch):
    expected = {"correct": 3, "wrong": 1, "crash": 3, "hang": 0, "oom": 0, "broken": 0}
    for name, score in expected.items():
        page, text = html(batch, name), md(batch, name)
        assert page.select_one("#score").get_text(strip=True) == f"{score} / 3", name
        assert f"**Score: {score} / 3**" in text, name
        assert re.search(r"Graded in \d+\.\d s", page.select_one("#time").get_text()), name
        assert re.search(r"Graded in \d+\.\d s", text), name
        question = [[td.get_text(strip=True) for td in tr.find_all("td")][:3] for tr in page.select("#questions tr")[1:]]
        assert question == [["double", f"{score} / 3", f"{2 if score == 3 else 1 if score == 1 else 0} / 2"]], name
        rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")][:4] for tr in page.select("#tests tr.test")]
        assert [r[1] for r in rows] == ["test_public", "test_hidden (hidden)"], name
    wrong = [[td.get_text(" ", strip=True) for td in tr.find_all("td")][:4] for tr in html(batch, "wrong").select("#tests tr.test")]
    assert wrong == [["double", "test_public", "passed", "1 / 1"], ["double", "test_hidden (hidden)", "failed", "0 / 2"]]
    assert "| double | 1 / 3 | 1 / 2 |" in md(batch, "wrong")
    assert "| double | test\\_hidden (hidden) | failed | 0 / 2 |" in md(batch, "wrong")
    hang = html(batch, "hang").select_one("#time").get_text()
    assert re.search(r"of which your code ran [1-9]\d*\.\d s", hang)  # it spent its time limit in student code


def test_hidden_tests_show_pass_fail_and_the_hint_but_never_test_code_or_expected_values(batch):
    page = html(batch, "wrong")
    hidden = page.select("#tests tr.test")[1]
    assert "failed" in hidden.get_text() and "double(x) should be 2 * x" in hidden.get_text()
    for name in SUBMISSIONS:
        for report in ((batch / name / "feedback.html").read_text(), md(batch, name)):
            for source in HIDDEN_TEST_SOURCE:
                assert source not in report, (name, source)
            assert not re.search(r"\d\.\d{4,}", report), name  # no array values from the hidden test's data


def test_cell_errors_show_a_traceback_of_the_students_own_cells(batch):
    error = html(batch, "crash").select_one("div.error")
    text = error.get_text(" ", strip=True)
    assert "Cell 2 raised ZeroDivisionError : division by zero" in text
    trace = error.select_one("pre").get_text()
    assert trace.splitlines() == ["  Cell 2, line 4, in <module>", "    f()", "  Cell 2, line 2, in f", "    return 1 / 0", "           ~~^~~"]
    assert "ZeroDivisionError" in md(batch, "crash") and "Cell 2, line 2, in f" in md(batch, "crash")
    for name in SUBMISSIONS:
        assert "site-packages" not in md(batch, name) and "autograder/" not in md(batch, name)


def test_code_the_grader_did_not_run_is_listed_with_cell_line_and_reason(batch, tmp_path):
    nb = code_notebook(tmp_path / "magic.ipynb", "%%time\n" + DOUBLE, "%%bash\necho hi", "x = 1\n!pip install torch")
    grade_to_folder(tiny_bundle(tmp_path, timeout=30), {"magic": nb}, tmp_path / "out", options("none"), workers=1)
    page = html(tmp_path / "out", "magic")
    assert page.find("h2", string="Code the grader did not run")
    items = [li.get_text(" ", strip=True) for li in page.select("ul li") if "line" in li.get_text()]
    assert items[0].startswith("Cell 2, line 1: %%bash : a `%%bash` cell is not Python")
    assert items[1].startswith("Cell 3, line 2: !pip install torch : shell commands")
    text = md(tmp_path / "out", "magic")
    assert "- Cell 3, line 2: `!pip install torch`: shell commands" in text
    assert "0 of" not in text.split("tests passed")[0]  # the %%time cell's function was graded
    assert "## Code the grader did not run" not in md(batch, "correct")


def test_limits_hit_are_said_in_plain_words(batch):
    hang = html(batch, "hang").get_text(" ", strip=True)
    assert "Limits your code ran into" in hang
    assert "Time limit: Your code did not finish within the 1 s limit for one call and was stopped." in hang
    assert "- **Time limit:** Your code did not finish within the 1 s limit for one call" in md(batch, "hang")
    oom = html(batch, "oom").get_text(" ", strip=True)
    assert "Memory limit: Your code ran out of memory: the sandbox allows 4.0 GiB." in oom
    for fine in ("correct", "wrong", "crash"):
        assert "Limits your code ran into" not in html(batch, fine).get_text(), fine
    broken = html(batch, "broken").select_one("#not-graded").get_text()
    assert "could not be graded" in broken


def test_student_output_is_escaped_in_html_and_cannot_break_out_of_markdown_code(batch):
    raw = (batch / "correct" / "feedback.html").read_text()
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert not re.search(r"<script|\bsrc=|\bhref=|@import|url\(", raw)  # one self-contained file, nothing to fetch
    rendered = BeautifulSoup(mistune.html(md(batch, "correct")), "html.parser")
    blocks = [b.get_text() for b in rendered.find_all("pre")]
    assert any("<script>alert(1)</script> ``` | done" in b for b in blocks)
    assert rendered.find("script") is None


def test_every_limit_the_session_records_is_shown_from_the_fields_alone():
    """Limits render from result fields (the session's own messages), never from text: a test
    whose output only looks like a limit message shows no limit."""
    import signal

    from autograder.bundle import Limits
    from autograder.grading.failures import memory_message, signal_limit, signal_message
    from autograder.reports import limits_hit

    limits = Limits()
    recorded = {
        "CPU time limit": results_module.LimitHit(signal_limit(signal.SIGXCPU), signal_message(signal.SIGXCPU, limits)),
        "File size limit": results_module.LimitHit(signal_limit(signal.SIGXFSZ), signal_message(signal.SIGXFSZ, limits)),
        "Process killed": results_module.LimitHit(signal_limit(signal.SIGKILL), signal_message(signal.SIGKILL, limits)),
        "Memory limit": results_module.LimitHit("memory", memory_message(limits)),
    }
    tests = [results_module.TestResult(f"q.t{i}", 1.0, 0.0, "Not graded.", limit=hit) for i, hit in enumerate(recorded.values())]
    tests.append(results_module.TestResult("q.segv", 1.0, 0.0, f"Not graded: {signal_message(signal.SIGSEGV, limits)}.", graded=False))
    tests.append(results_module.TestResult("q.fake", 1.0, 0.0, "Your code raised MemoryError: ran out of memory, of CPU time"))
    assert signal_limit(signal.SIGSEGV) is None
    result = SubmissionResult("s", tests, stdout="hello\n[... 999 more bytes of output were cut]", output_cut_bytes=123)
    hits = {hit.title: hit.detail for hit in limits_hit(results_module.SubmissionResult.from_json(result.to_json()))}
    assert set(hits) == set(recorded) | {"Output limit"}
    assert hits["CPU time limit"] == "Your code used up its 600 s of CPU time and was stopped."
    assert hits["Memory limit"] == "Your code ran out of memory: the sandbox allows 4.0 GiB."
    assert hits["Output limit"] == "Your code printed more than the grader keeps: 123 more bytes of output were cut."


def test_markdown_helpers_hold_against_backticks_and_pipes():
    block = markdown_code_block("a ```` b")
    assert block.startswith("`````text\n") and block.endswith("\n`````")
    assert markdown_code_span("x`y") == "``x`y``" and markdown_cell("a|b *c*\nd") == "a\\|b \\*c\\* d"
    assert tidy_markdown("a\n\n\n\nb\n```\n\n\n\n```\n") == "a\n\nb\n```\n\n\n\n```\n"
    result = SubmissionResult("s", [results_module.TestResult("q.t|1", 1.0, 0.0, "bad | value\n```\nmore", HIDDEN)])
    table = BeautifulSoup(mistune.create_markdown(plugins=["table"])(render_feedback_md(result, "a")), "html.parser")
    cells = [td.get_text() for td in table.select("table")[1].select("td")]
    assert cells == ["q", "t|1 (hidden)", "failed", "0 / 1"]
    assert "bad | value\n```\nmore" in [pre.get_text().rstrip("\n") for pre in table.find_all("pre")]


def test_the_dashboard_shows_charts_pass_rates_failures_problems_slowest_and_devices(batch):
    page = BeautifulSoup((batch / "summary.html").read_text(), "html.parser")
    assert page.select_one("#count").get_text() == "6"
    assert page.select_one("#mean").get_text() == f"{(3 + 1 + 3) / 6:.2f}".rstrip("0")
    for chart in ("#histogram", "#pass-rates-chart"):
        src = page.select_one(chart)["src"]
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png.startswith(b"\x89PNG") and len(png) > 2000
    rates = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in page.select("#pass-rates tr.test")]
    assert rates == [  # the most failed first
        ["double.test_hidden", "double", "2", "2", "4", "33%"],
        ["double.test_public", "double", "1", "3", "3", "50%"],
    ]
    failures = {tr.find_all("td")[2].get_text(strip=True): int(tr.find_all("td")[0].get_text()) for tr in page.select("#failures tr")[1:]}
    assert failures["Failed: double(x) should be 2 * x"] == 1
    assert any("did not finish within the 1 s limit" in message for message in failures)
    assert not any("could not be graded" in message for message in failures)  # listed under problems instead
    problems = {(tds[0].get_text(), tds[1].get_text()) for tds in (tr.find_all("td") for tr in page.select("#problems tr")[1:])}
    assert {("hang", "time limit"), ("oom", "memory limit"), ("crash", "cell error"), ("broken", "not graded")} <= problems
    assert not {p for p in problems if p[0] in ("correct", "wrong")}
    slowest = [tr.find_all("td")[0].get_text() for tr in page.select("#slowest tr")[1:]]
    assert slowest[0] == "hang" and len(slowest) == 6
    assert "cpu (6)" in page.select_one("#devices").get_text() and "none (6)" in page.select_one("#devices").get_text()


def test_failures_differing_only_in_numbers_are_grouped():
    results = [
        SubmissionResult(f"s{i}", [results_module.TestResult("q.grad", 1.0, 0.0, f"Failed: relative error {e} > 1e-07 for W", HIDDEN)])
        for i, e in enumerate(["3.1e-02", "0.5", "12"])
    ] + [SubmissionResult("s9", [results_module.TestResult("q.grad", 1.0, 0.0, "Failed: shape (3, 4) != (4, 3)", HIDDEN)])]
    summary = class_summary(results, "a")
    assert [(g.count, g.submissions) for g in summary.failures] == [(3, ["s0", "s1", "s2"]), (1, ["s9"])]
    assert summary.failures[0].message == "Failed: relative error 3.1e-02 > 1e-07 for W"
    assert masked("error 3.1e-02, 4 and -7.5") == "error #, # and #"


def test_final_grades_csv_is_in_otters_format(batch):
    rows = list(csv.reader((batch / "final_grades.csv").open()))
    assert rows[0] == ["file", "double", "total_points_earned", "percent_correct", "grading_status"]
    assert rows[1] == ["points-per-question", "3.0", "3.0", "1", "--"]
    body = {r[0]: r for r in rows[2:]}
    assert [r[0] for r in rows[2:]] == sorted(body) == sorted(f"{n}.ipynb" for n in [*SUBMISSIONS, "broken"])
    assert body["wrong.ipynb"] == ["wrong.ipynb", "1.0", "1.0", "0.3333", "Completed"]
    assert body["correct.ipynb"][1:4] == ["3.0", "3.0", "1.0"]
    assert body["broken.ipynb"][1:4] == ["0.0", "0.0", "0.0"] and "could not be graded" in body["broken.ipynb"][4]
    import pandas as pd  # Otter reads it with pandas: the same columns and numbers come back

    frame = pd.read_csv(batch / "final_grades.csv")
    assert frame.loc[frame["file"] == "wrong.ipynb", "percent_correct"].item() == pytest.approx(1 / 3, abs=1e-4)


def test_class_files_cover_kept_and_new_results_after_a_resumed_batch(tmp_path):
    bundle = tiny_bundle(tmp_path, timeout=30, call_timeout=5)
    subs = {"a": code_notebook(tmp_path / "a.ipynb", DOUBLE), "b": code_notebook(tmp_path / "b.ipynb", WRONG)}
    out = tmp_path / "out"
    grade_to_folder(bundle, {"a": subs["a"]}, out, options("none"), workers=1)
    first = BeautifulSoup((out / "summary.html").read_text(), "html.parser")
    assert first.select_one("#count").get_text() == "1"
    kept = []
    grade_to_folder(bundle, subs, out, options("none"), workers=1, on_result=lambda r, k: kept.append((r.submission, k)))
    assert sorted(kept) == [("a", True), ("b", False)]
    page = BeautifulSoup((out / "summary.html").read_text(), "html.parser")
    assert page.select_one("#count").get_text() == "2"
    assert [r[0] for r in csv.reader((out / "final_grades.csv").open())][2:] == ["a.ipynb", "b.ipynb"]
    assert {r.submission for r in read_results(out)} == {"a", "b"}
    assert (out / "a" / "feedback.md").is_file() and (out / "b" / "feedback.md").is_file()


CONFUSION_TEST_FILE = '''
from otter.test_files import test_case

OK_FORMAT = False
name = "classify"


@test_case(points=1, hidden=True)
def test_accuracy(classify):
    from autograder.testing import show_confusion_matrix

    labels = [0, 0, 1, 1, 2, 2, 2]
    predicted = classify(labels)
    show_confusion_matrix(labels, predicted, 3, title="Digits you confused", labels_secret=False)  # classify got them
    assert predicted == labels, "some examples are misclassified: see the confusion matrix"
'''


def test_a_confusion_matrix_a_test_draws_is_embedded_in_the_feedback_and_kept_in_result_json(tmp_path):
    from sklearn.metrics import confusion_matrix

    from autograder.bundle import BundleConfig, write_bundle
    from autograder.testing import show_confusion_matrix

    labels, predicted = [0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2]
    assert (show_confusion_matrix(labels, predicted, 3) == confusion_matrix(labels, predicted)).all()  # rows: true

    bundle = tmp_path / "b.zip"
    write_bundle(bundle, BundleConfig(id="confusion"), {"classify.py": CONFUSION_TEST_FILE})
    nb = code_notebook(tmp_path / "nb.ipynb", f"def classify(labels):\n    return {predicted!r}\n")
    out = tmp_path / "results"
    (result,) = grade_to_folder(bundle, {"nb": nb}, out, options("none"), workers=1)
    (figure,) = result.tests[0].figures
    assert figure["title"] == "Digits you confused" and base64.b64decode(figure["png"]).startswith(b"\x89PNG")
    assert read_results(out)[0].tests[0].figures == [figure]  # result.json keeps it, outside Gradescope's tests[]
    image = html(out, "nb").select_one("figure img")
    assert image["src"] == f"data:image/png;base64,{figure['png']}" and image["alt"] == "Digits you confused"
    assert "Digits you confused" in md(out, "nb") and "feedback.html" in md(out, "nb")
