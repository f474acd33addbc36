"""Mutation score of every shipped assignment's hidden tests (``dlgrade validate --mutate``).

For each assignment whose datasets are in the data folder it generates every first-order mutant
of the reference's solution regions, grades each on ``--workers`` sandboxes (stopping at its first
failing hidden test) and prints the README's table: generated / killed / equivalent / survived /
score, then every survivor. Assignments are run cheapest first as given; the MNIST-training ones
take long, run them last (and with ``nice``). Usage (from the repository root):

    nice python benchmarks/mutation_score.py --data-dir ../shared/data [--sample 40] [assignment ...]

With ``--sample N`` each assignment grades N of its mutants drawn with ``--seed`` (the score of a
sample; its rows say so).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.build.mutate import TABLE_HEADER, format_report, generate, mutation_test, table_row  # noqa: E402
from autograder.build.spec import AssignmentSpec, SpecError  # noqa: E402
from autograder.grading.executors.local import default_workers  # noqa: E402
from autograder.grading.grade import GradeOptions  # noqa: E402
from autograder.datasets import missing_files  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    parser.add_argument("--sample", type=int, help="grade this many mutants per assignment, drawn at random (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="with --sample: the draw's seed")
    args = parser.parse_args()
    folders = [REPO / "assignments" / a for a in args.assignments] or sorted((REPO / "assignments").iterdir())
    options = GradeOptions(sandbox=args.sandbox, data_dir=args.data_dir, threads=1)
    rows = []
    for folder in folders:
        try:
            spec = AssignmentSpec.load(folder)
        except SpecError as exc:
            print(f"{folder.name}: skipped ({exc})", flush=True)
            continue
        if any(missing_files(name, args.data_dir) for name in spec.config.data):
            print(f"{spec.id}: skipped (its data is not in {args.data_dir})", flush=True)
            continue
        report = mutation_test(folder, options, args.workers, sample=args.sample, seed=args.seed)
        print(format_report(report), "\n", flush=True)
        row = table_row(report)
        if args.sample and args.sample < len(generate(spec)):
            row = row.replace(f"| {spec.id} |", f"| {spec.id} (sample of {len(report.outcomes)} of {len(generate(spec))}) |", 1)
        rows.append(row)
    print("\n".join([TABLE_HEADER, *rows]))


if __name__ == "__main__":
    main()
