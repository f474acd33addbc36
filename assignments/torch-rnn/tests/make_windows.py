import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "make_windows"


@test_case(points=1, hidden=False)
def test_ten_ids(make_windows, torch):
    result = make_windows(torch.arange(10), 3)
    assert isinstance(result, tuple) and len(result) == 2, "make_windows should return a tuple (inputs, targets)"
    inputs, targets = result
    assert inputs.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]], "inputs should be the windows ids[0:3], ids[3:6], ids[6:9]"
    assert targets.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "targets should be the inputs shifted by one character"


def call_make_windows(make_windows, ids, seq_len, *stride):
    """The student's (inputs, targets) as int64 tensors of the expected shape, checked for form."""
    from assignment import solution as ref

    result = make_windows(ids, seq_len, *stride)
    assert isinstance(result, tuple) and len(result) == 2, "make_windows should return a tuple (inputs, targets)"
    want = ref.make_windows(ids, seq_len, *stride)
    how = f"seq_len = {seq_len}" + (f", stride = {stride[0]}" if stride else " and the default stride (seq_len)")
    for what, got, expected in zip(("inputs", "targets"), result, want):
        assert isinstance(got, torch.Tensor), f"{what} should be a torch tensor, got {type(got).__name__}"
        assert tuple(got.shape) == tuple(expected.shape), (
            f"for {len(ids)} ids with {how}, {what} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}: "
            "(num_windows, seq_len), one row per window starting at 0, stride, 2 * stride, ..., every window of "
            "seq_len + 1 ids that fits (ids.unfold(0, seq_len + 1, stride))"
        )
        assert got.dtype == torch.int64, f"{what} should be int64 (torch.long), got {got.dtype}"
    inputs, targets = result
    assert torch.equal(inputs, want[0]), (
        f"for {how}, inputs differ from the expected windows: row i should be ids[s : s + seq_len] with s = i * stride"
    )
    assert not torch.equal(targets, inputs), (
        "targets are the inputs themselves: the target at each step is the next character, so targets should be the "
        "inputs shifted by one, ids[s + 1 : s + seq_len + 1]"
    )
    assert torch.equal(targets, want[1]), (
        f"for {how}, targets differ from the expected windows: row i should be ids[s + 1 : s + seq_len + 1], the "
        "inputs shifted by one"
    )


@test_case(points=2, hidden=True)
def test_windows_side_by_side(make_windows, rng):
    L, seq_len = int(rng.integers(100, 200)), int(rng.integers(5, 12))
    call_make_windows(make_windows, torch.from_numpy(rng.integers(65, size=L)), seq_len)


@test_case(points=1, hidden=True)
def test_sliding_windows_with_stride(make_windows, rng):
    L, seq_len = int(rng.integers(60, 90)), int(rng.integers(6, 10))
    ids = torch.from_numpy(rng.integers(65, size=L))
    call_make_windows(make_windows, ids, seq_len, 1)
    call_make_windows(make_windows, ids, seq_len, 3)
