"""One bug, one charge: how many hidden tests each shipped mutant fails (``dlgrade validate``'s grading).

For each assignment whose datasets are in the data folder it runs ``validate`` (every shipped
mutant graded with all hidden tests, no stop at the first failure) and prints, per mutant, the
hidden tests it fails, the questions they belong to and the points it loses; then, over all the
mutants, the median and the worst number of failing hidden tests and of questions charged. It
prints ``validate``'s table first, so one run also says whether every mutant is caught. A bug
in one function should fail that function's tests only (one question charged); a mutant charged
in several questions is a composite test that does not isolate the student's functions.
Usage (from the repository root; MNIST-training assignments take long, run them with ``nice``):

    nice python benchmarks/charges_per_bug.py --data-dir ../shared/data [assignment ...]
"""

from __future__ import annotations

import statistics

from catalog_args import catalog_parser, grade_options, runnable_assignments

from autograder.build.validate import charges, validate


def main() -> None:
    args = catalog_parser(__doc__.splitlines()[0]).parse_args()
    options = grade_options(args)
    tests, questions = [], []
    for folder, spec in runnable_assignments(args):
        report = validate(folder, options, args.workers)
        print("\n".join(report.table()), flush=True)
        for name, charge in charges(report).items():
            tests.append(len(charge.tests))
            questions.append(len(charge.questions))
            print(f"  {name:<40} {len(charge.tests):>2} tests in {len(charge.questions)} question(s), "
                  f"{charge.points:g}/{charge.max_points:g} points: {', '.join(charge.tests)}", flush=True)
    if tests:
        print(f"\n{len(tests)} mutants: failing hidden tests median {statistics.median(tests):g}, worst {max(tests)}; "
              f"questions charged median {statistics.median(questions):g}, worst {max(questions)}")


if __name__ == "__main__":
    main()
