import numpy as np
import torch
from otter.test_files import test_case

from autograder.testing import referenced_names

OK_FORMAT = False
name = "tanh"

TOLERANCE = 1e-5
"""Largest absolute difference from torch.tanh allowed on float32 inputs. The reference's
(exp(2x) - 1) / (exp(2x) + 1) and the textbook (exp(x) - exp(-x)) / (exp(x) + exp(-x)) both differ
by at most 1.2e-7 on [-10, 10] (tests/test_reference_torch_classification.py): a margin of 80x. A
wrong formula is off by far more (tanh(x / 2) instead of tanh(x): 0.30)."""

BUILTIN_TANH = frozenset({"tanh", "tanh_", "Tanh", "tanhshrink", "Tanhshrink"})
"""Names of PyTorch's own tanh: torch.tanh, Tensor.tanh(_), torch.nn.functional.tanh, nn.Tanh and
tanhshrink (x - tanh(x)), as attributes or imported names (``from torch import tanh as t``)."""

NOT_DIFFERENTIABLE = frozenset({"detach", "numpy", "item", "tolist", "no_grad", "inference_mode", "data", "np", "math"})
"""Names whose use takes values out of autograd (or off torch altogether)."""

DYNAMIC = frozenset({"getattr", "setattr", "eval", "exec", "compile", "__import__", "importlib", "globals", "vars",
                     "locals", "__dict__", "__getattribute__", "attrgetter", "methodcaller", "modules", "builtins",
                     "__builtins__"})
"""Ways to reach a function without naming it, which a reading of the source cannot follow."""


def check_written_from_exp(cells) -> None:
    """Assert, from the notebook's source parsed on the trusted side (never from inside the
    student's process, which its code could forge), that tanh, every binding of the name and
    every notebook-level name it uses reach no PyTorch tanh, nothing that leaves autograd, and
    no dynamic lookup."""
    names = referenced_names(cells, "tanh")
    used = sorted(names & (BUILTIN_TANH | DYNAMIC))
    assert not used, (
        f"your tanh uses {used[0]!r}: do not call torch.tanh, x.tanh(), torch.nn.functional.tanh or nn.Tanh (nor reach "
        "them by getattr/eval): build it from torch.exp"
    )
    leaves = sorted(names & NOT_DIFFERENTIABLE)
    assert not leaves, (
        f"your tanh uses {leaves[0]!r}: build it from differentiable torch operations (torch.exp, arithmetic), not "
        "NumPy, math, .detach(), .item() or torch.no_grad(), so that autograd can backpropagate through it"
    )


def max_error(got, want):
    return float((got.double() - want.double()).abs().max())


@test_case(points=1, hidden=False)
def test_values(tanh, torch):
    x = torch.linspace(-4, 4, 17)
    out = tanh(x)
    assert isinstance(out, torch.Tensor) and out.shape == x.shape, "tanh(x) should be a tensor of the shape of x"
    assert torch.allclose(out, torch.tanh(x), atol=1e-5), (
        f"tanh(x) differs from torch.tanh(x) by up to {float((out - torch.tanh(x)).abs().max()):.3g} on [-4, 4]: "
        "tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)) = (exp(2x) - 1) / (exp(2x) + 1)"
    )
    big = tanh(torch.tensor([-100.0, 50.0, 100.0]))
    assert torch.allclose(big, torch.tensor([-1.0, 1.0, 1.0])), (
        f"tanh([-100, 50, 100]) should be [-1, 1, 1], got {big.tolist()}: exp(2x) overflows to inf for x > 44 "
        "and inf / inf is NaN; clamp x (for example to [-20, 20]) before exp"
    )


