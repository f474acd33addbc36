"""``dlgrade validate --mutate``: first-order mutation testing of an assignment's hidden tests.

Every question's reference function is mutated one change at a time inside its solution
regions (between ``# BEGIN SOLUTION`` and ``# END SOLUTION``); each mutant is the solution
notebook with that function's cell replaced (a ``validate.Mutant`` with one replacement), graded
as a submission that stops at its first failing hidden test. A mutant is **killed** when a hidden
test fails (a timeout counts: the grader charges it too), **equivalent** when
``assignments/<id>/mutants/equivalent.toml`` lists its id with the reason it cannot be told from
the reference, and **survived** otherwise. Score: killed / (generated - equivalent).

Operators. The node-level operators of **mutmut** 3.x (``mutmut.mutation.mutators``): mutmut is
kept up to date, and its operators are plain functions from one libcst node to its mutated
variants, so they apply to a source string with no mutmut run, config or test runner. (cosmic-ray's
operators need its session database and parso tree plumbing; mutmut 2's ``mutate`` API is gone
from mutmut 3.) All of mutmut's operators are used except ``operator_string`` (solution strings
are dict keys and messages: mutating them tests Python's KeyError, not the hidden tests) and
``operator_symmetric/unsymmetrical_string_methods_swap`` (no string methods in solutions).
One operator is ours, ``return_zero``: each returned value (each element of a returned tuple)
times 0, the stub-like implementation that keeps its types and shapes; a hidden test that
such a function passes gives points for degenerate code.

Ids. A mutant's id is a hash of its question, operator, the mutated node's source and its
replacement, and which occurrence of that triple in the function it is: line numbers are left
out, so ids survive edits elsewhere in the reference.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import inspect
import random
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from mutmut.mutation import mutators

from autograder.assignment_package import own_module
from autograder.build.assign import build
from autograder.build.spec import AssignmentSpec
from autograder.build.validate import EQUIVALENT_FILE, Mutant, mutant_submission
from autograder.bundle import Bundle
from autograder.grading.batch import grade_batch
from autograder.grading.grade import GradeOptions
from autograder.grading.results import VISIBLE, SubmissionResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXCLUDED = {
    mutators.operator_string,
    mutators.operator_symmetric_string_methods_swap,
    mutators.operator_unsymmetrical_string_methods_swap,
}


def return_zero(node: cst.Return) -> Iterator[cst.Return]:
    """``return v`` -> ``return v * 0``; ``return a, b`` -> one mutant per element times 0."""
    zero = cst.Integer("0")

    def times_zero(expr: cst.BaseExpression) -> cst.BaseExpression:
        parenthesised = expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.BinaryOperation(parenthesised, cst.Multiply(), zero)

    if node.value is None:
        return
    if isinstance(node.value, cst.Tuple):
        for i, element in enumerate(node.value.elements):
            elements = list(node.value.elements)
            elements[i] = element.with_changes(value=times_zero(element.value))
            yield node.with_changes(value=node.value.with_changes(elements=elements))
    else:
        yield node.with_changes(value=times_zero(node.value))


OPERATORS: list[tuple[type, Callable[[cst.CSTNode], Iterable[cst.CSTNode]]]] = [
    *((kind, op) for kind, op in mutators.mutation_operators if op not in EXCLUDED),
    (cst.Return, return_zero),
]
"""(node type, operator) pairs: an operator yields the node's mutated variants."""


@dataclass(frozen=True)
class GeneratedMutant:
    """One first-order mutant of a question's reference function.

    line: line in ``path`` (the reference module's file) where the mutated node starts;
    diff: the changed lines, ``-`` original and ``+`` mutated.
    """

    id: str
    question: str
    operator: str
    path: str
    line: int
    diff: str
    original: str
    mutated: str

    def as_mutant(self) -> Mutant:
        """The text replacement that applies it to the solution notebook."""
        return Mutant(self.id, f"{self.operator} at {self.path}:{self.line}", "", [(self.original, self.mutated)])


