"""Helpers for test authors (imported by hidden tests, on the trusted side only).

Gradient checks use the one implementation in ``reference.gradient_check`` (CS231n
conventions: centered differences, h = 1e-5, float64, ``rel_error``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.grading.proxy import with_timeout
from reference.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    eval_numerical_gradient_at,
    rel_error,
    sample_indices,
)

__all__ = [
    "check_array",
    "check_scalar",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "eval_numerical_gradient_at",
    "rel_error",
    "sample_indices",
    "with_timeout",
]


def check_array(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Assert that a student's value is a finite numeric array of ``shape``; return it as float64.

    The AssertionError names ``what``, the expected shape and what was found instead.
    """
    assert isinstance(value, np.ndarray), f"{what} should be a numpy array of shape {shape}, got {type(value).__name__}"
    assert value.shape == tuple(shape), f"{what} has shape {value.shape}, expected {tuple(shape)}"
    assert np.all(np.isfinite(value)), f"{what} contains NaN or infinite values"
    return value.astype(np.float64)


def check_scalar(value: Any, what: str) -> float:
    """Assert that a student's value is one finite real number; return it as a float."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) or (isinstance(value, np.ndarray) and value.size == 1)
    assert ok and not isinstance(value, bool), f"{what} should be a single number, got {type(value).__name__}"
    number = float(np.asarray(value).reshape(()))
    assert np.isfinite(number), f"{what} is {number}, expected a finite number"
    return number
