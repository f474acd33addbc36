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

from catalog_args import catalog_parser, grade_options, runnable_assignments

from autograder.build.mutate import TABLE_HEADER, format_report, generate, mutation_test, table_row


def main() -> None:
    parser = catalog_parser(__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="grade this many mutants per assignment, drawn at random (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="with --sample: the draw's seed")
    args = parser.parse_args()
    options = grade_options(args)
    rows = []
    for folder, spec in runnable_assignments(args):
        report = mutation_test(folder, options, args.workers, sample=args.sample, seed=args.seed)
        print(format_report(report), "\n", flush=True)
        row = table_row(report)
        if args.sample and args.sample < len(generate(spec)):
            row = row.replace(f"| {spec.id} |", f"| {spec.id} (sample of {len(report.outcomes)} of {len(generate(spec))}) |", 1)
        rows.append(row)
    print("\n".join([TABLE_HEADER, *rows]))


if __name__ == "__main__":
    main()
