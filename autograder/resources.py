"""Where the ``templates/`` and ``assignments/`` folders are, from a checkout or a wheel.

In a checkout they sit beside the ``autograder`` package; an installed wheel carries them as
``autograder/_resources/{templates,assignments}`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (PACKAGE_DIR.parent / name, PACKAGE_DIR / "_resources" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"dlgrade's {name}/ folder is missing from {PACKAGE_DIR.parent}")


def templates_dir() -> Path:
    """The folder of Jinja2 templates. Raises FileNotFoundError if dlgrade is installed incompletely."""
    return _find("templates")


def assignments_dir() -> Path:
    """The folder of built-in assignments (one subfolder per assignment id)."""
    return _find("assignments")


def packaged_resource_dirs() -> list[Path]:
    """Resource folders that an installed wheel keeps inside the package (grader-only)."""
    return [PACKAGE_DIR / "_resources"]
