"""Shared fixtures: the data folder, the sandbox mode, one build of mnist-softmax per session,
and a helper that writes submissions as notebooks."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from autograder.build.spec import tomllib  # noqa: F401  (tomllib, or tomli before Python 3.11, for the tests)
from autograder.bundle import Bundle, write_bundle
from autograder.grading.grade import GradeOptions
from autograder.grading.launcher import SandboxUnavailable, check_sandbox
from autograder.datasets import mnist_available

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One core per xdist worker: torch's default of one OpenMP thread per core, in every worker,
    # oversubscribes the cores and slows the trusted side's reference models tenfold.
    import torch

    torch.set_num_threads(1)

REPO = Path(__file__).resolve().parent

DEVICES = ["cpu"] + (["cuda"] if __import__("torch").cuda.is_available() else [])
"""The devices reference tests run on: the CPU, and CUDA where there is a GPU."""
ASSIGNMENT = REPO / "assignments" / "mnist-softmax"


def data_dir() -> Path | None:
    """$DLGRADE_DATA_DIR, else ../shared/data beside the checkout, else None."""
    env = os.environ.get("DLGRADE_DATA_DIR")
    candidate = Path(env).resolve() if env else REPO.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The data folder holding real MNIST; tests that need it are skipped (with the reason) without it."""
    folder = data_dir()
    if not mnist_available(folder):
        pytest.skip("real MNIST not found: set DLGRADE_DATA_DIR to a folder holding mnist/")
    return folder


@pytest.fixture(scope="session")
def sandbox_mode() -> str:
    """"bwrap" where bubblewrap works. Without it the isolation tests are skipped, unless
    DLGRADE_REQUIRE_BWRAP=1 (CI), where its absence is an error."""
    try:
        check_sandbox("bwrap")
    except SandboxUnavailable as exc:
        if os.environ.get("DLGRADE_REQUIRE_BWRAP") == "1":
            pytest.fail(f"bubblewrap is required here: {exc}")
        pytest.skip(f"bubblewrap unavailable: {exc}")
    return "bwrap"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """mnist-softmax built once (without verification) into a session temp folder."""
    from autograder.build.assign import build

    return build(ASSIGNMENT, tmp_path_factory.mktemp("dist"), options=None)


@pytest.fixture(scope="session")
def fast_bundle(built, tmp_path_factory) -> Path:
    """The mnist-softmax bundle with a 5 s limit on running the cells (and on each short call),
    so fault tests finish quickly; the MNIST training test keeps its own 180 s budget."""
    bundle = Bundle.load(built.autograder_zip)
    import zipfile

    with zipfile.ZipFile(built.autograder_zip) as zf:
        files = {n[len("tests/"):]: zf.read(n).decode() for n in zf.namelist() if n.startswith("tests/")}
    config = replace(bundle.config, limits=replace(bundle.config.limits, call_timeout=5.0), reference_seconds={}, reference_cells_seconds=None)
    path = tmp_path_factory.mktemp("fast") / "autograder.zip"
    write_bundle(path, config, files, bundle.package.sources)
    return path


TINY_TEST_FILE = """
from otter.test_files import test_case

OK_FORMAT = False
name = "double"


@test_case(points=1, hidden=False)
def test_public(double):
    assert double(2) == 4, "double(2) should be 4"


@test_case(points=2, hidden=True)
def test_hidden(double, rng):
    import numpy as np

    x = rng.normal(size=5)
    assert np.array_equal(double(x), 2 * x), "double(x) should be 2 * x"
"""
"""A one-question assignment (``double``) for fault tests that need no data."""


def assignment_test_module(assignment: str, question: str):
    """``assignments/<assignment>/tests/<question>.py`` as a module, for its constants and helpers
    (so reference tests use the very data and thresholds the hidden tests use). Its imports of
    ``assignment`` get the folder's own package (``autograder.assignment_package.load_folder``),
    now and when its functions run later."""
    import builtins
    import importlib.util

    from autograder.assignment_package import PACKAGE, load_folder

    own = load_folder(REPO / "assignments" / assignment).__name__

    def import_own(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == PACKAGE or name.startswith(PACKAGE + ".")):
            name = own + name[len(PACKAGE):]
        return builtins.__import__(name, globals, locals, fromlist, level)

    path = REPO / "assignments" / assignment / "tests" / f"{question}.py"
    spec = importlib.util.spec_from_file_location(f"{assignment.replace('-', '_')}_{question}", path)
    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = {**builtins.__dict__, "__import__": import_own}
    spec.loader.exec_module(module)
    return module


def grader_rng(assignment: str, question: str, test: str):
    """The ``rng`` fixture the grader gives hidden test ``test`` of
    ``assignments/<assignment>/tests/<question>.py``: seeded by ``make_fixtures`` with the
    assignment's seed and the test case's name as ``Bundle.load`` gives it (the test file's
    ``name``, a dot, the function's name), so calibration runs on the hidden test's own data."""
    from autograder.grading.runner import make_fixtures

    seed = tomllib.loads((REPO / "assignments" / assignment / "assignment.toml").read_text())["seed"]
    file_name = assignment_test_module(assignment, question).name
    return make_fixtures(f"{file_name}.{test}", seed, {})["rng"]


def tiny_bundle(folder: Path, **limits) -> Path:
    """Write an autograder zip for TINY_TEST_FILE with the given resource limits."""
    from autograder.bundle import BundleConfig, Limits

    path = folder / "tiny.zip"
    write_bundle(path, BundleConfig(id="tiny", seed=1, limits=Limits(**limits)), {"double.py": TINY_TEST_FILE})
    return path


def code_notebook(dest: Path, *cells: str) -> Path:
    """A submission made of the given code cells."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, dest)
    return dest


DOUBLE = "def double(x):\n    return 2 * x\n"
"""A correct answer to the tiny assignment."""


def options(sandbox: str, data_dir: Path | None = None, **kw) -> GradeOptions:
    return GradeOptions(sandbox=sandbox, data_dir=str(data_dir) if data_dir else None, threads=1, **kw)


def notebook_from(solution: Path, dest: Path, replace_text: dict[str, str] | None = None, extra_cells: list[str] = ()) -> Path:
    """Write a submission: the solution notebook with text replaced in its code cells and code
    cells appended. Raises AssertionError if a replacement matches nothing."""
    nb = nbformat.read(solution, as_version=4)
    for old, new in (replace_text or {}).items():
        hits = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        assert hits, f"no code cell contains {old!r}"
        for cell in hits:
            cell.source = cell.source.replace(old, new)
    nb.cells += [nbformat.v4.new_code_cell(src) for src in extra_cells]
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


def scores_by_test(result) -> dict[str, float]:
    return {t.name: t.score for t in result.tests}
