"""Build an assignment: outline + reference → Otter master notebook → ``otter assign`` →
``DIST/student/<id>.ipynb`` and ``DIST/autograder.zip``; then verify the tests.

Steps:

1. ``master_notebook``: the outline's cells; for each question its prompt, the reference
   function's source (solution regions marked ``# BEGIN SOLUTION`` / ``# END SOLUTION``) and
   its public test cases as Otter exception-based test cells.
2. ``otter assign`` stubs the solution regions, adds ``grader.check`` cells and embeds the
   public tests in the student notebook's metadata.
3. ``autograder.zip`` gets ``dlgrade.json``, the assignment's test files, public and hidden,
   and its modules (``solution.py``, grader-only helpers) for the hidden tests to import.
4. ``verify``: the solution notebook must score full marks and the untouched student notebook
   0 on every hidden test, graded the same way submissions are; otherwise the build fails.
"""

from __future__ import annotations

import ast
import inspect
import shutil
import tempfile
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat
from otter.test_files import ExceptionTestFile

from autograder.assignment_package import PACKAGE, ModulePackage, folder_sources, own_module
from autograder.build.expectations import check_reference, check_stub
from autograder.build.spec import AssignmentSpec
from autograder.check import grading_environment
from autograder.bundle import Bundle, BundleConfig, rewrite_config, write_bundle
from autograder.grading.budget import measured
from autograder.grading.grade import GradeOptions, grade_submission
from autograder.grading.results import SubmissionResult


class BuildError(Exception):
    """The assignment could not be built, or its tests failed verification."""


@dataclass
class BuildOutput:
    """Paths written by a build, and the verification results (None when skipped)."""

    student_notebook: Path
    solution_notebook: Path
    autograder_zip: Path
    solution_result: SubmissionResult | None = None
    stub_result: SubmissionResult | None = None


ASSIGNMENT_CONFIG = """# ASSIGNMENT CONFIG
name: {id}
init_cell: true
check_all_cell: false
export_cell: false
run_tests: false
solutions_pdf: false
template_pdf: false
generate: false
tests:
  files: false
  ok_format: false
"""


