import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "dropout_forward"

KEEP_TOLERANCE = 0.01
"""Allowed |fraction of units kept - p| on 100,000 units: the standard deviation of the fraction is
at most 0.0016 there, so this is more than 6 standard deviations."""

MEAN_TOLERANCE = 0.03
"""Allowed relative difference between mean(out) and mean(x) in train mode, x uniform in [1, 2] on
100,000 units: the standard deviation of that ratio is under 0.005 for p >= 0.3. Without the 1/p
scaling the ratio is p."""


def forward(dropout_forward, x, dropout_param, what="dropout_forward"):
    """out of the student's dropout_forward, checked for form, shape and finiteness."""
    from autograder.testing import check_array

    result = dropout_forward(x, dropout_param)
    assert isinstance(result, tuple) and len(result) == 2, f"{what} should return a tuple (out, cache)"
    return check_array(result[0], x.shape, f"out of {what}")


@test_case(points=1, hidden=False)
def test_modes_and_shapes(dropout_forward, np):
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(100, 50))
    result = dropout_forward(x, {"p": 0.25, "mode": "train", "seed": 0})
    assert isinstance(result, tuple) and len(result) == 2, "dropout_forward should return a tuple (out, cache)"
    out = result[0]
    assert isinstance(out, np.ndarray) and out.shape == x.shape, "out should have the shape of x"
    kept = out != 0
    assert 0.15 < kept.mean() < 0.35, "p is the probability of KEEPING a unit: about 25% of the units should be kept"
    assert np.allclose(out[kept], x[kept] / 0.25), "kept units are scaled by 1 / p (inverted dropout)"
    assert np.array_equal(dropout_forward(x, {"p": 0.25, "mode": "test"})[0], x), "in test mode out is x, unchanged"


@test_case(points=2, hidden=True)
def test_keep_fraction(dropout_forward, rng):
    x = rng.uniform(1.0, 2.0, size=(200, 500))
    for p in (0.3, 0.8):
        kept = float(np.mean(forward(dropout_forward, x, {"p": p, "mode": "train"}) != 0))
        assert abs(kept - p) < KEEP_TOLERANCE, (
            f"in train mode with p = {p}, your dropout kept a fraction {kept:.3f} of the units: p is the probability "
            f"of keeping a unit, not of dropping it (tolerance {KEEP_TOLERANCE})"
        )


@test_case(points=1, hidden=True)
def test_test_mode_is_identity(dropout_forward, rng):
    x = rng.normal(size=(50, 40))
    for param in ({"p": 0.3, "mode": "test"}, {"p": 0.6, "mode": "test", "seed": 1}):
        out = forward(dropout_forward, x, param, "dropout_forward in test mode")
        assert np.array_equal(out, x), "in test mode dropout_forward must return x unchanged: no mask and no scaling"


@test_case(points=2, hidden=True)
def test_inverted_scaling(dropout_forward, rng):
    x = rng.uniform(1.0, 2.0, size=(200, 500))
    for p in (0.3, 0.75):
        out = forward(dropout_forward, x, {"p": p, "mode": "train"})
        kept = out != 0
        assert kept.any(), f"with p = {p} no unit was kept"
        scaled = np.max(np.abs(out[kept] * p / x[kept] - 1))
        assert scaled < 1e-12, (
            f"with p = {p}, the kept units should be x / p: inverted dropout scales them by 1/p in train mode"
        )
        ratio = float(out.mean() / x.mean())
        assert abs(ratio - 1) < MEAN_TOLERANCE, (
            f"with p = {p}, mean(out) / mean(x) is {ratio:.3f} in train mode: inverted dropout scales the kept units "
            f"by 1/p so that the expected output equals the input (tolerance {MEAN_TOLERANCE})"
        )


@test_case(points=1, hidden=True)
def test_values_with_seed_against_reference(dropout_forward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    x = rng.normal(size=(60, 30))
    param = {"p": 0.6, "mode": "train", "seed": int(rng.integers(0, 2**31))}
    out = forward(dropout_forward, x, dict(param))
    err = rel_error(out, ref.dropout_forward(x, dict(param))[0])
    assert err < 1e-12, (
        f"with dropout_param['seed'] set, out differs from the reference (relative error {err:.1e}): call "
        "np.random.seed(seed) right before drawing the mask as np.random.rand(*x.shape) < p, and scale by 1/p"
    )
