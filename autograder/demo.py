"""``dlgrade demo``: build mnist-softmax, write three example submissions, grade them.

The submissions are the reference solution, the untouched student notebook, and the solution
with a subtle bug in ``gradients``: the assignment's ``gradient_bias_mean`` mutant (the bias
gradient divided by N twice).
"""

from __future__ import annotations

from pathlib import Path

from autograder.build.validate import Mutant
from autograder.resources import assignments_dir

GRADIENT_BUG = assignments_dir() / "mnist-softmax" / "mutants" / "gradient_bias_mean.toml"


def write_example_submissions(solution: Path, student: Path, folder: Path) -> dict[str, Path]:
    """Write correct.ipynb, untouched.ipynb and gradient_bug.ipynb into ``folder``.

    Raises MutantError if the solution notebook no longer contains the text the bug replaces.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.ipynb" for name in ("correct", "untouched", "gradient_bug")}
    paths["correct"].write_bytes(solution.read_bytes())
    paths["untouched"].write_bytes(student.read_bytes())
    Mutant.load(GRADIENT_BUG).apply(solution, paths["gradient_bug"])
    return paths
