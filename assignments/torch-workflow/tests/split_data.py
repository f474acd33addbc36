import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "split_data"


@test_case(points=1, hidden=False)
def test_eighty_twenty(split_data, torch):
    X = torch.arange(50.0).unsqueeze(1)
    parts = split_data(X, 2 * X)
    assert isinstance(parts, tuple) and len(parts) == 4, "split_data should return (X_train, y_train, X_test, y_test)"
    assert [len(p) for p in parts] == [40, 40, 10, 10], "80% of 50 rows is 40 for training, 10 for testing"
    assert torch.equal(parts[0], X[:40]) and torch.equal(parts[1], 2 * X[:40]), "the first 40 rows are for training"
    sizes = [len(p) for p in split_data(X[:27], 2 * X[:27])]
    assert sizes == [21, 21, 6, 6], (
        f"80% of 27 rows is 21.6: int(0.8 * 27) = 21 rows for training (rounded down, not round()), 6 for testing; got {sizes}"
    )


@test_case(points=2, hidden=True)
def test_against_reference(split_data, rng):
    from assignment import solution as ref

    # A random size, and sizes where int(train_fraction * N) and round(train_fraction * N) differ
    # (21.6, 37.5, 29.7 training rows): the contract rounds down.
    cases = [(int(rng.integers(20, 80)), float(rng.choice([0.6, 0.75, 0.8, 0.9]))), (27, 0.8), (50, 0.75), (33, 0.9)]
    for N, fraction in cases:
        X = torch.from_numpy(rng.normal(size=(N, 1)).astype("float32"))
        y = torch.from_numpy(rng.normal(size=(N, 1)).astype("float32"))
        parts = split_data(X, y, fraction)
        assert isinstance(parts, tuple) and len(parts) == 4, "split_data should return a tuple (X_train, y_train, X_test, y_test)"
        for what, got, want in zip(("X_train", "y_train", "X_test", "y_test"), parts, ref.split_data(X, y, fraction)):
            assert isinstance(got, torch.Tensor) and tuple(got.shape) == tuple(want.shape) and torch.equal(got, want), (
                f"{what} is not what was expected for N = {N}, train_fraction = {fraction}: return "
                "(X_train, y_train, X_test, y_test) in this order, the first int(train_fraction * N) rows for "
                f"training (rounded down: {int(fraction * N)} here) and the rest for testing, unshuffled"
            )
