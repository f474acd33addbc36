import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "inverse_scale"


@test_case(points=1, hidden=False)
def test_back_to_data_units(inverse_scale, np):
    assert np.allclose(inverse_scale(np.array([0.0, 0.5, 1.0]), 1.0, 3.0), [1.0, 2.0, 3.0]), "0 -> min, 1 -> max"


@test_case(points=2, hidden=True)
def test_undoes_scale(inverse_scale, rng):
    from autograder.testing import check_array

    lo, hi = float(rng.uniform(50, 150)), float(rng.uniform(300, 450))
    x = rng.uniform(lo, hi + 300, size=(7, 1))
    scaled = (x - lo) / (hi - lo)
    got = check_array(inverse_scale(scaled, lo, hi), x.shape, "inverse_scale(x_scaled, data_min, data_max) for x_scaled of shape (7, 1)")
    assert np.allclose(got, x, rtol=1e-10, atol=1e-9), (
        "inverse_scale should undo scale: x_scaled * (data_max - data_min) + data_min (do not forget to add data_min back)"
    )