def solution_lines(source: str) -> list[tuple[int, int]]:
    """(first, last) 1-based line ranges strictly between the solution markers of ``source``."""
    ranges, start = [], None
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == "# BEGIN SOLUTION":
            start = number
        elif line.strip() == "# END SOLUTION" and start is not None:
            ranges.append((start + 1, number - 1))
            start = None
    return ranges


def mutants_of(question: str, source: str, path: str, first_line: int) -> list[GeneratedMutant]:
    """Every first-order mutant of ``source`` (a function's text, as the notebook cell holds it)
    inside its solution regions; ``first_line``: the line of ``path`` where ``source`` starts."""
    wrapper = MetadataWrapper(cst.parse_module(source))
    positions = wrapper.resolve(PositionProvider)
    regions = solution_lines(source)
    found, seen = [], Counter()
    for node, where in positions.items():
        if not any(lo <= where.start.line and where.end.line <= hi for lo, hi in regions):
            continue
        for kind, operator in OPERATORS:
            if not isinstance(node, kind):
                continue
            for replacement in operator(node):
                mutated = wrapper.module.deep_replace(node, replacement).code
                if mutated == source or not compiles(mutated):
                    continue
                old, new = wrapper.module.code_for_node(node), cst.Module([]).code_for_node(replacement)
                key = (question, operator.__name__, old, new)
                digest = hashlib.sha256(repr((*key, seen[key])).encode()).hexdigest()[:12]
                seen[key] += 1
                diff = "\n".join(
                    line for line in difflib.unified_diff(source.splitlines(), mutated.splitlines(), lineterm="", n=0)
                    if line[:1] in "+-" and line[:3] not in ("+++", "---")
                )
                found.append(GeneratedMutant(digest, question, operator.__name__, path, first_line + where.start.line - 1, diff, source, mutated))
    return sorted(found, key=lambda m: (m.line, m.operator, m.id))


def compiles(source: str) -> bool:
    try:
        compile(source, "<mutant>", "exec")
        return True
    except SyntaxError:
        return False


def generate(spec: AssignmentSpec) -> list[GeneratedMutant]:
    """The mutants of every question's reference function, in notebook order."""
    module = own_module(spec.solution_file, "solution")
    path = spec.solution_file.resolve()
    try:
        path = path.relative_to(Path.cwd())
    except ValueError:
        pass
    mutants = []
    for outline in spec.cells:
        if outline.question:
            function = getattr(module, outline.question)
            lines, first = inspect.getsourcelines(function)
            mutants += mutants_of(outline.question, "".join(lines).strip(), str(path), first)
    return mutants


def load_equivalent(spec_dir: Path) -> dict[str, str]:
    """``mutants/equivalent.toml``: {mutant id: why it cannot be told from the reference}.

    Format: ``[[equivalent]]`` tables with ``id``, ``reason`` (and, for readers, ``diff``).
    Raises ValueError for a malformed file or an entry without a reason.
    """
    path = Path(spec_dir) / "mutants" / EQUIVALENT_FILE
    if not path.exists():
        return {}
    try:
        entries = tomllib.loads(path.read_text()).get("equivalent", [])
        found = {e["id"]: e["reason"] for e in entries}
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not an equivalent-mutants file ({type(exc).__name__}: {exc})") from None
    if not all(isinstance(r, str) and r.strip() for r in found.values()):
        raise ValueError(f"{path}: every equivalent mutant needs a reason")
    return found


@dataclass
class Outcome:
    """A graded mutant. status: "killed", "timeout" (killed by the time limit), "equivalent" or
    "survived"; killed_by: the first failing hidden test."""

    mutant: GeneratedMutant
    status: str
    killed_by: str = ""


@dataclass
class MutationReport:
    assignment: str
    outcomes: list[Outcome] = field(default_factory=list)
    stale_equivalents: list[str] = field(default_factory=list)
    """Ids in equivalent.toml that no generated mutant has (the reference changed)."""

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def score(self) -> float:
        """Killed / non-equivalent mutants, in [0, 1] (1.0 when there are none)."""
        judged = len(self.outcomes) - self.count("equivalent")
        return self.count("killed", "timeout") / judged if judged else 1.0

    @property
    def survivors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "survived"]


TARGET = 0.95
"""The mutation score every assignment's hidden tests must reach."""

