"""Wall time to grade a correct submission of every shipped assignment (the grading budget of
the catalog issues: under 60 s each on a 2-core machine).

For each assignment whose datasets are in the data folder it builds the bundle, grades the
reference notebook ``--repeats`` times as ``dlgrade grade`` would (one worker, every core's
threads, a warm sandbox after the first run) and prints the median and all runs, in seconds,
all measured in this one run. Usage (from the repository root, after the README's install
command):

    python benchmarks/grade_catalog.py --data-dir ../shared/data [--repeats 3] [assignment ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.build.assign import build  # noqa: E402
from autograder.build.spec import AssignmentSpec, SpecError  # noqa: E402
from autograder.bundle import Bundle  # noqa: E402
from autograder.grading.executors.local import default_workers  # noqa: E402
from autograder.grading.grade import GradeOptions, grade_submission  # noqa: E402
from autograder.datasets import missing_files  # noqa: E402

BUDGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    args = parser.parse_args()

    folders = sorted(p for p in (REPO / "assignments").iterdir() if (p / "assignment.toml").is_file())
    options = GradeOptions(sandbox=args.sandbox, data_dir=args.data_dir, threads=default_workers())
    print(f"{'assignment':<26} {'median':>8}  runs (s, {args.repeats} per assignment, budget {BUDGET_SECONDS:.0f} s)")
    for folder in folders:
        if args.assignments and folder.name not in args.assignments:
            continue
        try:
            needs = [name for name in AssignmentSpec.load(folder).config.data if missing_files(name, args.data_dir)]
        except SpecError as exc:  # a reference checkpoint that needs data we do not have
            print(f"{folder.name:<26} {'-':>8}  not measured: {exc}")
            continue
        if needs:
            print(f"{folder.name:<26} {'-':>8}  not measured: {', '.join(needs)} not in {args.data_dir}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            built = build(folder, Path(tmp) / "dist")
            bundle = Bundle.load(built.autograder_zip)
            runs = []
            for _ in range(args.repeats):
                result = grade_submission(built.solution_notebook, bundle, options)
                assert result.score == result.max_score, f"{folder.name}: the reference scored {result.score}/{result.max_score}"
                runs.append(result.execution_time)
        median = statistics.median(runs)
        flag = "" if median < BUDGET_SECONDS else "  OVER BUDGET"
        print(f"{folder.name:<26} {median:8.1f}  {[round(r, 1) for r in runs]}{flag}")


if __name__ == "__main__":
    main()
