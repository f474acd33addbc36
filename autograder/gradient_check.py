"""Numerical gradient checking (CS231n ``gradient_check.py`` conventions).

Centered differences with ``h = 1e-5`` in float64, compared with
``rel_error(x, y) = max(|x - y| / max(1e-8, |x| + |y|))``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def rel_error(x, y) -> float:
    """Maximum elementwise relative error between two arrays (CS231n).

    Inputs:
    - x, y: arrays of the same shape (anything ``np.asarray`` accepts).

    Returns the float ``max(|x - y| / max(1e-8, |x| + |y|))``.

    Raises ValueError if the shapes differ.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: shapes differ: {x.shape} vs {y.shape}")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0.0))


def eval_numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centered-difference gradient of a scalar function at ``x`` (CS231n).

    Inputs:
    - f: function of one array returning a scalar; it is called with ``x`` modified in place.
    - x: float64 array of any shape; restored to its original values on return.
    - h: step size.

    Returns grad, float64 array of the same shape as x, with
    ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)``.
    """
    return eval_numerical_gradient_at(f, x, list(np.ndindex(x.shape)), h).reshape(x.shape)


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    df: np.ndarray,
    indices: list[tuple[int, ...]] | None = None,
    h: float = 1e-5,
) -> np.ndarray:
    """Numerical gradient of a layer: centered differences of ``sum(f(x) * df)`` (CS231n's
    ``eval_numerical_gradient_array``), the gradient a backward pass given upstream ``df`` returns.

    Inputs:
    - f: the layer's forward map, one array to its output (called with ``x`` modified in place).
    - x: float64 input array; restored on return.
    - df: upstream gradient, of the shape of ``f(x)``.
    - indices: multi-indices into x to check (as from ``sample_indices``); None checks all.

    Returns an array of the shape of x, or of shape (len(indices),) when indices are given.
    """

    def loss(value: np.ndarray) -> float:
        return float(np.sum(f(value) * df))

    if indices is None:
        return eval_numerical_gradient(loss, x, h)
    return eval_numerical_gradient_at(loss, x, indices, h)


def sample_indices(shape: tuple[int, ...], count: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """Pick ``count`` distinct multi-indices of an array of ``shape`` (for sparse gradient checks).

    Returns a list of index tuples, at most ``prod(shape)`` of them.
    """
    size = int(np.prod(shape))
    flat = rng.choice(size, size=min(count, size), replace=False)
    return [tuple(int(i) for i in np.unravel_index(k, shape)) for k in flat]


def eval_numerical_gradient_at(
    f: Callable[[np.ndarray], float], x: np.ndarray, indices: list[tuple[int, ...]], h: float = 1e-5
) -> np.ndarray:
    """Centered-difference partial derivatives of ``f`` at ``x`` for the given indices only.

    Inputs:
    - f: scalar function of one array (called with ``x`` modified in place).
    - x: float64 array; restored on return.
    - indices: multi-indices into x, as from ``sample_indices``.

    Returns a float64 array of shape (len(indices),).
    """
    out = np.empty(len(indices), dtype=np.float64)
    for k, ix in enumerate(indices):
        old = x[ix]
        x[ix] = old + h
        fxph = float(f(x))
        x[ix] = old - h
        fxmh = float(f(x))
        x[ix] = old
        out[k] = (fxph - fxmh) / (2 * h)
    return out
