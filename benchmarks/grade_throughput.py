"""Batch grading speed: per-submission overhead, throughput with 1 and 2 workers, the trusted
process's peak RSS as the batch grows, and `otter run` on the same assignment, all in one run.

For a NumPy assignment and a torch assignment (neither has a long training test), it grades
K copies of the correct (reference) submission with ``grade_to_folder``, as ``dlgrade grade``
does, and prints:

- overhead: median over submissions of ``execution_time - student_time`` (seconds), what
  dlgrade spends beyond running the student's cells and the tests' calls into them (sandbox
  start, intake, the trusted tests' own work, result writing);
- throughput: submissions per second with ``--workers 1`` and ``--workers 2``, and their ratio,
  end to end and after start-up (a pool worker imports otter, pandas and the tests' modules,
  and starts its warm sandbox, once: a few seconds that a class-sized batch amortises);
- peak RSS of the trusted (parent) process, in MiB, for K = 50 and K = 500 (each in a fresh
  process; skip with --rss-k none);
- `otter run` median wall time per submission on Otter's own build of the same assignment
  (its public tests), and its ratio to dlgrade's median wall time per submission: grading the
  same Otter zip (like for like), and grading dlgrade's own bundle (all hidden tests too).

With ``--otter-corpus N [N ...]`` it instead grades the Otter corpus (tests/fixtures/otter: each
master built by ``otter assign``) end to end, start-up included: N submissions cycling through
the solution, partly right, erroring and untouched submissions (notebooks, or zips with the
student's files where the master has ``student_files``), by ``dlgrade grade --workers W``
(one process, as a grader runs it) and by ``otter run`` (one process per submission, W at a
time), and prints both wall times side by side.

Usage (from the repository root, after the README's install command):

    python benchmarks/grade_throughput.py [--k 100] [--rss-k 50 500] [--otter-repeats 3]
    python benchmarks/grade_throughput.py --otter-corpus 20 100 [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from autograder.build.assign import build  # noqa: E402
from autograder.grading.batch import grade_to_folder  # noqa: E402
from autograder.grading.grade import GradeOptions  # noqa: E402
from autograder.grading.warm import stop_zygotes  # noqa: E402
from grade_time import otter_autograder_zip, otter_run_time  # noqa: E402

ASSIGNMENTS = {"numpy": "numpy-batchnorm-dropout", "torch": "torch-fundamentals"}
"""The assignment graded for each kind (``--only`` picks one kind)."""


def copies(solution: Path, folder: Path, k: int) -> dict[str, Path]:
    """K copies of a notebook, each alone in its own folder (as a class's submissions would be)."""
    named = {}
    for i in range(k):
        dest = folder / f"student{i:04d}" / solution.name
        dest.parent.mkdir(parents=True)
        dest.write_bytes(solution.read_bytes())
        named[f"student{i:04d}"] = dest
    return named


def run_batch(built, named: dict[str, Path], out: Path, workers: int, sandbox: str) -> tuple[float, list, float]:
    """Grade ``named`` as ``dlgrade grade`` does. Returns (wall seconds, results, steady-state
    submissions per second: between the first result and the last, after the start-up of the
    pool's processes and warm sandboxes)."""
    options = GradeOptions(sandbox=sandbox, threads=1)
    stop_zygotes()  # the build's warm sandbox would favour --workers 1: every run starts cold
    finished = []
    started = time.perf_counter()
    results = grade_to_folder(built.autograder_zip, named, out, options, workers, regrade=True,
                              on_result=lambda result, kept: finished.append(time.perf_counter()))
    wall = time.perf_counter() - started
    steady = (len(finished) - 1) / (finished[-1] - finished[0]) if len(finished) > 1 and finished[-1] > finished[0] else float("nan")
    return wall, results, steady


def rss_child(assignment: str, k: int, sandbox: str) -> None:
    """In a fresh process: grade K copies with 2 workers, print this process's peak RSS (MiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        built = build(REPO / "assignments" / assignment, Path(tmp) / "dist")
        named = copies(built.solution_notebook, Path(tmp) / "subs", k)
        run_batch(built, named, Path(tmp) / "out", 2, sandbox)
    print(json.dumps({"rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def corpus_batch(master: str, folder: Path, n: int) -> tuple[Path, Path]:
    """``otter assign`` the corpus master; N submissions in ``folder/subs/sNNNN/<notebook>``.
    Returns (autograder zip, submissions folder)."""
    from test_otter_corpus import build as assign, submissions  # on sys.path: see otter_corpus

    zip_path, solution, student = assign(master, folder)
    kinds = list(submissions(solution, student, folder / "kinds").values())
    subs = folder / "subs"
    for i in range(n):
        kind = kinds[i % len(kinds)]  # a notebook, or a zip of it and the student's files
        dest = subs / f"s{i:04d}" / kind.name
        dest.parent.mkdir(parents=True)
        dest.write_bytes(kind.read_bytes())
    return zip_path, subs


def otter_corpus(sizes: list[int], workers: int, sandbox: str) -> None:
    """dlgrade vs `otter run` on the Otter corpus, end to end, at each batch size."""
    from concurrent.futures import ThreadPoolExecutor

    def otter_run(zip_path: Path, submission: Path) -> None:
        out = submission.parent / "otter-out"
        out.mkdir()
        subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(out), str(submission)],
                       check=True, capture_output=True, cwd=submission.parent)

    sys.path.insert(0, str(REPO / "tests"))
    from test_otter_corpus import CORPUS

    for master in CORPUS:
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                zip_path, subs = corpus_batch(master, Path(tmp), n)
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(zip_path), str(subs), "-o", str(Path(tmp) / "out"),
                                "--workers", str(workers), "--sandbox", sandbox], check=True, capture_output=True, cwd=REPO)
                dlgrade = time.perf_counter() - started
                submitted = sorted(subs.glob("*/*"))  # notebooks, or zips of one and the student's files
                started = time.perf_counter()
                with ThreadPoolExecutor(workers) as pool:
                    list(pool.map(lambda path: otter_run(zip_path, path), submitted))
                otter = time.perf_counter() - started
                print(f"{master}, {n} submissions, {workers} at a time: dlgrade grade {dlgrade:6.1f} s, "
                      f"otter run {otter:6.1f} s ({otter / dlgrade:.1f}x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=100, help="copies graded per throughput run")
    parser.add_argument("--rss-k", nargs="*", default=["50", "500"], help="batch sizes for the RSS runs, or 'none'")
    parser.add_argument("--otter-repeats", type=int, default=3)
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    parser.add_argument("--only", choices=list(ASSIGNMENTS), help="run one kind only")
    parser.add_argument("--rss-child", nargs=2, metavar=("ASSIGNMENT", "K"), help=argparse.SUPPRESS)
    parser.add_argument("--otter-corpus", nargs="+", type=int, metavar="N", help="dlgrade vs otter run on the Otter corpus at these sizes")
    parser.add_argument("--workers", type=int, default=2, help="parallel gradings for --otter-corpus")
    args = parser.parse_args()
    if args.otter_corpus:
        return otter_corpus(args.otter_corpus, args.workers, args.sandbox)
    if args.rss_child:
        return rss_child(args.rss_child[0], int(args.rss_child[1]), args.sandbox)

    for kind, assignment in ASSIGNMENTS.items():
        if args.only and kind != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            built = build(REPO / "assignments" / assignment, tmp / "dist")
            named = copies(built.solution_notebook, tmp / "subs", args.k)
            print(f"\n{kind}: {assignment}, K = {args.k} copies of the reference submission")
            rates, steady, per_sub = {}, {}, {}
            for workers in (1, 2):
                wall, results, steady[workers] = run_batch(built, named, tmp / f"out{workers}", workers, args.sandbox)
                assert all(r.score == r.max_score for r in results), "the reference should score full marks"
                overhead = statistics.median(r.execution_time - r.student_time for r in results)
                per_sub[workers] = statistics.median(r.execution_time for r in results)
                rates[workers] = args.k / wall
                print(f"  --workers {workers}: {wall:6.2f} s, {rates[workers]:5.2f} submissions/s "
                      f"({steady[workers]:5.2f}/s after start-up); per submission: "
                      f"median {per_sub[workers] * 1000:6.0f} ms wall, {overhead * 1000:5.0f} ms overhead")
            print(f"  throughput ratio, 2 workers / 1: {rates[2] / rates[1]:.2f}x end to end, "
                  f"{steady[2] / steady[1]:.2f}x after start-up")
            otter_zip = otter_autograder_zip(REPO / "assignments" / assignment, tmp)
            if otter_zip is not None:
                otter, _ = otter_run_time(otter_zip, built.solution_notebook, tmp, args.otter_repeats)
                # The same zip (its public tests), graded by dlgrade: like for like.
                _, same, _ = run_batch(SimpleNamespace(autograder_zip=otter_zip), named, tmp / "out-otter-zip", 1, args.sandbox)
                same_wall = statistics.median(r.execution_time for r in same)
                print(f"  otter run: median {otter:.2f} s per submission; dlgrade, 1 worker, on the same Otter zip: "
                      f"median {same_wall:.2f} s, {otter / same_wall:.0f}x faster; with all hidden tests: "
                      f"{per_sub[1]:.2f} s, {otter / per_sub[1]:.1f}x faster")
        for k in [] if args.rss_k == ["none"] else [int(k) for k in args.rss_k]:
            out = subprocess.run(
                [sys.executable, __file__, "--rss-child", assignment, str(k), "--sandbox", args.sandbox],
                capture_output=True, text=True, check=True,
            )
            print(f"  trusted process peak RSS at K = {k}: {json.loads(out.stdout.splitlines()[-1])['rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
