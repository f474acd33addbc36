import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "accuracy_fn"


@test_case(points=1, hidden=False)
def test_three_of_four_is_75_percent(accuracy_fn, torch):
    acc = accuracy_fn(y_true=torch.tensor([0, 1, 2, 3]), y_pred=torch.tensor([0, 1, 2, 0]))
    assert isinstance(acc, float) and abs(acc - 75.0) < 1e-9, "3 of 4 labels agree: the accuracy is 75.0 (percent)"


@test_case(points=1, hidden=True)
def test_percent_on_random_labels(accuracy_fn, rng):
    from autograder.testing import check_scalar

    n = int(rng.integers(50, 200))
    y_true = rng.integers(0, 10, size=n)
    y_pred = y_true.copy()
    wrong = rng.random(n) < 0.3
    y_pred[wrong] = (y_pred[wrong] + rng.integers(1, 10, size=wrong.sum())) % 10
    want = 100.0 * (y_pred == y_true).mean()
    got = check_scalar(accuracy_fn(y_true=torch.from_numpy(y_true), y_pred=torch.from_numpy(y_pred)), "accuracy_fn's result")
    assert abs(got - want / 100.0) > 1e-9 or abs(want) < 1e-9, "accuracy_fn should return a percentage (0 to 100), not a fraction"
    assert abs(got - want) < 1e-6, f"accuracy_fn on {n} labels returned {got:.4f}: it should be 100 * (number of equal labels) / {n}"
