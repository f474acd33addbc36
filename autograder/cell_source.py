"""Which code of a notebook cell the grader runs, and what it leaves out (parse only, never run).

IPython syntax is translated to Python (IPython's own ``TransformerManager``), then:

- the Python under timing and capturing magics runs without the magic (``%%time``,
  ``%%timeit``, ``%%capture``, ``%%prun``, ``%time``, ``%timeit``, ``%prun``), once;
- other IPython magics (``%matplotlib``, ``%%bash``, ``%%writefile``) and shell escapes
  (``!pip``) are not run, and each is reported to the student (``NotRun``);
- top-level statements that only serve student-side checks are dropped silently: ``import
  otter``, ``grader = otter.Notebook(...)``, ``grader.check("q1")``, ``grader.check_all()``,
  ``grader.export(...)``.

Dropped lines become blank (or ``pass``) so line numbers in tracebacks stay the notebook's.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

STUDENT_ONLY_NAMES = frozenset({"grader", "otter"})
"""Top-level statements that mention these names exist only for student-side checks."""


@dataclass(frozen=True)
class NotRun:
    """Code of a cell that the grader does not run, reported to the student.

    line: 1-based line in the cell (the first line when the whole cell is meant); code: that
    line as the student wrote it; reason: why, in words for the student.
    """

    line: int
    code: str
    reason: str



RUN_BODY_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
"""Magics whose Python the grader runs once, without the magic (line and cell forms)."""

NO_EFFECT_MAGICS = frozenset({"matplotlib", "load_ext", "reload_ext", "autoreload", "config", "pinfo", "pinfo2", "who", "whos"})
"""Line magics that change nothing the grader looks at."""


TIMEIT_OPTIONS = re.compile(r"^\s*(?:-(?:[nrp]\s*\d+|[tcqo])\s+)*")
"""``%timeit``'s options before the statement it times (IPython's ``%timeit?``)."""


def grading_source(source: str) -> tuple[str, tuple[NotRun, ...]]:
    """The part of a cell's source that the grader runs, and what it leaves out.

    IPython syntax is first translated to Python. Timing and capturing magics
    (``RUN_BODY_MAGICS``) are replaced by the code they wrap; other magics and shell escapes
    are removed and listed as ``NotRun``; top-level statements that mention ``grader`` or
    ``otter`` are removed silently. Removed lines are left blank, so line numbers match the
    cell. A cell with a syntax error is returned unchanged, so executing it reports the error
    to the student.
    """
    return runnable(python_source(source), source)


def runnable(python: str, source: str) -> tuple[str, tuple[NotRun, ...]]:
    """``grading_source`` of a cell whose IPython syntax is already translated (``python``);
    ``source``: the cell as written (quoted in ``NotRun``; returned when ``python`` does not parse)."""
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return source, ()
    original = source.splitlines()
    if len(tree.body) == 1 and _ipython_call(tree.body[0]) == "run_cell_magic":
        return _cell_magic(tree.body[0].value.args, original)
    lines = python.splitlines(keepends=True)
    not_run: list[NotRun] = []
    dropped: set[int] = set()
    for node in ast.walk(tree):  # outer statements first
        if not isinstance(node, ast.stmt) or node.lineno in dropped:
            continue
        method = _ipython_call(node)
        if method is None and not (node in tree.body and _student_only(node)):
            continue
        first = node.lineno - 1
        code = original[first].strip() if first < len(original) else ""
        args = [a.value for a in node.value.args if isinstance(a, ast.Constant)] if method else []
        kept = _run_body(node, method, args, lines[first]) if method else None
        if kept is not None:
            lines[first] = kept
            continue
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        lines[first : node.end_lineno] = [f"{indent}pass\n"] + ["\n"] * (node.end_lineno - node.lineno)
        dropped.update(range(node.lineno, node.end_lineno + 1))
        if method is not None or _calls_get_ipython(node):
            not_run.append(NotRun(node.lineno, code[:200], _reason(method, args)))
    return "".join(lines), tuple(not_run)


def _cell_magic(args: list[ast.expr], original: list[str]) -> tuple[str, tuple[NotRun, ...]]:
    name, _line, body = (a.value if isinstance(a, ast.Constant) else "" for a in args)
    first = next((i for i, line in enumerate(original) if line.startswith("%%")), 0)
    if name not in RUN_BODY_MAGICS:
        reason = f"a `%%{name}` cell is not Python; the grader does not run it"
        return "", (NotRun(first + 1, original[first][:200], reason),)
    inner, not_run = grading_source(body)
    shift = first + 1
    return "\n" * shift + inner, tuple(NotRun(n.line + shift, n.code, n.reason) for n in not_run)


def _run_body(node: ast.stmt, method: str, args: list, line: str) -> str | None:
    """The line with a timing line magic replaced by the code it times, or None."""
    if method != "run_line_magic" or len(args) != 2 or args[0] not in RUN_BODY_MAGICS:
        return None
    code = TIMEIT_OPTIONS.sub("", str(args[1])) if args[0] == "timeit" else str(args[1]).strip()
    try:
        ast.parse(code)
    except SyntaxError:
        return None  # options such as ``%timeit -n 10 f()``
    indent = line[: len(line) - len(line.lstrip())]
    if isinstance(node, ast.Expr):
        return f"{indent}{code}\n"
    call = node.value
    if call.lineno != call.end_lineno:
        return None
    return line[: call.col_offset] + f"({code})" + line[call.end_col_offset :]


def _reason(method: str | None, args: list) -> str:
    if method in ("system", "getoutput"):
        return "shell commands (`!`) do not run when grading: the grader installs nothing and has no network"
    name = str(args[0]) if args else ""
    if method == "run_line_magic" and name in NO_EFFECT_MAGICS:
        return f"`%{name}` changes nothing when grading"
    if method == "run_line_magic" and name in RUN_BODY_MAGICS:
        return f"the grader could not separate the code from the options of `%{name}`: write the call on its own line"
    return f"IPython magics such as `%{name}` do not run when grading" if name else "IPython-only code does not run when grading"


def _ipython_call(node: ast.stmt) -> str | None:
    """``m`` for a statement ``get_ipython().m(...)`` or ``x = get_ipython().m(...)``, else None."""
    if not isinstance(node, (ast.Expr, ast.Assign)):
        return None
    call = node.value
    if (
        isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call)
        and isinstance(call.func.value.func, ast.Name) and call.func.value.func.id == "get_ipython"
    ):
        return call.func.attr
    return None


def _calls_get_ipython(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "get_ipython" for n in ast.walk(node))


def _student_only(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        return all(m.split(".")[0] == "otter" for m in modules)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if names & STUDENT_ONLY_NAMES:
        return True
    return not hasattr(node, "body") and _calls_get_ipython(node)  # compound: its own statements are visited


def python_source(source: str) -> str:
    """A cell's source with IPython syntax (magics, ``!shell``) translated to Python."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)
