import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "scale"


@test_case(points=1, hidden=False)
def test_to_unit_interval(scale, np):
    assert np.allclose(scale(np.array([1.0, 2.0, 3.0]), 1.0, 3.0), [0.0, 0.5, 1.0]), "min -> 0, max -> 1"


@test_case(points=2, hidden=True)
def test_min_max_formula_without_clipping(scale, rng):
    from autograder.testing import check_array

    lo, hi = float(rng.uniform(50, 150)), float(rng.uniform(300, 450))
    x = rng.uniform(lo - 50, hi + 300, size=(6, 5))  # some values beyond the training range
    got = check_array(scale(x, lo, hi), x.shape, "scale(x, data_min, data_max) for x of shape (6, 5)")
    want = (x - lo) / (hi - lo)
    clipped = np.allclose(got, np.clip(want, 0.0, 1.0), rtol=1e-10, atol=1e-12)
    assert np.allclose(got, want, rtol=1e-10, atol=1e-12), (
        "scale should not clip: values above data_max must map above 1 (later months have more passengers)"
        if clipped
        else "scale(x, data_min, data_max) should be (x - data_min) / (data_max - data_min), elementwise"
    )
