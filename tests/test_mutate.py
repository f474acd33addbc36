"""Mutation testing of the hidden tests (``dlgrade validate --mutate``), and correct variants of the
reference that must keep full marks (the README's tolerance policy)."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from autograder.build.assign import build
from autograder.build.mutate import TARGET, generate, load_equivalent, mutants_of, mutation_test
from autograder.build.spec import AssignmentSpec
from autograder.build.validate import Mutant
from autograder.bundle import Bundle
from autograder.cli import main
from autograder.grading.grade import GradeOptions, grade_submission
from autograder.grading.results import VISIBLE
from conftest import REPO

FUNCTION = textwrap.dedent('''\
    def f(x, y):
        """doc"""
        # BEGIN SOLUTION
        z = x + 2 * y
        return z, x - y
        # END SOLUTION
    ''')


def test_mutants_stay_in_solution_regions_and_include_zeroed_returns():
    mutants = mutants_of("f", FUNCTION, "ref.py", 10)
    assert mutants and all(12 < m.line <= 14 for m in mutants)
    diffs = {m.diff for m in mutants}
    assert "-    z = x + 2 * y\n+    z = x - 2 * y" in diffs  # mutmut's operator_swap_op
    assert "-    return z, x - y\n+    return (z) * 0, x - y" in diffs  # return_zero, per tuple element
    assert "-    return z, x - y\n+    return z, (x - y) * 0" in diffs
    assert all(m.original == FUNCTION and m.as_mutant().replacements == [(FUNCTION, m.mutated)] for m in mutants)


def test_mutant_ids_survive_edits_elsewhere_and_tell_repeats_apart():
    ids = {m.diff: m.id for m in mutants_of("f", FUNCTION, "ref.py", 10)}
    edited = FUNCTION.replace('"""doc"""', '"""A longer docstring.\n\n    Over lines."""\n    w = 1')
    moved = {m.diff: m.id for m in mutants_of("f", edited, "ref.py", 40)}
    assert moved == ids
    twice = mutants_of("g", "def g(a):\n    # BEGIN SOLUTION\n    return a + a + a\n    # END SOLUTION", "r.py", 1)
    swaps = [m.id for m in twice if m.operator == "operator_swap_op"]
    assert len(swaps) == len(set(swaps)) == 2


def test_equivalent_mutants_need_a_reason(tmp_path):
    (tmp_path / "mutants").mkdir()
    path = tmp_path / "mutants" / "equivalent.toml"
    path.write_text('[[equivalent]]\nid = "abc"\nreason = "np.pad pads with zeros by default"\n')
    assert load_equivalent(tmp_path) == {"abc": "np.pad pads with zeros by default"}
    path.write_text('[[equivalent]]\nid = "abc"\nreason = " "\n')
    with pytest.raises(ValueError, match="needs a reason"):
        load_equivalent(tmp_path)


WITH_EQUIVALENTS = sorted(p.parent.parent.name for p in (REPO / "assignments").glob("*/mutants/equivalent.toml"))


@pytest.mark.parametrize("assignment", WITH_EQUIVALENTS)
def test_equivalent_lists_only_current_mutants(assignment):
    folder = REPO / "assignments" / assignment
    current = {m.id for m in generate(AssignmentSpec.load(folder))}
    assert set(load_equivalent(folder)) <= current


SAMPLE = 10


@pytest.mark.parametrize("assignment", ["numpy-cnn", "numpy-batchnorm-dropout"])
def test_a_sample_of_mutants_is_killed(assignment, sandbox_mode):
    report = mutation_test(REPO / "assignments" / assignment, GradeOptions(sandbox=sandbox_mode), workers=2, sample=SAMPLE, seed=1)
    assert len(report.outcomes) == SAMPLE
    assert report.score >= TARGET, [(o.mutant.id, o.mutant.diff) for o in report.survivors]
    killed = [o for o in report.outcomes if o.status == "killed"]
    assert killed and all(o.killed_by for o in killed)


def test_cli_reports_survivors(tmp_path, sandbox_mode):
    """A hidden test suite that misses mutants fails ``validate --mutate`` and names them."""
    import shutil

    folder = tmp_path / "numpy-cnn"
    shutil.copytree(REPO / "assignments" / "numpy-cnn", folder)
    for name in ("conv_backward_naive", "max_pool_backward_naive", "flatten_backward"):
        (folder / "tests" / f"{name}.py").write_text(
            f'from otter.test_files import test_case\nOK_FORMAT = False\nname = "{name}"\n\n\n'
            f"@test_case(points=1, hidden=True)\ndef test_exists({name}):\n    assert callable({name})\n"
        )
    run = CliRunner().invoke(main, ["validate", "--mutate", "--sample", "6", "--seed", "3", str(folder), "--sandbox", sandbox_mode])
    assert run.exit_code != 0, run.output
    assert "survived " in run.output and "under the 95% mutation score" in run.output


CORRECT_VARIANTS = {
    "torch-workflow addcmul forward": ("torch-workflow", "return self.weights * x + self.bias", "return torch.addcmul(self.bias, x, self.weights)"),
    "numpy-rnn PyTorch clip formula": (
        "numpy-rnn", "scale = max_norm / norm if norm > max_norm else 1.0", "scale = min(1.0, max_norm / (norm + 1e-6))",
    ),
}
"""Algebraically equivalent code within the documented contract: each must keep full marks."""

SHAPE_ONLY_VARIANTS = {
    "numpy-batchnorm-dropout keepdims statistics": ("numpy-batchnorm-dropout", [
        ("mean = np.mean(x, axis=0)", "mean = np.mean(x, axis=0, keepdims=True)"),
        ("var = np.var(x, axis=0)", "var = np.var(x, axis=0, keepdims=True)"),
        ("dbeta = np.sum(dout, axis=0)", "dbeta = np.sum(dout, axis=0, keepdims=True)"),
        ("dgamma = np.sum(dout * x_hat, axis=0)", "dgamma = np.sum(dout * x_hat, axis=0, keepdims=True)"),
    ]),
}
"""Right values in the keepdims shape (1, D) instead of (D,): harmless where they broadcast, so
hidden tests accept them (``autograder.testing.check_features``); only public tests, which state the
documented shape, may fail (one bug, one charge, and one the student sees before submitting)."""


@pytest.mark.parametrize("name", CORRECT_VARIANTS)
def test_correct_variants_keep_full_marks(name, tmp_path, sandbox_mode):
    assignment, old, new = CORRECT_VARIANTS[name]
    built = build(REPO / "assignments" / assignment, tmp_path / "dist", options=None)
    notebook = Mutant(name, name, "", [(old, new)]).apply(built.solution_notebook, tmp_path / "variant.ipynb")
    result = grade_submission(notebook, Bundle.load(built.autograder_zip), GradeOptions(sandbox=sandbox_mode))
    lost = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert not lost and not result.error, (result.error, lost)


@pytest.mark.parametrize("name", SHAPE_ONLY_VARIANTS)
def test_shape_only_variants_lose_no_hidden_points(name, tmp_path, sandbox_mode):
    assignment, replacements = SHAPE_ONLY_VARIANTS[name]
    built = build(REPO / "assignments" / assignment, tmp_path / "dist", options=None)
    notebook = Mutant(name, name, "", replacements).apply(built.solution_notebook, tmp_path / "variant.ipynb")
    result = grade_submission(notebook, Bundle.load(built.autograder_zip), GradeOptions(sandbox=sandbox_mode))
    lost = {t.name: t.output for t in result.tests if t.status != "passed" and t.visibility != VISIBLE}
    assert not lost and not result.error, (result.error, lost)
