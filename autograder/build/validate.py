"""``dlgrade validate``: prove that an assignment's hidden tests tell right from wrong.

Four checks, each graded exactly as submissions are:

1. the reference (the solution notebook) scores full marks;
2. the untouched student notebook passes no hidden test (a test a stub passes cannot fail);
3. every known-buggy variant in ``assignments/<id>/mutants/*.toml`` fails at least one hidden
   test, and one of the failing hidden tests' messages contains the mutant's
   ``expect_message``, so the feedback points at the bug;
4. every such mutant also fails a public test, so ``grader.check`` warns the student first.

A mutant file::

    description = "what is wrong, in a sentence"
    expect_message = "gradb"          # text a failing hidden test's message must contain

    [[replace]]                       # applied in order to the solution notebook's code cells
    old = "np.sum(dlogits, axis=0)"
    new = "np.mean(dlogits, axis=0)"
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.build.assign import BuildOutput, build
from autograder.bundle import Bundle
from autograder.grading.executors import grade_batch
from autograder.grading.grade import GradeOptions
from autograder.build.expectations import Check, check_mutant, check_public, check_reference, check_stub
from autograder.grading.results import VISIBLE, SubmissionResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class MutantError(Exception):
    """A mutant file is malformed or no longer applies to the solution notebook."""


@dataclass(frozen=True)
class Mutant:
    """A known-buggy variant of the reference: text replacements in the solution notebook."""

    name: str
    description: str
    expect_message: str
    replacements: list[tuple[str, str]]

    @classmethod
    def load(cls, path: Path) -> "Mutant":
        try:
            data = tomllib.loads(path.read_text())
            replacements = [(r["old"], r["new"]) for r in data["replace"]]
            return cls(path.stem, data["description"], data["expect_message"], replacements)
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise MutantError(f"{path}: not a mutant file ({type(exc).__name__}: {exc})") from None

    def apply(self, solution: Path, dest: Path) -> Path:
        """Write the solution notebook with this mutant's replacements to ``dest``.

        Raises MutantError when a replacement's ``old`` text is in no code cell.
        """
        notebook = nbformat.read(solution, as_version=4)
        for old, new in self.replacements:
            cells = [c for c in notebook.cells if c.cell_type == "code" and old in c.source]
            if not cells:
                raise MutantError(f"mutant {self.name}: no code cell contains {old!r}")
            for cell in cells:
                cell.source = cell.source.replace(old, new)
        nbformat.write(notebook, dest)
        return dest


def mutant_submission(mutant: Mutant, built: BuildOutput, bundle: Bundle, folder: Path) -> Path:
    """Write ``mutant`` applied to the built solution notebook into ``folder`` (created), with
    copies of the solution's attachments beside it, as a submission would have them; return
    the notebook's path. Raises MutantError as ``Mutant.apply`` does."""
    folder.mkdir(parents=True)
    for name in bundle.config.attachments:
        shutil.copyfile(built.solution_notebook.parent / name, folder / name)
    return mutant.apply(built.solution_notebook, folder / built.solution_notebook.name)


EQUIVALENT_FILE = "equivalent.toml"
"""The file in ``mutants/`` that lists generated mutants equivalent to the reference
(``autograder.build.mutate``); not a mutant itself."""


def load_mutants(spec_dir: Path) -> list[Mutant]:
    """The assignment's shipped mutants, by file name (every ``mutants/*.toml`` but ``EQUIVALENT_FILE``)."""
    paths = sorted((Path(spec_dir) / "mutants").glob("*.toml"))
    return [Mutant.load(p) for p in paths if p.name != EQUIVALENT_FILE]


@dataclass
class Validation:
    assignment: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def table(self) -> list[str]:
        """Lines for the terminal: the assignment, then a row per check (ok or FAIL, the graded
        notebook, its score, what was expected and what was found)."""
        lines = [f"\n{self.assignment}"]
        width = max(len(c.submission) for c in self.checks)
        for check in self.checks:
            mark = "ok  " if check.ok else "FAIL"
            score = f"{check.result.score:g}/{check.result.max_score:g}"
            lines.append(f"  {mark} {check.submission:<{width}}  {score:>7}  expected {check.expectation}; {check.detail}".rstrip("; "))
        return lines


MIN_MUTANTS = 3
"""Known-buggy variants every assignment must ship."""


@dataclass(frozen=True)
class Charge:
    """What one graded mutant is charged: its failing hidden tests (``question.test`` names),
    the hidden points they carry and the hidden points of the assignment."""

    tests: tuple[str, ...]
    points: float
    max_points: float

    @classmethod
    def of(cls, result: SubmissionResult) -> "Charge":
        hidden = [t for t in result.tests if t.visibility != VISIBLE]
        failed = [t for t in hidden if t.status != "passed"]
        return cls(tuple(t.name for t in failed), sum(t.max_score - t.score for t in failed), sum(t.max_score for t in hidden))

    @property
    def questions(self) -> tuple[str, ...]:
        """The questions (student functions) whose hidden tests it fails, sorted."""
        return tuple(sorted({name.split(".")[0] for name in self.tests}))


def charges(report: "Validation") -> dict[str, Charge]:
    """{mutant name: its Charge} for every mutant ``report`` graded."""
    prefix = "mutant "
    return {c.submission[len(prefix):]: Charge.of(c.result) for c in report.checks if c.submission.startswith(prefix)}


def validate(spec_dir: Path, options: GradeOptions, workers: int = 1) -> Validation:
    """Build ``spec_dir`` in a temporary folder and run the four checks, grading the reference,
    the stub and the mutants on ``workers`` parallel sandboxes (``grade_batch``).

    Raises MutantError for a malformed or stale mutant, BuildError/SpecError as ``build`` does.
    """
    mutants = load_mutants(spec_dir)
    with tempfile.TemporaryDirectory(prefix="dlgrade-validate-") as tmp:
        built = build(spec_dir, Path(tmp) / "dist", options=None)
        bundle = Bundle.load(built.autograder_zip)
        report = Validation(bundle.config.id)
        submissions = {"reference": built.solution_notebook, "stub": built.student_notebook}
        for mutant in mutants:
            submissions[f"mutants/{mutant.name}"] = mutant_submission(mutant, built, bundle, Path(tmp) / "mutants" / mutant.name)
        results = {r.submission: r for r in grade_batch(bundle, built.autograder_zip, submissions, options, workers)}
        report.checks.append(check_reference(results["reference"]))
        report.checks.append(check_stub(results["stub"]))
        report.checks.extend(check_mutant(m, results[f"mutants/{m.name}"]) for m in mutants)
        report.checks.append(check_public({m.name: results[f"mutants/{m.name}"] for m in mutants}))
    if len(mutants) < MIN_MUTANTS:
        report.checks.append(Check("mutants", SubmissionResult("mutants"), f"at least {MIN_MUTANTS}", False, f"found {len(mutants)}"))
    return report
