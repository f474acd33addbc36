"""Which files are submissions, whose they are, and the results folder of each.

``IDENTITY_RULE`` is the one rule that says whose a submission is; ``collect_submissions``
applies it, and every export matches the names it gives to the roster
(``autograder.exports.canvas.MATCHING_RULE``).
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SUBMISSION_SUFFIXES = (".ipynb", ".zip")

IDENTITY_RULE = """\
A submission's name (whose it is) comes from where the file sits, never from what the file is
called inside a student's folder:

1. a file in a subfolder of a folder given to `dlgrade grade`, at any depth, is the student's
   named by the first folder level: SUBMISSIONS/jdoe3/hw1.ipynb and
   SUBMISSIONS/jdoe3/work/final.zip are both jdoe3's;
2. a file directly in a given folder, or given itself, is named by its file name without the
   extension (the flat layout of Canvas's "Download Submissions").

Two files that claim one name (compared case-insensitively: two notebooks in one student's
folder, or jdoe3.ipynb beside a folder jdoe3/) are an error: none of them is graded and all
are listed. Symbolic links (to files or folders), FIFOs and devices are never followed or
read; they are listed as refused. Files under .ipynb_checkpoints/ are ignored."""

RESERVED_NAMES = frozenset(
    name + tmp for name in ("grades.csv", "final_grades.csv", "summary.html", "assignment.json") for tmp in ("", ".tmp")
)
"""Files of the results folder itself, never a submission's folder."""

MAX_NAME_BYTES = 120
"""Longest results folder name kept from a submission's name, UTF-8 bytes (filesystems allow 255)."""


def result_folder(name: str) -> str:
    """The results folder (one path component inside ``-o``) for the submission ``name``.

    ``name`` itself when it is safe: no path separator, control or format character (Unicode
    category C), no leading or trailing dot or space, at most ``MAX_NAME_BYTES`` bytes, and
    not one of ``RESERVED_NAMES``. Otherwise the name with those characters replaced by ``_``,
    stripped and shortened, then ``-`` and the first 8 hex digits of the name's sha256: still
    readable, unique, and the same on every run (so a batch resumes).
    """
    cleaned = "".join("_" if c in "/\\" or unicodedata.category(c).startswith("C") else c for c in name)
    cleaned = cleaned.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").strip(" .")
    if cleaned == name and name.lower() not in RESERVED_NAMES:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{cleaned or 'submission'}-{digest}"


@dataclass
class Collection:
    """What ``collect_submissions`` found.

    - submissions: submission name (its results folder, see ``result_folder``) -> its file.
    - refused: file -> why it is not graded (a symbolic link, not a regular file, or one of
      several files claiming one name).
    """

    submissions: dict[str, Path] = field(default_factory=dict)
    refused: dict[Path, str] = field(default_factory=dict)


def collect_submissions(paths: list[Path]) -> Collection:
    """Find the ``.ipynb`` and ``.zip`` submissions in ``paths`` (files, or folders searched
    recursively without following symbolic links) and name each by ``IDENTITY_RULE``."""
    collection = Collection()
    claims: dict[str, list[tuple[str, Path]]] = {}
    for root in paths:
        for file, owner in _candidates(Path(root), collection.refused):
            name = result_folder(owner)
            claims.setdefault(name.casefold(), []).append((name, file))
    for claimed in claims.values():
        if len(claimed) == 1:
            name, file = claimed[0]
            collection.submissions[name] = file
            continue
        files = ", ".join(str(f) for _, f in claimed)
        for name, file in claimed:
            collection.refused[file] = f"{len(claimed)} files claim the submission {name!r} ({files}); none is graded"
    collection.submissions = dict(sorted(collection.submissions.items()))
    return collection


def _candidates(root: Path, refused: dict[Path, str]):
    """(file, the name it claims) for each submission file under ``root``; symbolic links and
    non-regular files go to ``refused``."""
    if not root.is_dir():
        if _regular(root, refused):
            yield root, root.stem
        return
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        for d in dirs:
            if (here / d).is_symlink():
                refused[here / d] = "a symbolic link to a folder: not followed"
        rel = here.relative_to(root).parts
        for name in sorted(files):
            path = here / name
            if path.suffix.lower() in SUBMISSION_SUFFIXES and _regular(path, refused):
                yield path, rel[0] if rel else path.stem


def _regular(path: Path, refused: dict[Path, str]) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        refused[path] = f"cannot be read ({exc.strerror})"
        return False
    if stat.S_ISLNK(mode):
        refused[path] = "a symbolic link: not followed"
    elif not stat.S_ISREG(mode):
        refused[path] = "not a regular file (a FIFO or device): not read"
    return stat.S_ISREG(mode)
