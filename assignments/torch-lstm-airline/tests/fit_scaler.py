import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "fit_scaler"


@test_case(points=1, hidden=False)
def test_min_and_max(fit_scaler, np):
    assert fit_scaler(np.array([3.0, 1.0, 2.0])) == (1.0, 3.0), "fit_scaler should return (data_min, data_max)"


@test_case(points=2, hidden=True)
def test_min_and_max_of_the_data(fit_scaler, rng):
    from autograder.testing import check_scalar

    train = rng.uniform(100.0, 450.0, size=int(rng.integers(20, 100)))
    result = fit_scaler(train)
    assert isinstance(result, tuple) and len(result) == 2, "fit_scaler should return a tuple (data_min, data_max)"
    lo, hi = (check_scalar(v, what) for v, what in zip(result, ("data_min", "data_max")))
    assert lo == train.min() and hi == train.max(), (
        "fit_scaler(train) should return (data_min, data_max): the smallest and the largest value of train, in this order"
    )
