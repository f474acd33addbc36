"""The conv/pool/flatten reference solution against oracles: PyTorch in float64 and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
from autograder.gradient_check import eval_numerical_gradient, rel_error

T = torch.from_numpy

CONV_CASES = [
    # (N, C, H, W), (F, HH, WW), stride, pad
    ((2, 3, 5, 5), (3, 3, 3), 1, 1),
    ((2, 3, 7, 6), (4, 3, 2), 2, 1),
    ((1, 2, 6, 6), (2, 3, 3), 2, 0),
    ((2, 1, 5, 7), (3, 2, 3), 3, 2),
]

POOL_CASES = [
    # (N, C, H, W), pool_height, pool_width, stride
    ((2, 3, 4, 4), 2, 2, 2),
    ((2, 2, 5, 7), 3, 2, 1),
    ((1, 3, 7, 7), 3, 3, 2),
]


def conv_inputs(seed, xshape, wshape):
    rng = np.random.default_rng(seed)
    N, C = xshape[:2]
    F, HH, WW = wshape
    return rng.normal(size=xshape), rng.normal(size=(F, C, HH, WW)), rng.normal(size=F)


@pytest.mark.parametrize("xshape, wshape, stride, pad", CONV_CASES)
def test_conv_forward_matches_torch(xshape, wshape, stride, pad):
    x, w, b = conv_inputs(0, xshape, wshape)
    out, _ = ref.conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})
    want = torch.nn.functional.conv2d(T(x), T(w), T(b), stride=stride, padding=pad).numpy()
    assert out.shape == want.shape
    assert out.shape[2] == 1 + (xshape[2] + 2 * pad - wshape[1]) // stride
    assert rel_error(out, want) < 1e-12


@pytest.mark.parametrize("xshape, wshape, stride, pad", CONV_CASES)
def test_conv_backward_matches_torch_autograd(xshape, wshape, stride, pad):
    x, w, b = conv_inputs(1, xshape, wshape)
    out, cache = ref.conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})
    dout = np.random.default_rng(2).normal(size=out.shape)
    dx, dw, db = ref.conv_backward_naive(dout, cache)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    (torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad) * T(dout)).sum().backward()
    assert rel_error(dx, xt.grad.numpy()) < 1e-10
    assert rel_error(dw, wt.grad.numpy()) < 1e-10
    assert rel_error(db, bt.grad.numpy()) < 1e-12


def test_conv_backward_matches_finite_differences():
    x, w, b = conv_inputs(3, (2, 3, 5, 5), (3, 3, 3))
    param = {"stride": 2, "pad": 1}
    out, cache = ref.conv_forward_naive(x, w, b, param)
    dout = np.random.default_rng(4).normal(size=out.shape)
    dx, dw, db = ref.conv_backward_naive(dout, cache)

    def loss(x_=x, w_=w, b_=b):
        return float(np.sum(ref.conv_forward_naive(x_, w_, b_, param)[0] * dout))

    assert rel_error(dx, eval_numerical_gradient(lambda v: loss(x_=v), x.copy())) < 1e-8
    assert rel_error(dw, eval_numerical_gradient(lambda v: loss(w_=v), w.copy())) < 1e-8
    assert rel_error(db, eval_numerical_gradient(lambda v: loss(b_=v), b.copy())) < 1e-8


@pytest.mark.parametrize("xshape, ph, pw, stride", POOL_CASES)
def test_max_pool_forward_and_backward_match_torch(xshape, ph, pw, stride):
    x = np.random.default_rng(5).normal(size=xshape)
    param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out, cache = ref.max_pool_forward_naive(x, param)
    xt = torch.tensor(x, requires_grad=True)
    want = torch.nn.functional.max_pool2d(xt, (ph, pw), stride=stride)
    assert out.shape == tuple(want.shape)
    assert rel_error(out, want.detach().numpy()) < 1e-14
    dout = np.random.default_rng(6).normal(size=out.shape)
    (want * T(dout)).sum().backward()
    assert rel_error(ref.max_pool_backward_naive(dout, cache), xt.grad.numpy()) < 1e-12


def test_max_pool_backward_matches_finite_differences_and_routes_to_the_argmax():
    x = np.random.default_rng(7).normal(size=(2, 2, 4, 4))
    param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = ref.max_pool_forward_naive(x, param)
    dout = np.random.default_rng(8).normal(size=out.shape)
    dx = ref.max_pool_backward_naive(dout, cache)
    numeric = eval_numerical_gradient(lambda v: float(np.sum(ref.max_pool_forward_naive(v, param)[0] * dout)), x.copy())
    assert rel_error(dx, numeric) < 1e-8
    # Non-overlapping 2x2 windows: exactly one nonzero per window, equal to that window's dout.
    assert np.count_nonzero(dx) == out.size
    assert np.allclose(np.sort(dx[dx != 0]), np.sort(dout.ravel()))


def test_flatten_matches_torch_and_round_trips():
    x = np.random.default_rng(9).normal(size=(3, 2, 4, 5))
    out, cache = ref.flatten_forward(x)
    xt = torch.tensor(x, requires_grad=True)
    want = torch.flatten(xt, start_dim=1)
    assert out.shape == (3, 40) and np.array_equal(out, want.detach().numpy())
    dout = np.random.default_rng(10).normal(size=(3, 40))
    (want * T(dout)).sum().backward()
    assert np.array_equal(ref.flatten_backward(dout, cache), xt.grad.numpy())


def test_tiny_convnet_overfits_with_the_reference_layers():
    """The same small net and schedule as the hidden test in assignments/numpy-cnn/tests/flatten_backward.py."""
    from conftest import assignment_test_module

    module = assignment_test_module("numpy-cnn", "flatten_backward")
    for seed in range(5):
        acc, losses = module.train_tiny_convnet(
            ref.conv_forward_naive, ref.conv_backward_naive, ref.max_pool_forward_naive,
            ref.max_pool_backward_naive, ref.flatten_forward, ref.flatten_backward, np.random.default_rng(seed),
        )
        assert acc == 1.0 and losses[-1] < 0.5 * losses[0]
