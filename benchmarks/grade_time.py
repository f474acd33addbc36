"""Wall time to grade one correct mnist-softmax submission, with and without the MNIST
accuracy test (which trains the student's model on 60,000 images), and of `otter run` on the
same notebook with Otter's own autograder for the same assignment (public tests only, as Otter
cannot run dlgrade's trusted-side hidden tests).

Prints medians over --repeats runs, all measured in this one run. Usage:

    python benchmarks/grade_time.py --data-dir ../shared/data [--repeats 5] [--sandbox bwrap]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.build.assign import build, master_notebook  # noqa: E402
from autograder.build.spec import AssignmentSpec  # noqa: E402
from autograder.bundle import Bundle  # noqa: E402
from autograder.grading.grade import GradeOptions, grade_submission  # noqa: E402

ACCURACY_TEST = "train.test_mnist_test_accuracy"


def median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def without_test(bundle: Bundle, name: str) -> Bundle:
    for test_file in bundle.test_files:
        test_file.test_cases = [tc for tc in test_file.test_cases if tc.name != name]
    return bundle


def otter_autograder_zip(spec_dir: Path, workdir: Path) -> Path | None:
    """The autograder zip plain `otter assign` makes from the assignment's Otter master notebook
    (public tests only), or None when it makes none."""
    spec = AssignmentSpec.load(spec_dir)
    nb = master_notebook(spec)
    nb.cells[0].source = nb.cells[0].source.replace("generate: false", "generate: true")
    master = workdir / "otter-master" / f"{spec.id}.ipynb"
    master.parent.mkdir()
    nbformat.write(nb, master)
    out = workdir / "otter-dist"
    subprocess.run([sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs", str(master), str(out)], check=True, capture_output=True)
    zips = list((out / "autograder").glob("*.zip"))
    return zips[0] if zips else None


def otter_run_time(autograder_zip: Path, submission: Path, workdir: Path, repeats: int) -> tuple[float, list[float]]:
    """Median wall time (seconds) of `otter run` of ``submission`` with ``autograder_zip``, and all runs."""
    results = workdir / "otter-results"
    results.mkdir(exist_ok=True)

    def run():
        subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(autograder_zip), "-o", str(results), str(submission)],
                       check=True, capture_output=True)

    return median_time(run, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads in the sandbox")
    args = parser.parse_args()

    spec_dir = REPO / "assignments" / "mnist-softmax"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        built = build(spec_dir, tmp / "dist")
        submission = tmp / "correct.ipynb"
        shutil.copyfile(built.solution_notebook, submission)
        options = GradeOptions(sandbox=args.sandbox, data_dir=args.data_dir, threads=args.threads)

        full = Bundle.load(built.autograder_zip)
        grade_submission(submission, full, options)  # warm-up: MNIST loaded, caches filled
        check = grade_submission(submission, full, options)
        assert check.score == check.max_score, [t.output for t in check.tests if t.status != "passed"]
        med_full, all_full = median_time(lambda: grade_submission(submission, full, options), args.repeats)
        quick = without_test(Bundle.load(built.autograder_zip), ACCURACY_TEST)
        med_quick, all_quick = median_time(lambda: grade_submission(submission, quick, options), args.repeats)

        print(f"sandbox={args.sandbox} repeats={args.repeats} tests={len(full.test_names)}")
        print(f"dlgrade, all tests (incl. MNIST training):  median {med_full:6.2f} s   runs {[round(t, 2) for t in all_full]}")
        print(f"dlgrade, without the accuracy test:         median {med_quick:6.2f} s   runs {[round(t, 2) for t in all_quick]}")
        otter_zip = otter_autograder_zip(spec_dir, tmp)
        if otter_zip is None:
            print("otter run: otter assign produced no autograder zip; not measured")
        else:
            med_otter, all_otter = otter_run_time(otter_zip, submission, tmp, args.repeats)
            print(f"otter run, public tests only:               median {med_otter:6.2f} s   runs {[round(t, 2) for t in all_otter]}")
            print(f"ratio otter run / dlgrade without accuracy test: {med_otter / med_quick:.1f}x")


if __name__ == "__main__":
    main()
