"""The gradient-check helpers (``autograder.gradient_check``): CS231n's relative error and
numerical gradients, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.gradient_check import eval_numerical_gradient_array, rel_error, sample_indices


def test_rel_error_is_cs231n():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0
    assert np.isclose(rel_error(np.array([1.0]), np.array([3.0])), 0.5)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0
    with pytest.raises(ValueError, match="shapes"):
        rel_error(np.zeros(2), np.zeros(3))


def test_sample_indices_are_distinct_and_in_range():
    idx = sample_indices((5, 3), 10, np.random.default_rng(0))
    assert len(set(idx)) == 10 and all(0 <= i < 5 and 0 <= j < 3 for i, j in idx)
    assert len(sample_indices((2,), 10, np.random.default_rng(0))) == 2


def test_layer_gradient_matches_the_upstream_weighted_jacobian():
    """eval_numerical_gradient_array of a linear layer x @ W is df @ W.T, in full and sampled."""
    rng = np.random.default_rng(2)
    x, W, df = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    full = eval_numerical_gradient_array(lambda v: v @ W, x.copy(), df)
    assert rel_error(full, df @ W.T) < 1e-8
    idx = sample_indices(x.shape, 5, rng)
    sparse = eval_numerical_gradient_array(lambda v: v @ W, x.copy(), df, idx)
    assert rel_error(sparse, np.array([(df @ W.T)[i] for i in idx])) < 1e-8
