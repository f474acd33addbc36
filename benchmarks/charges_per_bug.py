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

import argparse
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.build.spec import AssignmentSpec, SpecError  # noqa: E402
from autograder.build.validate import charges, validate  # noqa: E402
from autograder.datasets import missing_files  # noqa: E402
from autograder.grading.batch import default_workers  # noqa: E402
from autograder.grading.grade import GradeOptions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    args = parser.parse_args()
    folders = [REPO / "assignments" / a for a in args.assignments] or sorted((REPO / "assignments").iterdir())
    options = GradeOptions(sandbox=args.sandbox, data_dir=args.data_dir, threads=1)
    tests, questions = [], []
    for folder in folders:
        try:
            spec = AssignmentSpec.load(folder)
        except SpecError as exc:
            print(f"{folder.name}: skipped ({exc})", flush=True)
            continue
        if any(missing_files(name, args.data_dir) for name in spec.config.data):
            print(f"{spec.id}: skipped (its data is not in {args.data_dir})", flush=True)
            continue
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
