"""Otter's grading semantics for plain ``otter assign`` zips (no ``dlgrade.json``).

What Otter 7 does when it grades a notebook (``otter.execute.grade_notebook`` and its
``GradingPreprocessor``; ``otter.run.run_autograder.runners``), and how dlgrade matches it:

- **support files**: everything under ``files/`` in the autograder zip is copied into the
  submission's folder, the notebook's working directory (``AbstractRunner.prepare_files``);
- **seeds** (``otter_config.json``: ``seed``, ``seed_variable``): without ``seed_variable``,
  ``np.random.seed(seed)`` and ``random.seed(seed)`` run before every code cell; with it,
  ``<seed_variable> = seed`` does (``GradingPreprocessor.add_seeds``);
- **checks**: in grading mode each ``grader.check("q")`` runs q's tests against the globals at
  that point, the last check of a question counts, and questions never checked run after the
  last cell (``Checker.check_if_not_already_checked``, ``GradingResults``);
- **all_or_nothing** (a test file's ``all_or_nothing = True``): a question scores 0 unless
  every one of its cases passes (``TestFile.score``);
- **student files** (``student_files`` in Otter's assignment config: ``.py`` files submitted in
  the zip with the notebook): every file of a zip submission is in the notebook's folder
  (``BundleConfig.zip_files``), importable by the notebook and, with ``--tests-in-sandbox``, by
  the tests. A test that imports one (``import units``) would run submitted code on the trusted
  side, so the secure mode does not run it: it is not graded and says why
  (``submitted_imports``, ``SUBMITTED_IMPORT``).
"""

from __future__ import annotations

import ast
import doctest
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass, field, replace

CONFIG_NAME = "otter_config.json"
REQUIREMENTS_NAME = "requirements.txt"
PRELOADABLE = {"numpy": "numpy", "np": "numpy", "pandas": "pandas", "pd": "pandas", "torch": "torch", "nn": "torch",
               "scipy": "scipy", "sklearn": "sklearn", "scikit": "sklearn", "matplotlib": "matplotlib", "plt": "matplotlib"}
"""Names (module names, their usual aliases, requirement names) that show an assignment uses a
module worth importing once per warm sandbox, and that module."""
FILES_PREFIX = "files/"
MAX_SUPPORT_BYTES = 256 * 2**20
"""Support files in one zip, all together, bytes."""


@dataclass(frozen=True)
class OtterConfig:
    """The parts of a plain Otter zip that change how a notebook runs.

    - seed: Otter's ``seed`` (int) or None.
    - seed_variable: Otter's ``seed_variable`` (a variable name) or None.
    - files: support files, path relative to the notebook's folder -> bytes.
    """

    seed: int | None = None
    seed_variable: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def from_zip(cls, zf: zipfile.ZipFile) -> "OtterConfig":
        """Read ``otter_config.json`` and ``files/`` from an ``otter assign`` zip.

        Raises ValueError for an unreadable config, a bad seed or seed_variable, or a support
        file whose path leaves the notebook's folder or that is over ``MAX_SUPPORT_BYTES``.
        """
        names = zf.namelist()
        config = json.loads(zf.read(CONFIG_NAME)) if CONFIG_NAME in names else {}
        if not isinstance(config, dict):
            raise ValueError(f"{CONFIG_NAME} is not a JSON object")
        seed, variable = config.get("seed"), config.get("seed_variable")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"{CONFIG_NAME}: seed must be an integer, got {seed!r}")
        if variable is not None and not (isinstance(variable, str) and variable.isidentifier()):
            raise ValueError(f"{CONFIG_NAME}: seed_variable must be a variable name, got {variable!r}")
        files, total = {}, 0
        for info in zf.infolist():
            if not info.filename.startswith(FILES_PREFIX) or info.is_dir():
                continue
            relative = posixpath.normpath(info.filename[len(FILES_PREFIX):])
            if relative.startswith(("/", "..")) or relative == ".":
                raise ValueError(f"support file {info.filename!r} leaves the notebook's folder")
            total += info.file_size
            if total > MAX_SUPPORT_BYTES:
                raise ValueError(f"support files exceed {MAX_SUPPORT_BYTES // 2**20} MB")
            files[relative] = zf.read(info)
        return cls(seed, variable, files)

    def seed_source(self) -> str | None:
        """The code Otter runs before every cell, or None without a seed."""
        if self.seed is None:
            return None
        if self.seed_variable is not None:
            return f"{self.seed_variable} = {self.seed}\n"
        return f"import numpy as _otter_np, random as _otter_random\n_otter_np.random.seed({self.seed})\n_otter_random.seed({self.seed})\n"


