import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "extremes"


@test_case(points=1, hidden=False)
def test_small_vector(extremes, torch):
    result = extremes(torch.tensor([3.0, -1.0, 7.0, 2.0]))
    assert isinstance(result, tuple) and len(result) == 4, "extremes should return (max_value, min_value, argmax, argmin)"
    assert all(isinstance(v, (int, float)) for v in result), "return Python numbers: use .item()"
    assert result == (7.0, -1.0, 2, 1), "the max is 7.0 at index 2 and the min -1.0 at index 1"


@test_case(points=2, hidden=True)
def test_values_and_flat_indices_of_a_3d_tensor(extremes, rng):
    t = torch.from_numpy(rng.normal(size=(3, 4, 5)).astype("float32"))
    result = extremes(t)
    assert isinstance(result, tuple) and len(result) == 4, "extremes should return a tuple (max_value, min_value, argmax, argmin)"
    names = ("max_value", "min_value", "argmax", "argmin")
    for what, value in zip(names, result):
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (
            f"{what} should be one Python number (.item()), got {type(value).__name__}; for a tensor of several "
            "dimensions, argmax/argmin are indices into the flattened tensor (torch.argmax without dim)"
        )
    max_value, min_value, argmax, argmin = result
    assert max_value == t.max().item() and min_value == t.min().item(), "max_value and min_value should be the largest and smallest entries"
    assert argmax == t.argmax().item() and argmin == t.argmin().item(), (
        "argmax and argmin should be the positions of the largest and smallest entries in the flattened tensor"
    )
