import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "train_test_split_series"


@test_case(points=1, hidden=False)
def test_first_part_for_training(train_test_split_series, np):
    parts = train_test_split_series(np.arange(10.0), 0.7)
    assert isinstance(parts, tuple) and len(parts) == 2, "train_test_split_series should return (train, test)"
    train, test = parts
    assert list(train) == [0, 1, 2, 3, 4, 5, 6] and list(test) == [7, 8, 9], "the first 70% of 10 values, in order, then the rest"
    train, test = train_test_split_series(np.arange(10.0), 0.67)
    assert (len(train), len(test)) == (6, 4), (
        f"with train_fraction 0.67, 10 values split into {len(train)} and {len(test)}: the training part is the first "
        "int(0.67 * 10) = 6 values (rounded down, with int(), not round()), the test part the other 4"
    )


@test_case(points=2, hidden=True)
def test_split_in_time_order(train_test_split_series, rng):
    from assignment import solution as ref

    # A random length, and lengths where int(train_fraction * T) and round(train_fraction * T) differ
    # (33.5, 29.6, 37.5 training values): the contract rounds down.
    T, fraction = int(rng.integers(30, 200)), float(rng.choice([0.5, 0.67, 0.8]))
    for T, fraction in [(T, fraction), (50, 0.67), (37, 0.8), (75, 0.5)]:
        series = 100.0 + np.cumsum(rng.uniform(0.5, 5.0, size=T))  # a growing series: order matters
        parts = train_test_split_series(series, fraction)
        assert isinstance(parts, tuple) and len(parts) == 2, "train_test_split_series should return a tuple (train, test)"
        want_train, want_test = ref.train_test_split_series(series, fraction)
        train, test = (np.asarray(p) for p in parts)
        assert train.shape == want_train.shape and test.shape == want_test.shape, (
            f"for {T} values and train_fraction = {fraction}, train should hold the first int(train_fraction * {T}) = "
            f"{len(want_train)} values (rounded down) and test the other {len(want_test)}; got {train.shape} and {test.shape}"
        )
        same_values = np.array_equal(np.sort(np.concatenate([train, test])), series)
        in_order = np.array_equal(train, want_train) and np.array_equal(test, want_test)
        assert in_order, (
            "train and test hold the right values but not in time order: the series was shuffled. A time series "
            "must not be shuffled before splitting, or the training part holds months from the future"
            if same_values
            else "train should be the first values of the series and test the rest, unchanged and in time order"
        )


@test_case(points=1, hidden=True)
def test_airline_months(train_test_split_series, airline):
    parts = train_test_split_series(airline)
    assert isinstance(parts, tuple) and len(parts) == 2, "train_test_split_series should return a tuple (train, test)"
    train, test = (np.asarray(p) for p in parts)
    assert train.shape == (96,) and test.shape == (48,), (
        f"with the default train_fraction=0.67 the 144 airline months split into 96 and 48, got {train.shape} and {test.shape}"
    )
    assert np.array_equal(train, airline[:96]) and np.array_equal(test, airline[96:]), (
        "train should be 1949-1956 and test 1957-1960, in time order (not shuffled)"
    )
