"""feedback.html and summary.html in a real browser: headless Chromium (the system's, driven
through Playwright's DevTools connection) loads each page with every network request refused,
without console or page errors, and shows the score, the test table and the charts.
Screenshots stay in each test's temporary folder, or in $DLGRADE_SCREENSHOTS when set (to look at them).

Needs a Chromium: $DLGRADE_CHROMIUM, else ``chromium`` (Debian: ``apt-get install chromium``),
``chromium-browser`` or ``google-chrome`` on PATH; the tests are skipped, saying so, without one,
unless DLGRADE_REQUIRE_CHROMIUM=1 (CI), where its absence is an error.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from autograder.grading.batch import grade_to_folder
from conftest import DOUBLE, code_notebook, options, tiny_bundle

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-default-apps", "--disable-extensions", "--disable-sync", "--no-first-run", "--metrics-recording-only",
]


def chromium_path() -> str | None:
    candidates = [os.environ.get("DLGRADE_CHROMIUM")] + [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        if os.environ.get("DLGRADE_REQUIRE_CHROMIUM") == "1":
            pytest.fail("Chromium is required here (DLGRADE_REQUIRE_CHROMIUM=1) but none was found")
        pytest.skip("no Chromium found (apt-get install chromium, or set DLGRADE_CHROMIUM): browser rendering tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (installed with otter-grader) is missing")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    bundle = tiny_bundle(folder, timeout=30, call_timeout=5)
    subs = {
        "correct": code_notebook(folder / "correct.ipynb", DOUBLE, "print('<img src=x onerror=alert(1)>')"),
        "wrong": code_notebook(folder / "wrong.ipynb", "def double(x):\n    return x + 2\n"),
        "crash": code_notebook(folder / "crash.ipynb", DOUBLE, "1 / 0"),
    }
    out = folder / "results"
    grade_to_folder(bundle, subs, out, options("none"), workers=1)
    return out


class Page:
    """A page loaded from a file with its console errors, page errors and any request that
    tried to leave the file (refused) recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri(), wait_until="load", timeout=30_000)

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path), full_page=True)
        assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 5000
        return path


def test_the_error_listener_sees_console_errors(browser, tmp_path):
    """The harness itself: a page that logs an error is caught (else 'no errors' proves nothing)."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>console.error('boom'); undefinedFunction();</script></body></html>")
    page = Page(browser, bad)
    assert any("boom" in e for e in page.errors) and any("undefinedFunction" in e for e in page.errors)


def test_feedback_html_renders_with_the_score_the_test_table_and_no_errors(browser, results, tmp_path):
    for name, score in (("wrong", "1 / 3"), ("correct", "3 / 3"), ("crash", "3 / 3")):
        page = Page(browser, results / name / "feedback.html")
        shot = page.screenshot(tmp_path / f"feedback-{name}.png")
        assert page.errors == [] and page.requests == [], (name, page.errors, page.requests)
        score_box = page.page.locator("#score")
        assert score_box.is_visible() and score_box.inner_text() == score
        rows = page.page.locator("#tests tr.test")
        assert rows.count() == 2 and rows.nth(1).is_visible()
        assert rows.nth(1).locator("td").nth(2).inner_text() == ("failed" if name == "wrong" else "passed")
        assert page.page.locator("#questions").is_visible()
        assert shot.exists()
    crash = Page(browser, results / "crash" / "feedback.html")
    assert crash.page.get_by_text("ZeroDivisionError").first.is_visible()
    correct = Page(browser, results / "correct" / "feedback.html")  # the student's <img onerror> printed, not run
    assert correct.page.locator("img").count() == 0 and correct.errors == []
    assert "<img src=x onerror=alert(1)>" in correct.page.locator("pre").last.inner_text()


def test_summary_html_renders_the_charts_and_tables_with_no_errors(browser, results, tmp_path):
    page = Page(browser, results / "summary.html")
    shot = page.screenshot(tmp_path / "summary.png")
    assert page.errors == [] and page.requests == [], (page.errors, page.requests)
    assert page.page.locator("#count").inner_text() == "3"
    for chart in ("#histogram", "#pass-rates-chart"):
        image = page.page.locator(chart)
        assert image.is_visible()
        loaded = image.evaluate("img => img.complete && img.naturalWidth > 200 && img.naturalHeight > 100")
        assert loaded, f"{chart} did not decode"
        assert image.bounding_box()["width"] > 300
    rates = page.page.locator("#pass-rates tr.test")
    assert rates.count() == 2 and rates.first.locator("td").first.inner_text() == "double.test_hidden"
    assert page.page.locator("#slowest tr").count() == 4
    assert shot.exists()


VIEWPORTS = {"desktop": (1200, 900), "phone": (390, 844)}
"""Widths the feedback page is looked at: a laptop and a phone (iPhone 12-14's CSS width)."""


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """Feedback pages of a wrong submission (a long unbroken error, a hidden failure, a test not
    graded after a crash) and a right one, screenshotted at desktop and phone widths into
    ``$DLGRADE_SCREENSHOTS`` when set (to look at them), else a temporary folder."""
    folder = tmp_path_factory.mktemp("screens")
    bundle = tiny_bundle(folder, timeout=30, call_timeout=5)
    subs = {
        "wrong": code_notebook(folder / "wrong.ipynb", "import os\ndef double(x):\n    if not hasattr(x, 'shape'):\n"
                               "        raise ValueError('cannot read /home/student/' + 'very_long_folder_name_' * 12 + 'data.npy')\n"
                               "    os._exit(1)\n"),
        "right": code_notebook(folder / "right.ipynb", DOUBLE, "print('epoch 1: loss 0.25 ' * 20)"),
    }
    out = folder / "results"
    grade_to_folder(bundle, subs, out, options("none"), workers=1)
    shots = Path(os.environ.get("DLGRADE_SCREENSHOTS") or folder / "png")
    shots.mkdir(parents=True, exist_ok=True)
    return out, shots


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", ["wrong", "right"])
def test_feedback_page_fits_desktop_and_phone_widths(browser, screenshots, name, viewport):
    out, shots = screenshots
    width, height = VIEWPORTS[viewport]
    page = Page(browser, out / name / "feedback.html")
    page.page.set_viewport_size({"width": width, "height": height})
    page.screenshot(shots / f"feedback-{name}-{viewport}.png")
    assert page.errors == [] and page.requests == []
    table = page.page.locator("#tests").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= width, (viewport, table)
    assert page.page.evaluate("document.documentElement.scrollWidth") <= width  # nothing scrolls sideways
    statuses = page.page.locator("#tests tr.test td[data-label=Result]")
    if name == "wrong":  # the public test failed; the hidden one could not run after the crash: neutral
        assert statuses.all_inner_texts() == ["failed", "not graded"]
        colours = [statuses.nth(i).evaluate("td => getComputedStyle(td).color") for i in range(2)]
        assert colours[0] == "rgb(207, 34, 46)" and colours[1] != colours[0]
    else:
        assert statuses.all_inner_texts() == ["passed", "passed"]