@test_case(points=1, hidden=False)
def test_not_pytorchs_own_tanh(tanh, torch):
    """(exp(2x) - 1) / (exp(2x) + 1) rounds differently from PyTorch's tanh: at x = 1e-10, exp(2x) is 1.0
    in float32 and the formula gives 0, and any formula differs from it in the last bit somewhere on a fine grid."""
    x = torch.cat([torch.tensor([1e-10, -1e-10, 3e-9, 1e-6]), torch.linspace(-5, 5, 20001)])
    out = tanh(x)
    assert isinstance(out, torch.Tensor) and out.shape == x.shape, "tanh(x) should be a tensor of the shape of x"
    assert not torch.equal(out, torch.tanh(x)), (
        f"tanh(x) equals torch.tanh(x) to the last bit on all {len(x)} points, even at x = 1e-10 where "
        "(exp(2x) - 1) / (exp(2x) + 1) gives 0 in float32: your tanh calls PyTorch's own tanh (torch.tanh, "
        "x.tanh(), nn.Tanh, under any name); build it from torch.exp (the hidden tests read your code)"
    )


@test_case(points=2, hidden=True)
def test_values_against_torch(tanh, rng):
    x = torch.from_numpy(np.clip(rng.normal(size=(6, 9)) * 4, -15, 15).astype("float32"))
    x[0, :5] = torch.tensor([0.0, 1e-4, -1e-4, 10.0, -10.0])
    out = tanh(x)
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (6, 9), (
        f"tanh(x) for x of shape (6, 9) should be a tensor of shape (6, 9), got "
        f"{tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}"
    )
    assert out.dtype == torch.float32, f"tanh of a float32 tensor should be float32, got {out.dtype}"
    assert bool(torch.isfinite(out).all()), "tanh(x) contains NaN or infinite values for moderate inputs (|x| <= 20)"
    error = max_error(out, torch.tanh(x))
    worst = float(x.flatten()[(out.double() - torch.tanh(x).double()).abs().flatten().argmax()])
    assert error <= TOLERANCE, (
        f"tanh(x) differs from the hyperbolic tangent by up to {error:.3g} (at x = {worst:.4g}): "
        "tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)) = (exp(2x) - 1) / (exp(2x) + 1)"
    )
    x64 = torch.from_numpy(rng.normal(size=7) * 3)
    out64 = tanh(x64)
    assert isinstance(out64, torch.Tensor) and out64.dtype == torch.float64, (
        "tanh of a float64 tensor should be float64 (do not convert the input's dtype)"
    )
    assert max_error(out64, torch.tanh(x64)) < 1e-12, "tanh(x) on float64 inputs should be exact to float64 precision"


@test_case(points=1, hidden=True)
def test_large_inputs_stay_finite(tanh, rng):
    x = torch.tensor([-1000.0, -100.0, -60.0, -45.0, -30.0, 30.0, 45.0, 60.0, 100.0, 1000.0])
    x = x[torch.from_numpy(rng.permutation(len(x)))]
    out = tanh(x)
    assert isinstance(out, torch.Tensor) and out.shape == x.shape, "tanh(x) should be a tensor of the shape of x"
    bad = [float(v) for v, o in zip(x, out) if not bool(torch.isfinite(o))]
    assert not bad, (
        f"tanh(x) is NaN or infinite for x = {min(bad, key=abs):g}: in float32, exp(x) overflows to inf beyond "
        "x = 88 (exp(2x) beyond x = 44), and inf / inf is NaN; clamp x to [-20, 20] first (tanh(20) is 1 in float32)"
    )
    assert torch.allclose(out, torch.sign(x), atol=1e-6), "tanh(x) for |x| >= 30 should be -1 or 1"


@test_case(points=2, hidden=True)
def test_pure_pytorch_with_gradients(tanh, notebook_cells, rng):
    """Checks that tanh works, then reads your notebook's source (it is not run for this) to check
    that tanh is built from differentiable torch operations, not PyTorch's own tanh."""
    x = torch.from_numpy((rng.normal(size=(4, 5)) * 2).astype("float32"))
    out = tanh(x)
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (4, 5) and max_error(out, torch.tanh(x)) <= TOLERANCE, (
        "tanh(x) for x of shape (4, 5) should return the hyperbolic tangent, a tensor of shape (4, 5)"
    )
    check_written_from_exp(notebook_cells)
