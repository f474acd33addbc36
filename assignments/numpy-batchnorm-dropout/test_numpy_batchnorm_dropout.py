"""The batchnorm/dropout/L2 reference solution against oracles: PyTorch in float64 and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
from autograder.gradient_check import eval_numerical_gradient, rel_error


def bn_inputs(seed: int, N: int = 8, D: int = 5):
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=12.0, scale=5.0, size=(N, D))
    return x, rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))


def test_batchnorm_train_forward_matches_torch():
    x, gamma, beta, _ = bn_inputs(0)
    out, _, bn_param = ref.batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": 1e-3})
    running_mean, running_var = torch.zeros(5, dtype=torch.float64), torch.ones(5, dtype=torch.float64)
    want = torch.nn.functional.batch_norm(
        torch.from_numpy(x), running_mean, running_var, torch.from_numpy(gamma), torch.from_numpy(beta),
        training=True, momentum=0.1, eps=1e-3,
    )
    assert rel_error(out, want.numpy()) < 1e-12
    # Our momentum 0.9 is torch's 0.1; the running mean starts from zeros in both here.
    assert rel_error(bn_param["running_mean"], running_mean.numpy()) < 1e-12
    # torch's running_var uses the unbiased variance; ours (CS231n) the biased one, from zeros.
    assert rel_error(bn_param["running_var"], 0.1 * x.var(axis=0)) < 1e-12
    assert rel_error(running_var.numpy(), 0.9 + 0.1 * x.var(axis=0, ddof=1)) < 1e-12


def test_batchnorm_test_forward_matches_torch_and_keeps_running_stats():
    x, gamma, beta, _ = bn_inputs(1)
    rng = np.random.default_rng(1)
    mean, var = rng.normal(size=5), rng.uniform(0.5, 2.0, size=5)
    bn_param = {"mode": "test", "running_mean": mean.copy(), "running_var": var.copy()}
    out, _, returned = ref.batchnorm_forward(x, gamma, beta, bn_param)
    want = torch.nn.functional.batch_norm(
        torch.from_numpy(x), torch.from_numpy(mean.copy()), torch.from_numpy(var.copy()),
        torch.from_numpy(gamma), torch.from_numpy(beta), training=False, eps=1e-5,
    )
    assert rel_error(out, want.numpy()) < 1e-12
    assert np.array_equal(returned["running_mean"], mean) and np.array_equal(returned["running_var"], var)


def test_batchnorm_running_statistics_follow_the_momentum_rule():
    rng = np.random.default_rng(2)
    bn_param = {"mode": "train", "momentum": 0.7}
    want_mean, want_var = np.zeros(3), np.zeros(3)
    for _ in range(4):
        x = rng.normal(loc=2.0, scale=3.0, size=(10, 3))
        _, _, bn_param = ref.batchnorm_forward(x, np.ones(3), np.zeros(3), bn_param)
        want_mean = 0.7 * want_mean + 0.3 * x.mean(axis=0)
        want_var = 0.7 * want_var + 0.3 * x.var(axis=0)
    assert rel_error(bn_param["running_mean"], want_mean) < 1e-12
    assert rel_error(bn_param["running_var"], want_var) < 1e-12


def test_batchnorm_train_output_has_mean_beta_and_std_gamma():
    x, _, beta, _ = bn_inputs(3, N=1000, D=4)
    gamma = np.array([0.5, 1.0, 2.0, 3.0])
    out, _, _ = ref.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=0), beta, atol=1e-10)
    assert np.allclose(out.std(axis=0), gamma, rtol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batchnorm_backward_matches_torch_autograd(seed):
    x, gamma, beta, dout = bn_inputs(seed)
    _, cache, _ = ref.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = ref.batchnorm_backward(dout, cache)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    out = torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5)
    (out * torch.from_numpy(dout)).sum().backward()
    assert rel_error(dx, xt.grad.numpy()) < 1e-8
    assert rel_error(dgamma, gt.grad.numpy()) < 1e-10 and rel_error(dbeta, bt.grad.numpy()) < 1e-10


def test_batchnorm_backward_matches_finite_differences():
    x, gamma, beta, dout = bn_inputs(4, N=4, D=5)
    _, cache, _ = ref.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = ref.batchnorm_backward(dout, cache)

    def loss(x_=x, gamma_=gamma, beta_=beta):
        return float(np.sum(ref.batchnorm_forward(x_, gamma_, beta_, {"mode": "train"})[0] * dout))

    assert rel_error(dx, eval_numerical_gradient(lambda v: loss(x_=v), x.copy())) < 1e-6
    assert rel_error(dgamma, eval_numerical_gradient(lambda v: loss(gamma_=v), gamma.copy())) < 1e-7
    assert rel_error(dbeta, eval_numerical_gradient(lambda v: loss(beta_=v), beta.copy())) < 1e-7


def test_batchnorm_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        ref.batchnorm_forward(np.zeros((2, 2)), np.ones(2), np.zeros(2), {"mode": "eval"})


def test_dropout_is_inverted_with_keep_probability_p():
    x = np.random.default_rng(5).uniform(1.0, 2.0, size=(400, 500))
    out, _ = ref.dropout_forward(x, {"p": 0.3, "mode": "train", "seed": 0})
    kept = out != 0
    assert abs(kept.mean() - 0.3) < 0.005
    assert np.allclose(out[kept], x[kept] / 0.3, rtol=1e-14)
    assert abs(out.mean() / x.mean() - 1) < 0.02
    assert np.array_equal(ref.dropout_forward(x, {"p": 0.3, "mode": "test"})[0], x)


def test_dropout_seed_fixes_the_mask():
    x = np.ones((20, 30))
    first, _ = ref.dropout_forward(x, {"p": 0.6, "mode": "train", "seed": 7})
    np.random.seed(7)
    assert np.array_equal(first, (np.random.rand(20, 30) < 0.6) / 0.6)
    again, _ = ref.dropout_forward(x, {"p": 0.6, "mode": "train", "seed": 7})
    assert np.array_equal(first, again)


def test_dropout_backward_matches_torch_autograd_through_the_same_mask():
    rng = np.random.default_rng(6)
    x, dout = rng.normal(size=(30, 20)), rng.normal(size=(30, 20))
    out, cache = ref.dropout_forward(x, {"p": 0.7, "mode": "train", "seed": 3})
    dx = ref.dropout_backward(dout, cache)
    mask = torch.from_numpy(cache[1])  # inverted-dropout mask, already divided by p
    xt = torch.tensor(x, requires_grad=True)
    outt = xt * mask
    (outt * torch.from_numpy(dout)).sum().backward()
    assert rel_error(out, outt.detach().numpy()) < 1e-14 and rel_error(dx, xt.grad.numpy()) < 1e-14
    _, test_cache = ref.dropout_forward(x, {"p": 0.7, "mode": "test"})
    assert np.array_equal(ref.dropout_backward(dout, test_cache), dout)


def test_dropout_backward_matches_finite_differences():
    rng = np.random.default_rng(7)
    x, dout = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    param = {"p": 0.6, "mode": "train", "seed": 11}
    _, cache = ref.dropout_forward(x, dict(param))
    numeric = eval_numerical_gradient(lambda v: float(np.sum(ref.dropout_forward(v, dict(param))[0] * dout)), x.copy())
    assert rel_error(ref.dropout_backward(dout, cache), numeric) < 1e-8


def test_l2_regularization_matches_torch_and_finite_differences():
    rng = np.random.default_rng(8)
    W, reg = rng.normal(size=(6, 4)), 0.3
    loss, dW = ref.l2_regularization(W, reg)
    Wt = torch.tensor(W, requires_grad=True)
    want = 0.5 * reg * (Wt**2).sum()
    want.backward()
    assert isinstance(loss, float) and abs(loss - want.item()) < 1e-12
    assert rel_error(dW, Wt.grad.numpy()) < 1e-12
    assert rel_error(dW, eval_numerical_gradient(lambda v: ref.l2_regularization(v, reg)[0], W.copy())) < 1e-8
