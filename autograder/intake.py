"""Submission intake: validate a notebook and extract the code the grader will run.

Runs on the trusted side before any student code runs; it only parses. Cells are chosen by
their content, never by metadata a student can delete:

- a code cell whose first line is ``# dlgrade: skip`` (the generated notebook's data-loading
  and long training cells) is not run by the grader;
- of the others, the grader runs what ``autograder.cell_source.grading_source`` keeps: the
  Python under timing magics, without magics, shell escapes and the student-side
  ``grader``/``otter`` statements (each magic or shell line left out is reported as ``NotRun``).
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

from autograder.cell_source import NotRun, grading_source, python_source, runnable
from autograder.otter_compat import split_at_checks

SKIP_MARKER = "# dlgrade: skip"
"""First line of a code cell the grader does not run."""

MAX_NOTEBOOK_BYTES = 20 * 2**20
"""Largest notebook accepted, bytes (also after decompression from a zip)."""

MAX_ZIP_ENTRIES = 100
"""Most files a ``.zip`` submission may hold."""

MAX_CELLS = 1000
"""Most cells (of any type) a notebook may have; checked before any parsing beyond JSON."""

MAX_CODE_BYTES = 2**20
"""Largest total source of a notebook's code cells, bytes (UTF-8); checked with ``MAX_CELLS``."""

MAX_CODE_LINES = 20_000
"""Most lines of code over all code cells; checked with ``MAX_CELLS``. IPython's transforms
cost about 0.1 ms per line: together these bound the trusted side's intake work (nbformat
validation, IPython's transforms, ``ast.parse``) to a few seconds per submission."""

class IntakeError(Exception):
    """The submission cannot be graded; ``str()`` is the message for the student."""


@dataclass(frozen=True)
class CodeCell:
    """One code cell to execute. index: its position among the notebook's cells (0-based)."""

    index: int
    source: str
    not_run: tuple[NotRun, ...] = ()
    """The parts of the cell the grader leaves out (``cell_source.grading_source``)."""
    checks: tuple[str, ...] = ()
    """Questions whose ``grader.check`` ran right after this code (``otter_compat.split_at_checks``)."""


def read_submission(path: Path) -> list[CodeCell]:
    """Validate a submitted ``.ipynb`` (or a ``.zip`` holding one) and return the code cells to
    run, in order: ``submission_cells(path.name, read_submitted(path))``."""
    return submission_cells(path.name, read_submitted(path))


