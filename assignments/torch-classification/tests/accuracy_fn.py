import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "accuracy_fn"


@test_case(points=1, hidden=False)
def test_three_of_four(accuracy_fn, torch):
    acc = accuracy_fn(torch.tensor([0, 1, 1, 0]), torch.tensor([0, 1, 0, 0]))
    assert isinstance(acc, float), "accuracy_fn should return a Python float"
    assert abs(acc - 75.0) < 1e-9, "3 correct predictions out of 4 is 75%"


@test_case(points=1, hidden=True)
def test_against_reference(accuracy_fn, rng):
    from autograder.testing import check_scalar
    from assignment import solution as ref

    N = int(rng.integers(30, 90))
    y_true = torch.from_numpy(rng.integers(0, 3, size=N))
    y_pred = torch.where(torch.from_numpy(rng.random(N) < 0.7), y_true, torch.from_numpy(rng.integers(0, 3, size=N)))
    got = accuracy_fn(y_true, y_pred)
    assert isinstance(got, float), f"accuracy_fn should return a Python float (.item()), got {type(got).__name__}"
    got = check_scalar(got, "accuracy_fn(y_true, y_pred)")
    want = ref.accuracy_fn(y_true, y_pred)
    assert abs(got - want) < 1e-4, (  # a float32 mean times 100 is off by up to about 1e-5
        f"accuracy_fn(y_true, y_pred) for {N} labels is {got:.4f}: it should be the percentage (between 0 and 100) "
        "of positions where y_pred equals y_true"
    )
