import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "split_data"


@test_case(points=1, hidden=False)
def test_eighty_twenty(split_data, torch):
    X = torch.arange(100.0).reshape(50, 2)
    y = torch.arange(50)
    parts = split_data(X, y)
    assert isinstance(parts, tuple) and len(parts) == 4, "split_data should return (X_train, X_test, y_train, y_test)"
    X_train, X_test, y_train, y_test = parts
    assert [len(p) for p in parts] == [40, 10, 40, 10], "20% of 50 samples is 10 for testing, 40 for training"
    assert torch.equal(X_train[:, 0], 2 * y_train) and torch.equal(X_test[:, 0], 2 * y_test), "each row of X must keep its label"
    assert sorted(torch.cat([y_train, y_test]).tolist()) == list(range(50)), "every sample lands in exactly one set"
    assert y_test.tolist() != list(range(40, 50)), "the samples should be shuffled before the split"
    n_test = len(split_data(X[:49], y[:49])[1])
    assert n_test == 9, (
        f"for 49 samples the test set has {n_test} samples: 20% of 49 is 9.8, and the test set has "
        "int(test_fraction * N) = 9 samples (rounded down, not round())"
    )


@test_case(points=1, hidden=False)
def test_test_set_is_not_a_block_of_neighbours(split_data, torch):
    """The spirals come sorted by class: a test set of neighbouring samples holds one class only."""
    X = torch.arange(100.0).reshape(50, 2)
    _, _, _, y_test = split_data(X, torch.arange(50))
    picked = sorted(y_test.tolist())
    assert picked[-1] - picked[0] > len(picked) - 1, (
        f"the test samples are a block of neighbours ({picked}): shuffle with torch.randperm before splitting"
    )


@test_case(points=2, hidden=True)
def test_against_reference(split_data, rng):
    from assignment import solution as ref

    # A random size, and sizes where int(test_fraction * N) and round(test_fraction * N) differ
    # (13.8, 7.5, 13.5 test samples): the contract rounds down.
    N, fraction = int(rng.integers(20, 80)), float(rng.choice([0.1, 0.2, 0.25, 0.3]))
    for N, fraction in [(N, fraction), (69, 0.2), (30, 0.25), (45, 0.3)]:
        seed = int(rng.integers(2**31))
        X = torch.from_numpy(rng.normal(size=(N, 2)).astype("float32"))
        y = torch.from_numpy(rng.integers(0, 3, size=N))
        parts = split_data(X, y, fraction, seed)
        assert isinstance(parts, tuple) and len(parts) == 4, "split_data should return a tuple (X_train, X_test, y_train, y_test)"
        n_test = int(fraction * N)
        for what, got, want in zip(("X_train", "X_test", "y_train", "y_test"), parts, ref.split_data(X, y, fraction, seed)):
            assert isinstance(got, torch.Tensor) and tuple(got.shape) == tuple(want.shape), (
                f"for N = {N} and test_fraction = {fraction}, {what} should have shape {tuple(want.shape)} "
                f"(int(test_fraction * N) = {n_test} test samples, rounded down), got "
                f"{tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__}; the order is "
                "(X_train, X_test, y_train, y_test)"
            )
            assert got.dtype == want.dtype, f"{what} should keep the dtype of its input, {want.dtype}, got {got.dtype}"
            assert torch.equal(got, want), (
                f"{what} holds other samples than expected for seed = {seed}: shuffle with "
                "order = torch.randperm(N, generator=torch.Generator().manual_seed(seed)), then take "
                "order[:n_test] for the test set and order[n_test:] for the training set"
            )
