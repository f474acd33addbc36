"""The Otter corpus (tests/fixtures/otter/README.md): each assignment built by `otter assign`,
four submissions each (solution, partly right, a cell that errors, untouched), graded by
`otter run` (the installed otter, locally) and by dlgrade: per-question scores must agree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from autograder.bundle import Bundle
from autograder.grading.grade import grade_submission
from conftest import options

FIXTURES = Path(__file__).parent / "fixtures" / "otter"
CORPUS = {"corpus": ["data.csv"], "corpus_ok": [], "corpus_example": ["data.csv", "units.py"]}
"""Master notebook stem -> the support files beside it."""

STUDENT_FILES = {"corpus_example": ["units.py"]}
"""Master notebook stem -> files a student submits with the notebook (Otter's ``student_files``):
every submission but the untouched one is a zip of the notebook and these, as Otter's export cell
makes it; the untouched one is the notebook alone."""

EDITS = {
    # q2's public case passes and its hidden one fails (all or nothing: 0); q1 is changed
    # after its check, which is where Otter grades it
    "corpus": {"partly": ({"np.clip(x, 0, 1)": "np.maximum(x, 0)"}, ["rows = 0"]),
               "erroring": ({'open("data.csv")': 'open("missing.csv")'}, [])},
    # OK format: q2's first public doctest prints 2 instead of 2.0 (all or nothing: 0), q3's
    # set is one vowel short; the erroring notebook fails in q1's cell
    "corpus_ok": {"partly": ({"float(np.sum(xs)) / len(xs)": "int(np.sum(xs)) // len(xs)", '& set("aeiou")': '& set("aei")'}, []),
                  "erroring": ({"squares = [i * i for i in range(5)]": "squares = [i * i for i in range(5)][9]"}, [])},
    # Otter's full example in miniature: q1 (all or nothing) wrong in its hidden cases, q4's
    # hidden case and q5's seeded draws wrong; the erroring notebook fails in q1's cell and in
    # q4's last one (whose case is worth no points: Otter's points per case)
    "corpus_example": {"partly": ({"n = 3": "n = 4", "out = v ** 3": "out = abs(v) ** 3",
                                   "rng.integers(0, 100, 5)": "np.random.default_rng(0).integers(0, 100, 5)"}, []),
                       "erroring": ({"n = 3": "n = len(3)", "eight = cube(2)": "eight = cube(None)"}, [])},
}
"""Master notebook stem -> submission kind -> (text replacements, cells appended)."""


def build(master: str, folder: Path) -> tuple[Path, Path, Path]:
    """`otter assign` the master: (autograder zip, solution notebook, student notebook)."""
    for name in [f"{master}.ipynb", *CORPUS[master]]:
        shutil.copy(FIXTURES / name, folder / name)
    subprocess.run([sys.executable, "-m", "otter", "assign", "--no-pdfs", "--no-run-tests", f"{master}.ipynb", "dist"],
                   check=True, capture_output=True, cwd=folder)
    (zip_path,) = (folder / "dist" / "autograder").glob("*.zip")
    return zip_path, folder / "dist" / "autograder" / f"{master}.ipynb", folder / "dist" / "student" / f"{master}.ipynb"


def edited(solution: Path, dest: Path, replace: dict[str, str], extra: list[str] = ()) -> Path:
    nb = nbformat.read(solution, as_version=4)
    for cell in nb.cells:
        for old, new in replace.items():
            cell.source = cell.source.replace(old, new)
    nb.cells += [nbformat.v4.new_code_cell(c) for c in extra]
    dest.parent.mkdir(parents=True)
    nbformat.write(nb, dest)
    return dest


def with_student_files(notebook: Path, master: str) -> Path:
    """A zip of ``notebook`` and the master's ``STUDENT_FILES``, beside it (Otter's export)."""
    archive = notebook.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(notebook, notebook.name)
        for name in STUDENT_FILES.get(master, []):
            zf.write(FIXTURES / name, name)
    notebook.unlink()
    return archive


def submissions(solution: Path, student: Path, folder: Path) -> dict[str, Path]:
    """Each in its own folder under the notebook's own name (Otter resolves checks by it)."""
    name = solution.name
    subs = {"solution": edited(solution, folder / "solution" / name, {})}
    for kind, (replace, extra) in EDITS[solution.stem].items():
        subs[kind] = edited(solution, folder / kind / name, replace, extra)
    if solution.stem in STUDENT_FILES:
        subs = {kind: with_student_files(nb, solution.stem) for kind, nb in subs.items()}
    subs["untouched"] = edited(student, folder / "untouched" / name, {})
    return subs