def master_notebook(spec: AssignmentSpec) -> nbformat.NotebookNode:
    """The Otter master notebook (format v1) for ``spec``."""
    reference = own_module(spec.solution_file, "solution")
    package = ModulePackage(PACKAGE, folder_sources(spec.folder), str(spec.folder))
    cells = [nbformat.v4.new_raw_cell(ASSIGNMENT_CONFIG.format(id=spec.id))]
    for outline in spec.cells:
        if not outline.question:
            if outline.markdown:
                cells.append(nbformat.v4.new_markdown_cell(outline.markdown.strip()))
            if outline.code:
                cells.append(nbformat.v4.new_code_cell(outline.code.strip()))
            continue
        name = outline.question
        function = getattr(reference, name, None)
        if function is None:
            raise BuildError(f"{spec.solution_file} has no function '{name}' for question '{name}'")
        source = inspect.getsource(function)
        if "# BEGIN SOLUTION" not in source:
            raise BuildError(f"{spec.solution_file}: {name} has no '# BEGIN SOLUTION' region")
        test_source = spec.test_file(name).read_text()
        with package.installed():  # hidden test files may import the assignment's modules at the top
            points = sum(float(tc.points or 0) for tc in ExceptionTestFile.from_string(test_source).test_cases)
        cells += [
            nbformat.v4.new_raw_cell(f"# BEGIN QUESTION\nname: {name}\npoints: {points:g}"),
            nbformat.v4.new_markdown_cell(outline.markdown.strip()),
            nbformat.v4.new_raw_cell("# BEGIN SOLUTION"),
            nbformat.v4.new_code_cell(source.strip()),
            nbformat.v4.new_raw_cell("# END SOLUTION"),
            nbformat.v4.new_raw_cell("# BEGIN TESTS"),
            *(nbformat.v4.new_code_cell(c) for c in public_test_cells(test_source)),
            nbformat.v4.new_raw_cell("# END TESTS"),
            nbformat.v4.new_raw_cell("# END QUESTION"),
        ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def public_test_cells(test_source: str) -> list[str]:
    """The public test cases of an Otter test file, each as an Otter-assign test cell.

    A test cell is a ``# BEGIN TEST CONFIG`` docstring (points, hidden) and the test function
    without its decorator. Public tests run in the student's kernel, so they must only use
    their parameters and what they import themselves.
    """
    tree = ast.parse(test_source)
    lines = test_source.splitlines()
    cells = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
            continue
        decorator = node.decorator_list[0]
        if not (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "test_case"):
            continue
        options = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
        if options.get("hidden", False):
            continue
        body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        config = f'""" # BEGIN TEST CONFIG\npoints: {options.get("points", 1)}\nhidden: false\n""" # END TEST CONFIG'
        cells.append(f"{config}\n{textwrap.dedent(body)}")
    return cells


def hidden_test_summary(test_files: dict[str, str], modules: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """What the student notebook says about the hidden tests: question -> [{"name": test
    function name, "points": float}], in the order of ``test_files`` (notebook order). Names only
    (they are shown in feedback anyway): never a hidden test's source or docstring. modules: the
    assignment's modules (``folder_sources``), which test files may import at their top."""
    config = BundleConfig(id="summary", questions=[n.removesuffix(".py") for n in test_files])
    bundle = Bundle.from_sources(config, test_files, modules=modules)
    return {f.name: [{"name": tc.name, "points": float(tc.points or 0)} for tc in f.test_cases if tc.hidden] for f in bundle.test_files}


def environment_line(environment: dict[str, str]) -> str:
    """The student notebook's visible statement of the grading environment (issue 14, item 7)."""
    names = {"python": "Python", "numpy": "NumPy", "torch": "torch"}
    versions = ", ".join(f"{names.get(k, k)} {v}" for k, v in environment.items())
    return (
        f"**Grading environment:** {versions}. Your notebook is graded with these versions; code written for an "
        "older major version (NumPy 1's `np.int`, say) may fail there. `dlgrade check` warns when yours differ."
    )


def build(spec_dir: Path, dist: Path, options: GradeOptions | None = None) -> BuildOutput:
    """Build the assignment in ``spec_dir`` into ``dist``; verify it when ``options`` is given.

    Raises BuildError when otter assign fails or verification finds a test that does not tell
    the reference from the stub.
    """
    from otter.assign import main as otter_assign

    spec = AssignmentSpec.load(spec_dir)
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlgrade-build-") as tmp:
        master = Path(tmp) / f"{spec.id}.ipynb"
        nbformat.write(master_notebook(spec), master)
        try:
            otter_assign(str(master), str(Path(tmp) / "out"), no_pdfs=True, no_run_tests=True)
        except Exception as exc:
            raise BuildError(f"otter assign failed: {exc}") from exc
        out = BuildOutput(dist / "student" / f"{spec.id}.ipynb", dist / "solution" / f"{spec.id}.ipynb", dist / "autograder.zip")
        for produced, target in ((Path(tmp) / "out" / "student", out.student_notebook), (Path(tmp) / "out" / "autograder", out.solution_notebook)):
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(produced / f"{spec.id}.ipynb", target)
    for name in spec.config.attachments:  # the reference's checkpoint etc., beside the solution
        shutil.copyfile(spec.attachment(name), out.solution_notebook.parent / name)
    test_files = {f"{q}.py": spec.test_file(q).read_text() for q in spec.questions}
    modules = folder_sources(spec.folder)
    environment = grading_environment()
    for path in (out.student_notebook, out.solution_notebook):  # for dlgrade check
        notebook = nbformat.read(path, as_version=4)
        notebook.metadata["dlgrade"] = {"hidden_tests": hidden_test_summary(test_files, modules), "environment": environment,
                                        "attachments": list(spec.config.attachments)}
        notebook.cells.insert(1, nbformat.v4.new_markdown_cell(environment_line(environment)))
        nbformat.write(notebook, path)
    config = replace(spec.config, environment=environment, questions=list(spec.questions))
    write_bundle(out.autograder_zip, config, test_files, modules)
    if options is not None:
        verify(out, options)
    return out


def verify(out: BuildOutput, options: GradeOptions) -> None:
    """Grade the solution and the untouched stub; raise BuildError unless the solution scores
    full marks and the stub scores 0 on every hidden test."""
    bundle = Bundle.load(out.autograder_zip)
    out.solution_result = grade_submission(out.solution_notebook, bundle, options, "solution")
    out.stub_result = grade_submission(out.student_notebook, bundle, options, "stub")
    failed = [c for c in (check_reference(out.solution_result), check_stub(out.stub_result)) if not c.ok]
    if failed:
        raise BuildError("verification failed:\n  " + "\n  ".join(f"{c.submission} {c.detail}" for c in failed))
    tests, cells = measured(out.solution_result)  # each test's time budget (autograder.grading.budget)
    rewrite_config(out.autograder_zip, replace(bundle.config, reference_seconds=tests, reference_cells_seconds=cells))
