"""What the catalog-wide benchmarks share: their command line (assignment ids, --data-dir,
--workers, --sandbox) and the assignments they can run, each loaded, or skipped with the reason
(a malformed folder, or data that is not in --data-dir)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.build.spec import AssignmentSpec, SpecError  # noqa: E402
from autograder.datasets import missing_files  # noqa: E402
from autograder.grading.executors.local import default_workers  # noqa: E402
from autograder.grading.grade import GradeOptions  # noqa: E402


def catalog_parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every catalog benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    return parser


def grade_options(args: argparse.Namespace) -> GradeOptions:
    """Single-threaded sandboxes (one per worker) reading ``--data-dir``."""
    return GradeOptions(sandbox=args.sandbox, data_dir=args.data_dir, threads=1)


def runnable_assignments(args: argparse.Namespace) -> Iterator[tuple[Path, AssignmentSpec]]:
    """(folder, spec) of each assignment asked for (default: all), printing why one is skipped."""
    folders = [REPO / "assignments" / a for a in args.assignments] or sorted((REPO / "assignments").iterdir())
    for folder in folders:
        try:
            spec = AssignmentSpec.load(folder)
        except SpecError as exc:
            print(f"{folder.name}: skipped ({exc})", flush=True)
            continue
        if any(missing_files(name, args.data_dir) for name in spec.config.data):
            print(f"{spec.id}: skipped (its data is not in {args.data_dir})", flush=True)
            continue
        yield folder, spec
