"""Submission intake: validate a notebook and extract the code the grader will run.

Runs on the trusted side before any student code runs; it only parses. Cells are chosen by
their content, never by metadata a student can delete:

- a code cell whose first line is ``# dlgrade: skip`` (the generated notebook's data-loading
  and long training cells) is not run by the grader;
- top-level statements that only serve student-side checks are dropped: ``import otter``,
  ``grader = otter.Notebook(...)``, ``grader.check("q1")``, ``grader.check_all()``,
  ``grader.export(...)``;
- the Python under timing and capturing magics runs without the magic (``%%time``,
  ``%%timeit``, ``%%capture``, ``%%prun``, ``%time``, ``%timeit``, ``%prun``), once;
- other IPython magics (``%matplotlib``, ``%%bash``, ``%%writefile``) and shell escapes
  (``!pip``) are not run, and each is reported to the student (``NotRun``).

Dropped lines become blank (or ``pass``) so line numbers in tracebacks stay the notebook's.
"""

from __future__ import annotations

import ast
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

SKIP_MARKER = "# dlgrade: skip"
"""First line of a code cell the grader does not run."""

MAX_NOTEBOOK_BYTES = 20 * 2**20
"""Largest notebook accepted, bytes (also after decompression from a zip)."""

MAX_ZIP_ENTRIES = 100
"""Most files a ``.zip`` submission may hold."""

STUDENT_ONLY_NAMES = frozenset({"grader", "otter"})
"""Top-level statements that mention these names exist only for student-side checks."""


class IntakeError(Exception):
    """The submission cannot be graded; ``str()`` is the message for the student."""


@dataclass(frozen=True)
class NotRun:
    """Code of a cell that the grader does not run, reported to the student.

    line: 1-based line in the cell (the first line when the whole cell is meant); code: that
    line as the student wrote it; reason: why, in words for the student.
    """

    line: int
    code: str
    reason: str


@dataclass(frozen=True)
class CodeCell:
    """One code cell to execute. index: its position among the notebook's cells (0-based);
    not_run: the parts of it the grader leaves out (see ``grading_source``)."""

    index: int
    source: str
    not_run: tuple[NotRun, ...] = ()


def read_submission(path: Path) -> list[CodeCell]:
    """Validate a submitted ``.ipynb`` (or a ``.zip`` holding one) and return the code cells to
    run, in order.

    Raises IntakeError (with a message for the student) when the file is too large, is not
    UTF-8 JSON, is not a valid nbformat 4 notebook, or has no code cells; see also
    ``notebook_from_zip``.
    """
    if path.suffix.lower() == ".zip":
        raw = notebook_from_zip(path)
    else:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise IntakeError(f"the notebook is {size / 2**20:.0f} MB; the limit is {MAX_NOTEBOOK_BYTES // 2**20} MB")
        raw = path.read_bytes()
    return parse_notebook(raw)


def read_attachments(path: Path, names: list[str], max_bytes: int) -> dict[str, bytes]:
    """The files named in ``names`` that a student submitted with the notebook at ``path``.

    From a ``.zip``: entries with one of those base names, in any folder of the zip (the zip
    itself was already checked by ``notebook_from_zip``). From an ``.ipynb``: files of those
    names beside it, but only when it is the only notebook in its folder, so one student's
    checkpoint is never taken for another's; symbolic links are never followed. A missing
    file is simply absent from the answer (the tests that need it fail and say so).

    Raises IntakeError when a file is larger than ``max_bytes`` (counted while reading) or a
    zip holds two files of the same name.
    """
    found: dict[str, bytes] = {}
    if not names:
        return found
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                for entry in archive.infolist():
                    parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
                    if not parts or parts[-1] not in names or "__MACOSX" in parts or entry.is_dir():
                        continue
                    if parts[-1] in found:
                        raise IntakeError(f"the zip holds two files named {parts[-1]!r}")
                    with archive.open(entry) as stream:
                        found[parts[-1]] = _bounded(stream.read, parts[-1], max_bytes)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise IntakeError(f"the files in the zip cannot be read ({exc})") from None
        return found
    if len([p for p in path.parent.iterdir() if p.suffix.lower() == ".ipynb"]) != 1:
        return found
    for name in names:
        try:
            fd = os.open(path.parent / name, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # absent, a symbolic link, or unreadable
        with os.fdopen(fd, "rb") as stream:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                found[name] = _bounded(stream.read, name, max_bytes)
    return found


def _bounded(read, name: str, max_bytes: int) -> bytes:
    data = read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IntakeError(f"{name} is larger than the {max_bytes / 2**20:g} MiB limit")
    return data


def notebook_from_zip(path: Path) -> bytes:
    """The one notebook inside a ``.zip`` submission, read without extracting anything.

    Raises IntakeError for a file that is not a zip, more than ``MAX_ZIP_ENTRIES`` entries,
    absolute paths, ``..`` components, symbolic links, anything that inflates beyond
    ``MAX_NOTEBOOK_BYTES`` (a zip bomb; the size is counted while reading, not taken from the
    zip's own header), or not exactly one ``.ipynb`` outside ``__MACOSX/`` and checkpoints.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IntakeError(f"the zip file cannot be read ({exc})") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise IntakeError(f"the zip holds {len(entries)} files; the limit is {MAX_ZIP_ENTRIES}")
        notebooks = []
        for entry in entries:
            name = entry.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or (parts and parts[0].endswith(":")) or ".." in parts:
                raise IntakeError(f"the zip holds a path outside its own folder: {name!r}")
            if stat.S_ISLNK(entry.external_attr >> 16):
                raise IntakeError(f"the zip holds a symbolic link: {name!r}")
            if name.endswith(".ipynb") and "__MACOSX" not in parts and ".ipynb_checkpoints" not in parts:
                notebooks.append(entry)
        if len(notebooks) != 1:
            found = ", ".join(e.filename for e in notebooks) or "none"
            raise IntakeError(f"the zip must hold exactly one .ipynb notebook (found: {found})")
        try:
            with archive.open(notebooks[0]) as stream:
                data = stream.read(MAX_NOTEBOOK_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise IntakeError(f"the notebook in the zip cannot be read ({exc})") from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise IntakeError(f"the notebook in the zip inflates beyond the {MAX_NOTEBOOK_BYTES // 2**20} MB limit")
    return data


def parse_notebook(raw: bytes) -> list[CodeCell]:
    """Validate notebook bytes and return the code cells to run (see ``read_submission``)."""
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise IntakeError("the notebook is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise IntakeError(f"the notebook is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        version = data.get("nbformat") if isinstance(data, dict) else None
        raise IntakeError(f"the file is not an nbformat 4 notebook (nbformat = {version!r})")
    try:
        notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
        nbformat.validate(notebook)
    except nbformat.ValidationError as exc:
        raise IntakeError(f"the notebook does not follow nbformat 4: {exc.message}") from None
    cells = []
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.source.lstrip().startswith(SKIP_MARKER):
            continue
        cells.append(CodeCell(i, *grading_source(cell.source)))
    if not any(c.source.strip() for c in cells):
        raise IntakeError("the notebook has no code to grade")
    return cells


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
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(source)
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