TABLE_HEADER = "| assignment | generated | killed | equivalent | survived | score |\n|---|---:|---:|---:|---:|---:|"


def table_row(report: MutationReport) -> str:
    """The report's row of the README's Markdown table (killed includes timeouts)."""
    return (
        f"| {report.assignment} | {len(report.outcomes)} | {report.count('killed', 'timeout')} | "
        f"{report.count('equivalent')} | {report.count('survived')} | {report.score:.1%} |"
    )


def format_report(report: MutationReport) -> str:
    """The table row, then every survivor (id, place, operator, diff) and stale equivalent id."""
    lines = [TABLE_HEADER, table_row(report)]
    if report.count("timeout"):
        lines.append(f"({report.count('timeout')} of the killed by the time limit)")
    for outcome in report.survivors:
        m = outcome.mutant
        lines += [f"\nsurvived {m.id}  {m.path}:{m.line}  {m.question}  {m.operator}", m.diff]
    lines += [f"equivalent.toml lists {i}, which no mutant has any more" for i in report.stale_equivalents]
    return "\n".join(lines)


TIMEOUT_FACTOR, TIMEOUT_SLACK = 3.0, 30.0
"""A mutant may take TIMEOUT_FACTOR times the reference's grading time plus TIMEOUT_SLACK
seconds (never more than the assignment's limit) before it counts as killed by a timeout."""


def mutation_test(
    spec_dir: Path, options: GradeOptions, workers: int = 1, sample: int | None = None, seed: int = 0,
    progress: Callable[[Outcome], None] | None = None,
) -> MutationReport:
    """Generate the mutants of ``spec_dir``'s reference (``sample`` of them, drawn with ``seed``,
    when given), grade each on ``workers`` sandboxes, stopping at its first failing hidden test.

    Raises RuntimeError when the reference itself does not score full marks, ValueError for a
    malformed equivalent.toml, BuildError/SpecError as ``build`` does.
    """
    spec = AssignmentSpec.load(spec_dir)
    mutants = every = generate(spec)
    if sample is not None and sample < len(mutants):
        mutants = sorted(random.Random(seed).sample(every, sample), key=every.index)
    equivalent = load_equivalent(spec_dir)
    report = MutationReport(spec.id, stale_equivalents=sorted(set(equivalent) - {m.id for m in every}))
    options = dataclasses.replace(options, stop_at_first_failure=True)
    with tempfile.TemporaryDirectory(prefix="dlgrade-mutate-") as tmp:
        built = build(spec_dir, Path(tmp) / "dist", options=None)
        bundle = Bundle.load(built.autograder_zip)
        (reference,) = grade_batch(bundle, built.autograder_zip, {"reference": built.solution_notebook}, options, 1)
        if reference.error or reference.score < reference.max_score:
            raise RuntimeError(f"{spec.id}: the reference scores {reference.score:g}/{reference.max_score:g} {reference.error}")
        limit = min(bundle.config.limits.timeout, TIMEOUT_FACTOR * reference.execution_time + TIMEOUT_SLACK)
        options = dataclasses.replace(options, timeout=limit)
        by_id = {m.id: m for m in mutants}
        submissions = {
            m.id: mutant_submission(m.as_mutant(), built, bundle, Path(tmp) / "mutants" / m.id)
            for m in mutants if m.id not in equivalent
        }
        report.outcomes += [Outcome(m, "equivalent") for m in mutants if m.id in equivalent]
        for result in grade_batch(bundle, built.autograder_zip, submissions, options, workers):
            outcome = judge(by_id[result.submission], result, limit)
            report.outcomes.append(outcome)
            if progress:
                progress(outcome)
    report.outcomes.sort(key=lambda o: mutants.index(o.mutant))
    return report


def judge(mutant: GeneratedMutant, result: SubmissionResult, limit: float) -> Outcome:
    """Killed when a hidden test failed; "timeout" when it ran into ``limit`` seconds."""
    failed = [t.name for t in result.tests if t.visibility != VISIBLE and t.status != "passed"]
    if not failed:
        return Outcome(mutant, "survived")
    timed_out = result.execution_time >= limit - 1.0
    return Outcome(mutant, "timeout" if timed_out else "killed", failed[0])
