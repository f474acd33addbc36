import numpy as np
import torch
from otter.test_files import test_case

from autograder.testing import define_in_sandbox

OK_FORMAT = False
name = "tanh"

TOLERANCE = 1e-5
"""Largest absolute difference from torch.tanh allowed on float32 inputs. The reference's
(exp(2x) - 1) / (exp(2x) + 1) and the textbook (exp(x) - exp(-x)) / (exp(x) + exp(-x)) both differ
by at most 1.2e-7 on [-10, 10] (tests/test_reference_torch_classification.py): a margin of 80x. A
wrong formula is off by far more (tanh(x / 2) instead of tanh(x): 0.30)."""

FORBIDDEN_OPS = ("tanh", "tanh_", "tanh_backward")
"""ATen operators that PyTorch's own tanh runs: torch.tanh, Tensor.tanh(_), torch.nn.functional.tanh,
nn.Tanh and anything built on them (such as tanhshrink) all reach one of these."""

PROBE = "_dlgrade_probe_tanh"
PROBE_SOURCE = '''
def _dlgrade_probe_tanh(fn, x):
    """Call fn(x) in this process, recording every ATen operator it runs, then backpropagate."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    class Record(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.ops = set()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            self.ops.add(func.overloadpacket.__name__)
            return func(*args, **(kwargs or {}))

    x = x.detach().clone().requires_grad_(True)
    with Record() as record:
        out = fn(x)
    report = {"ops": sorted(record.ops), "type": type(out).__name__, "shape": None, "grad": None}
    if isinstance(out, torch.Tensor):
        report["shape"] = tuple(out.shape)
        if out.requires_grad and out.shape == x.shape:
            out.backward(torch.ones_like(out))
            report["grad"] = x.grad
    return report
'''


def max_error(got, want):
    return float((got.double() - want.double()).abs().max())


@test_case(points=1, hidden=False)
def test_values(tanh, torch):
    x = torch.linspace(-4, 4, 17)
    out = tanh(x)
    assert isinstance(out, torch.Tensor) and out.shape == x.shape, "tanh(x) should be a tensor of the shape of x"
    assert torch.allclose(out, torch.tanh(x), atol=1e-5), "tanh(x) should equal torch.tanh(x)"
    big = tanh(torch.tensor([-100.0, 50.0, 100.0]))
    assert torch.allclose(big, torch.tensor([-1.0, 1.0, 1.0])), (
        f"tanh([-100, 50, 100]) should be [-1, 1, 1], got {big.tolist()}: exp(2x) overflows to inf for x > 44 "
        "and inf / inf is NaN; clamp x (for example to [-20, 20]) before exp"
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
def test_pure_pytorch_with_gradients(tanh, rng):
    """Runs your tanh in your own process while recording the PyTorch operators it calls, then
    backpropagates through it."""
    probe = define_in_sandbox(tanh, PROBE_SOURCE, PROBE)
    x = torch.from_numpy((rng.normal(size=(4, 5)) * 2).astype("float32"))
    report = probe(tanh, x)
    assert isinstance(report, dict) and report.get("type") == "Tensor" and tuple(report.get("shape") or ()) == (4, 5), (
        "tanh(x) for x of shape (4, 5) should return a tensor of shape (4, 5)"
    )
    ops = report.get("ops")
    used = sorted(set(ops) & set(FORBIDDEN_OPS)) if isinstance(ops, list) else []
    assert not used, (
        f"your tanh calls PyTorch's own tanh (operator aten::{used[0]}: torch.tanh, x.tanh(), "
        "torch.nn.functional.tanh or nn.Tanh): build it from torch.exp"
    )
    grad = report.get("grad")
    assert isinstance(grad, torch.Tensor), (
        "no gradient reached x through your tanh: build it from differentiable torch operations (torch.exp, "
        "arithmetic), not NumPy, math or .detach(), so that autograd can backpropagate through it"
    )
    want = 1 - torch.tanh(x) ** 2
    assert tuple(grad.shape) == (4, 5) and max_error(grad, want) <= 1e-4, (
        "the gradient autograd computes through your tanh is not 1 - tanh(x) ** 2: do not detach or clamp the "
        "inputs to a narrow range"
    )