def dlgrade_scores(zip_path: Path, notebook: Path, sandbox: str) -> tuple[dict[str, float], dict[str, str]]:
    """Per question: dlgrade's score and the messages of its tests that were not graded."""
    bundle = Bundle.load(zip_path)
    result = grade_submission(notebook, bundle, options(sandbox))
    question = {tc.name: test_file.name for test_file, tc in bundle.test_cases}
    per_question: dict[str, float] = defaultdict(float)
    not_graded: dict[str, str] = defaultdict(str)
    for test in result.tests:
        per_question[question[test.name]] += test.score
        if not test.graded:
            not_graded[question[test.name]] += test.output
    return dict(per_question), not_graded


def otter_scores(zip_path: Path, notebook: Path) -> dict[str, float]:
    out = notebook.parent / "otter-out"
    out.mkdir()
    subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(out), str(notebook)],
                   check=True, capture_output=True, cwd=notebook.parent, timeout=300)
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: float(t["score"]) for t in tests if "score" in t}


@pytest.fixture(scope="module", params=sorted(CORPUS))
def corpus(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    zip_path, solution, student = build(request.param, folder)
    return zip_path, submissions(solution, student, folder / "subs")


# Otter's scores for the corpus, from `otter run` (otter-grader 7.0.0); test_otter_run_gives_these
# re-derives them, so the fast test below never drifts from what Otter does.
EXPECTED = {
    "corpus": {
        "solution": {"q1": 2.0, "q2": 4.0, "q3": 1.0},
        "partly": {"q1": 2.0, "q2": 0.0, "q3": 1.0},
        "erroring": {"q1": 0.0, "q2": 4.0, "q3": 1.0},
        "untouched": {"q1": 0.0, "q2": 0.0, "q3": 0.0},
    },
    "corpus_ok": {
        "solution": {"q1": 2.0, "q2": 3.0, "q3": 1.0},
        "partly": {"q1": 2.0, "q2": 0.0, "q3": 0.0},
        "erroring": {"q1": 0.0, "q2": 3.0, "q3": 1.0},
        "untouched": {"q1": 0.0, "q2": 0.0, "q3": 0.0},
    },
    "corpus_example": {  # q3, q6 and q7 have no autograder tests (manual, or none written)
        "solution": {"q1": 6.0, "q2": 1.0, "q4": 5.0, "q5": 3.0},
        "partly": {"q1": 0.0, "q2": 1.0, "q4": 3.0, "q5": 1.0},
        "erroring": {"q1": 0.0, "q2": 1.0, "q4": 4.0, "q5": 3.0},
        "untouched": {"q1": 0.0, "q2": 0.0, "q4": 0.0, "q5": 0.0},
    },
}

SECURE_EXCEPTIONS = {"corpus_example": {"q2": "imports `units`"}}
"""Master -> question -> what its tests say in the secure mode for a submission that carries the
file they import (Otter's ``student_files``): they are not graded there (0 points), since
importing a submitted file would run student code in the process that runs the tests, and
they name ``--tests-in-sandbox``, which gives Otter's score (README.md, "Otter")."""


def test_dlgrade_gives_otters_scores(corpus, sandbox_mode):
    """Otter's scores in the secure mode, but for the listed exceptions, asserted as such."""
    zip_path, subs = corpus
    master = zip_path.parents[2].name.rstrip("0123456789")
    expected = {kind: dict(scores) for kind, scores in EXPECTED[master].items()}
    got = {}
    for kind, nb in subs.items():
        got[kind], not_graded = dlgrade_scores(zip_path, nb, sandbox_mode)
        for question, reason in SECURE_EXCEPTIONS.get(master, {}).items() if nb.suffix == ".zip" else ():
            expected[kind][question] = 0.0
            assert reason in not_graded[question] and "--tests-in-sandbox" in not_graded[question]
    assert got == expected


@pytest.mark.slow
def test_otter_run_gives_these(corpus):
    zip_path, subs = corpus
    master = zip_path.parents[2].name.rstrip("0123456789")
    got = {kind: otter_scores(zip_path, nb) for kind, nb in subs.items()}
    assert got == EXPECTED[master]


def test_tests_in_sandbox_gives_otters_scores(corpus, sandbox_mode):
    """Otter's own runner inside the sandbox (--tests-in-sandbox): the same scores, marked forgeable."""
    zip_path, subs = corpus
    master = zip_path.parents[2].name.rstrip("0123456789")
    bundle = Bundle.load(zip_path)
    question = {tc.name: test_file.name for test_file, tc in bundle.test_cases}
    got = {}
    for kind, nb in subs.items():
        result = grade_submission(nb, bundle, options(sandbox_mode, tests_in_sandbox=True))
        assert result.forgeable and result.to_json()["extra_data"]["forgeable"] is True
        got[kind] = defaultdict(float)
        for test in result.tests:
            got[kind][question[test.name]] += test.score
    assert {k: dict(v) for k, v in got.items()} == EXPECTED[master]
