"""``dlgrade demo``: build mnist-softmax, write three example submissions, grade them.

The submissions are the reference solution, the untouched student notebook, and the solution
with a subtle bug in ``gradients`` (the bias gradient divided by N twice).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

GRADIENT_BUG = (
    "return images.T @ dlogits, np.sum(dlogits, axis=0)",
    "return images.T @ dlogits, np.mean(dlogits, axis=0)",
)
"""The line of the reference ``gradients`` and its buggy replacement."""


def write_example_submissions(solution: Path, student: Path, folder: Path) -> dict[str, Path]:
    """Write correct.ipynb, untouched.ipynb and gradient_bug.ipynb into ``folder``.

    Raises RuntimeError if the solution notebook no longer contains the line the bug replaces.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.ipynb" for name in ("correct", "untouched", "gradient_bug")}
    paths["correct"].write_bytes(solution.read_bytes())
    paths["untouched"].write_bytes(student.read_bytes())
    notebook = nbformat.read(solution, as_version=4)
    changed = False
    for cell in notebook.cells:
        if cell.cell_type == "code" and GRADIENT_BUG[0] in cell.source:
            cell.source = cell.source.replace(*GRADIENT_BUG)
            changed = True
    if not changed:
        raise RuntimeError(f"{solution} has no line '{GRADIENT_BUG[0]}' to plant the gradient bug in")
    nbformat.write(notebook, paths["gradient_bug"])
    return paths
