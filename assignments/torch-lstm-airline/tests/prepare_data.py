import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "prepare_data"


def growing_series(rng, T):
    """A trend with seasons and noise whose later months exceed every earlier one, like the airline series."""
    t = np.arange(T)
    return 100.0 + 3.0 * t + 20.0 * np.sin(2 * np.pi * t / 12) + rng.normal(scale=3.0, size=T)


FIX_FIRST = " (if train_test_split_series, fit_scaler, scale or make_windows fail their own tests, fix them first)"


def unpack(result):
    assert isinstance(result, tuple) and len(result) == 5, "prepare_data should return a tuple (X_train, y_train, X_test, y_test, scaler)"
    scaler = result[4]
    assert isinstance(scaler, tuple) and len(scaler) == 2, "scaler should be the tuple (data_min, data_max) that fit_scaler returns"
    return result


@test_case(points=1, hidden=False)
def test_shapes(prepare_data, np):
    X_train, y_train, X_test, y_test, scaler = prepare_data(100.0 + np.arange(144.0), look_back=3)
    assert tuple(X_train.shape) == (93, 3, 1) and tuple(y_train.shape) == (93, 1), "96 training months make 93 windows of 3"
    assert tuple(X_test.shape) == (45, 3, 1) and tuple(y_test.shape) == (45, 1), "48 test months make 45 windows of 3"
    assert tuple(scaler) == (100.0, 195.0), "the scaler is fitted on the 96 training months: (100, 195)"


@test_case(points=3, hidden=True)
def test_scaler_fitted_on_training_part_only(prepare_data, rng):
    """The test months of this series exceed every training month: a scaler fitted on the whole
    series would map the training part into [0, 0.7] or so, and hand the model the future's range."""
    from assignment import solution as ref

    T, look_back = int(rng.integers(100, 160)), int(rng.choice([1, 3]))
    series = growing_series(rng, T)
    X_train, y_train, X_test, y_test, scaler = unpack(prepare_data(series, look_back))
    n_train = int(0.67 * T)
    lo, hi = (float(v) for v in scaler)
    train = series[:n_train]
    assert (lo, hi) == (train.min(), train.max()), (
        "the scaler's data_max is larger than every training month: it was fitted on test months too. Fit the scaler on "
        "the training part only, fit_scaler(train), or the test months' range leaks into training"
        if hi > train.max()
        else "scaler should be (data_min, data_max) of the training part, the first int(0.67 * T) months: fit the scaler "
        "on the training part only"
    ) + FIX_FIRST
    _, _, want_X_test, _, _ = ref.prepare_data(series, look_back)
    ok = isinstance(X_test, torch.Tensor) and tuple(X_test.shape) == tuple(want_X_test.shape)
    assert ok and torch.allclose(X_test.float(), want_X_test, atol=1e-5) and float(X_test.max()) > 1.0, (
        "the test part should be scaled with the training part's scaler too (no refitting on the test months, no "
        "clipping): its later months map above 1" + FIX_FIRST
    )


@test_case(points=3, hidden=True)
def test_windows_do_not_cross_the_split(prepare_data, rng):
    """Every training window (inputs and target) inside the training months, every test window inside
    the test months."""
    from assignment import solution as ref

    T, look_back = int(rng.integers(100, 160)), int(rng.choice([2, 3, 4]))
    series = growing_series(rng, T)
    n_train = int(0.67 * T)
    result = unpack(prepare_data(series, look_back))
    want = ref.prepare_data(series, look_back)
    shapes = [tuple(r.shape) if isinstance(r, torch.Tensor) else None for r in result[:4]]
    want_shapes = [tuple(w.shape) for w in want[:4]]
    assert shapes == want_shapes, (
        f"with {T} months, look_back = {look_back} and {n_train} training months, expected {n_train - look_back} "
        f"training and {T - n_train - look_back} test windows (shapes {want_shapes}), got {shapes}: windows must not "
        "cross the split; make the windows of the (scaled) training part and of the test part separately" + FIX_FIRST
    )
    for what, got, expected in zip(("X_train", "y_train", "X_test", "y_test"), result[:4], want[:4]):
        assert torch.allclose(got.float(), expected, atol=1e-5), (
            f"{what} differs from the windows of the scaled {'training' if 'train' in what else 'test'} part: scale both "
            "parts with the training part's scaler, then make_windows(scaled_train, look_back) and "
            "make_windows(scaled_test, look_back); windows must not cross the split" + FIX_FIRST
        )


@test_case(points=2, hidden=True)
def test_airline_shapes_and_scaler(prepare_data, airline):
    X_train, y_train, X_test, y_test, scaler = unpack(prepare_data(airline, 3))
    shapes = [tuple(t.shape) if isinstance(t, torch.Tensor) else None for t in (X_train, y_train, X_test, y_test)]
    assert shapes == [(93, 3, 1), (93, 1), (45, 3, 1), (45, 1)], (
        f"on the 144 airline months with look_back 3, expected X_train (93, 3, 1), y_train (93, 1), X_test (45, 3, 1), "
        f"y_test (45, 1), got {shapes}"
    )
    assert all(t.dtype == torch.float32 for t in (X_train, y_train, X_test, y_test)), "the windows should be float32 tensors"
    assert tuple(float(v) for v in scaler) == (float(airline[:96].min()), float(airline[:96].max())), (
        "on the airline series the scaler should be fitted on 1949-1956 only (the 96 training months): fit the scaler on "
        "the training part only"
    )
    assert float(X_train.min()) == 0.0 and abs(float(X_train.max()) - 1.0) < 1e-6 and float(X_test.max()) > 1.5, (
        "scaled with the training months' scaler, the training windows span [0, 1] and the 1960 peak maps above 1.5"
    )
