"""How many shipped mutants the public tests alone catch, per assignment (issue 14, point 3).

    python -m benchmarks.public_coverage [ASSIGNMENT ...]   # from the repository root; default: all

Grades the reference and each mutant of ``assignments/<id>/mutants/`` with the public tests in
the student notebook only, as ``dlgrade check`` does, without a sandbox (a measurement of the
tests, not of isolation), and prints a table.
"""

from __future__ import annotations

import sys

from autograder.build.validate import public_coverage
from autograder.grading.grade import GradeOptions
from autograder.resources import assignments_dir


def main(names: list[str]) -> None:
    folders = [assignments_dir() / n for n in names] or sorted(p.parent for p in assignments_dir().glob("*/assignment.toml"))
    print(f"{'assignment':<26} {'caught':>8}  reference  missed")
    for folder in folders:
        try:
            reference, catches = public_coverage(folder, GradeOptions(sandbox="none", threads=1))
        except Exception as exc:  # one assignment that cannot be built does not stop the table
            print(f"{folder.name:<26} not measured: {type(exc).__name__}: {exc}", flush=True)
            continue
        ok = "passes" if reference.score == reference.max_score else "FAILS"
        missed = ", ".join(c.mutant for c in catches if not c.caught) or "-"
        print(f"{folder.name:<26} {sum(c.caught for c in catches):>3} of {len(catches):<2}  {ok:<9}  {missed}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