def check_question(node: ast.stmt) -> str | None:
    """The question of a top-level ``<notebook>.check("q")`` statement, else None."""
    call = node.value if isinstance(node, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "check"):
        return None
    if not isinstance(call.func.value, ast.Name) or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def split_at_checks(python: str) -> list[tuple[str, tuple[str, ...]]]:
    """Split a cell's Python source at its top-level ``grader.check("q")`` statements.

    Returns [(source, questions checked right after it), ...] covering the cell in order, the
    checks themselves left out (nothing after the last check: no part for it); each part keeps its line numbers (it is padded with newlines),
    so tracebacks point at the student's lines. Source with a syntax error is one part.
    """
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return [(python, ())]
    lines = python.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(lineno: int, col: int) -> int:  # ast columns count UTF-8 bytes
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    parts, begin = [], 0
    for node in tree.body:
        question = check_question(node)
        if question is None:
            continue
        parts.append((python[begin : offset(node.lineno, node.col_offset)], (question,), begin))
        begin = offset(node.end_lineno, node.end_col_offset)
    if not parts:
        return [(python, ())]
    if python[begin:].strip(" \t\n;"):
        parts.append((python[begin:], (), begin))
    out = []
    for text, questions, at in parts:
        text = re.sub(r"\A[ \t]*;?[ \t]*", "", text)  # what followed a check on its line
        out.append(("\n" * python.count("\n", 0, at) + text, questions))
    return out


def seeded(cells: list, config: OtterConfig | None) -> list:
    """``cells`` (``intake.CodeCell``) with Otter's seeding code run before each notebook cell."""
    source = config.seed_source() if config else None
    if source is None:
        return cells
    out, previous = [], None
    for cell in cells:
        if cell.index != previous:  # a cell split at its checks is seeded once, at its start
            out.append(replace(cell, source=source, checks=()))
        out.append(cell)
        previous = cell.index
    return out


def check_steps(cells: list) -> list[tuple[list, tuple[str, ...]]]:
    """Group cells into steps: [(cells to run, questions to check after them), ...], in order.
    The last step's questions are empty: whatever was never checked runs after it."""
    steps, current = [], []
    for cell in cells:
        current.append(cell)
        if cell.checks:
            steps.append((current, tuple(cell.checks)))
            current = []
    steps.append((current, ()))
    return steps


def apply_all_or_nothing(test_files: list, results: list) -> None:
    """Zero every case of an ``all_or_nothing`` test file unless all of them passed.

    ``test_files``: Otter ``TestFile`` objects; ``results``: ``TestResult`` objects named as the bundle names its cases, changed in place.
    """
    by_name = {r.name: r for r in results}
    for test_file in test_files:
        if not getattr(test_file, "all_or_nothing", False):
            continue
        mine = [by_name[tc.name] for tc in test_file.test_cases if tc.name in by_name]
        if not all(r.passed for r in mine):
            for r in mine:
                r.score = 0.0


def preload_modules(test_sources: dict[str, str], requirements: str = "") -> list[str]:
    """What a warm sandbox should import for a plain Otter zip, which does not say what its
    notebook imports: the heavy modules (``PRELOADABLE``) whose names or usual aliases appear in
    the test files (test parameters such as ``np``, imports, doctest code) or in the zip's
    ``requirements.txt``; torch brings ``torch._dynamo`` (imported by the first torch.optim
    optimizer). An over-approximation costs start-up time only; a module missed is imported by
    the submission itself."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", "\n".join([*test_sources.values(), requirements])))
    modules = sorted({PRELOADABLE[w] for w in words if w in PRELOADABLE})
    return modules + (["torch._dynamo"] if "torch" in modules else [])


def case_name(test_file, index: int) -> str:
    """The name dlgrade reports for case ``index`` of an Otter ``TestFile``: its own name, or in
    place of Otter's default ``"q1 - 1"`` the question and the test function
    (``q1.test_shapes``), or ``q1.case_1`` for an OK-format (doctest) case, which has none."""
    tc = test_file.test_cases[index]
    if tc.name != f"{test_file.name} - {index + 1}":
        return tc.name
    function = getattr(getattr(tc.body, "test_func", None), "__name__", None)
    return f"{test_file.name}.{function or f'case_{index + 1}'}"


SUBMITTED_IMPORT = (
    "Not graded in dlgrade's secure mode: this test imports {names}, submitted with your notebook, and the "
    "secure mode never runs submitted code in the process that runs the tests. The grader can grade it with "
    "`dlgrade grade --tests-in-sandbox` (Otter's own runner, inside the sandbox)."
)
"""What a student and the grader read for a test ``submitted_imports`` finds."""


def submitted_modules(files: dict[str, bytes]) -> set[str]:
    """The module names a submission's files (path in its zip -> bytes) make importable from
    the notebook's folder: ``units`` for ``units.py``, ``pkg`` for ``pkg/...py``."""
    names = set()
    for path in files:
        top, _, rest = path.partition("/")
        if path.endswith(".py") and (rest or top.removesuffix(".py").isidentifier()):
            names.add(top if rest else top.removesuffix(".py"))
    return names


def submitted_imports(test_file, tc, modules: set[str]) -> list[str]:
    """The names in ``modules`` that test case ``tc`` of ``test_file`` imports, sorted: from its
    doctest examples (OK format) or its test function's body (exception-based)."""
    if hasattr(getattr(tc.body, "test_func", None), "__name__"):
        function = tc.body.test_func.__name__
        tree = ast.parse(test_file.source)
        trees = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function]
    else:
        trees = []
        for example in doctest.DocTestParser().get_examples(str(tc.body)):
            try:
                trees.append(ast.parse(example.source))
            except SyntaxError:
                continue
    imported = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.partition(".")[0])
    return sorted(imported & modules)