def read_submitted(path: Path, extra_bytes: int = 0) -> bytes:
    """The bytes of the submitted file at ``path``: at most ``MAX_NOTEBOOK_BYTES``, plus
    ``extra_bytes`` for a ``.zip`` (room for the attachments it carries).

    Only a regular file is read: it is opened with ``O_NOFOLLOW | O_NONBLOCK``, so a symbolic
    link is refused and a FIFO or device never blocks, then checked with ``fstat``; the read is
    bounded by the bytes actually read, not by the size ``stat`` reports. Raises IntakeError.
    """
    limit = MAX_NOTEBOOK_BYTES + (extra_bytes if path.suffix.lower() == ".zip" else 0)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IntakeError(f"{path.name!r} is a symbolic link; submit the file itself") from None
        raise IntakeError(f"{path.name!r} cannot be opened ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IntakeError(f"{path.name!r} is not a regular file (a FIFO, device or folder); submit the file itself")
        if info.st_size > limit:
            raise IntakeError(f"the file is {info.st_size / 2**20:.0f} MB; the limit is {limit / 2**20:.0f} MB")
        return _bounded(stream.read, path.name, limit)


def submission_cells(name: str, data: bytes) -> list[CodeCell]:
    """The code cells to run from a submitted file's bytes (``name``: its file name).

    Raises IntakeError (with a message for the student) when the notebook is too large, is not
    UTF-8 JSON, has more than ``MAX_CELLS`` cells, ``MAX_CODE_BYTES`` or ``MAX_CODE_LINES`` of
    code, is not a valid nbformat 4 notebook, or has no code cells; see also
    ``notebook_from_zip``.
    """
    return parse_notebook(notebook_from_zip(data) if name.lower().endswith(".zip") else data)


def read_attachments(path: Path, names: list[str], max_bytes: int, submitted: bytes | None = None) -> dict[str, bytes]:
    """The files named in ``names`` that a student submitted with the notebook at ``path``.

    From a ``.zip`` (``submitted``: its bytes from ``read_submitted``, read here if None): entries with one of those base names, in any folder of the zip (the zip
    itself was already checked by ``notebook_from_zip``). From an ``.ipynb``: files of those
    names beside it, but only when it is the only notebook in its folder, so one student's
    checkpoint is never taken for another's; only regular files are read (symbolic links,
    FIFOs and devices are absent). A missing
    file is simply absent from the answer (the tests that need it fail and say so).

    Raises IntakeError when a file is larger than ``max_bytes`` (counted while reading) or a
    zip holds two files of the same name.
    """
    found: dict[str, bytes] = {}
    if not names:
        return found
    if path.suffix.lower() == ".zip":
        if submitted is None:
            submitted = read_submitted(path, len(names) * max_bytes)
        try:
            with zipfile.ZipFile(io.BytesIO(submitted)) as archive:
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
            fd = os.open(path.parent / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue  # absent, a symbolic link, or unreadable (a FIFO opens without blocking)
        with os.fdopen(fd, "rb") as stream:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                found[name] = _bounded(stream.read, name, max_bytes)
    return found


def zip_files(data: bytes, max_bytes: int) -> dict[str, bytes]:
    """Every file of a ``.zip`` submission (``data``: its bytes, already checked by
    ``notebook_from_zip``) but its notebook, folders, ``__MACOSX/`` and checkpoints: path in
    the zip (POSIX, relative) -> bytes, what Otter extracts into the notebook's folder.

    Raises IntakeError when they hold more than ``max_bytes`` together (counted while reading)
    or a path leaves the zip's folder.
    """
    found: dict[str, bytes] = {}
    left = max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.infolist():
                parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
                if entry.is_dir() or not parts or "__MACOSX" in parts or ".ipynb_checkpoints" in parts or parts[-1].endswith(".ipynb"):
                    continue
                if parts[0] in ("/", "..") or ".." in parts or parts[0].endswith(":"):
                    raise IntakeError(f"the zip holds a path outside its own folder: {entry.filename!r}")
                with archive.open(entry) as stream:
                    found["/".join(parts)] = content = stream.read(left + 1)
                left -= len(content)
                if left < 0:
                    raise IntakeError(f"the files beside the notebook in the zip hold more than {max_bytes / 2**20:g} MiB together")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise IntakeError(f"the files in the zip cannot be read ({exc})") from None
    return found


def _bounded(read, name: str, max_bytes: int) -> bytes:
    data = read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IntakeError(f"{name} is larger than the {max_bytes / 2**20:g} MiB limit")
    return data


def notebook_from_zip(data: bytes) -> bytes:
    """The one notebook inside a ``.zip`` submission (``data``: the zip's bytes), read without
    extracting anything.

    Raises IntakeError for a file that is not a zip, more than ``MAX_ZIP_ENTRIES`` entries,
    absolute paths, ``..`` components, symbolic links, anything that inflates beyond
    ``MAX_NOTEBOOK_BYTES`` (a zip bomb; the size is counted while reading, not taken from the
    zip's own header), or not exactly one ``.ipynb`` outside ``__MACOSX/`` and checkpoints.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
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
    except RecursionError:
        raise IntakeError("the notebook's JSON is nested too deeply") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        version = data.get("nbformat") if isinstance(data, dict) else None
        raise IntakeError(f"the file is not an nbformat 4 notebook (nbformat = {version!r})")
    _check_size(data.get("cells"))
    try:
        notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
        if notebook.get("nbformat_minor", 0) < 5:  # cell ids came in 4.5; Jupyter writes them into 4.4 files too
            for cell in notebook.get("cells", []):
                cell.pop("id", None)
        nbformat.validate(notebook)
    except nbformat.ValidationError as exc:
        raise IntakeError(f"the notebook does not follow nbformat 4: {exc.message}") from None
    except RecursionError:
        raise IntakeError("the notebook's JSON is nested too deeply") from None
    cells = [
        part
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and not cell.source.lstrip().startswith(SKIP_MARKER)
        for part in code_cells(i, cell.source)
    ]
    if not any(c.source.strip() for c in cells):
        raise IntakeError("the notebook has no code to grade")
    return cells


def code_cells(index: int, source: str) -> list[CodeCell]:
    """One cell's code to run: one ``CodeCell``, or one per part between its ``grader.check``
    calls (``otter_compat.split_at_checks``), each carrying the questions checked after it."""
    parts = split_at_checks(python_source(source))
    if len(parts) == 1 and not parts[0][1]:
        return [CodeCell(index, *grading_source(source))]
    return [CodeCell(index, *runnable(part, part), checks=checks) for part, checks in parts]


def _check_size(cells) -> None:
    """Refuse more than ``MAX_CELLS`` cells, ``MAX_CODE_BYTES`` or ``MAX_CODE_LINES`` of code,
    on the raw JSON (a wrong shape is left to nbformat's validation)."""
    if not isinstance(cells, list):
        return
    if len(cells) > MAX_CELLS:
        raise IntakeError(f"the notebook has {len(cells)} cells; the limit is {MAX_CELLS}")
    code = lines = 0
    for cell in cells:
        source = cell.get("source") if isinstance(cell, dict) and cell.get("cell_type") == "code" else None
        parts = [source] if isinstance(source, str) else source if isinstance(source, list) else []
        text = "".join(part for part in parts if isinstance(part, str))
        code += len(text.encode("utf-8", "surrogatepass"))
        lines += text.count("\n") + 1
    if code > MAX_CODE_BYTES:
        raise IntakeError(f"the notebook's code cells hold {code / 2**20:.1f} MiB; the limit is {MAX_CODE_BYTES // 2**20} MiB")
    if lines > MAX_CODE_LINES:
        raise IntakeError(f"the notebook's code cells hold {lines} lines; the limit is {MAX_CODE_LINES}")
