import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "encode"


@test_case(points=1, hidden=False)
def test_hello(encode, torch):
    stoi = {" ": 0, "e": 1, "h": 2, "l": 3, "o": 4}
    ids = encode("hello", stoi)
    assert isinstance(ids, torch.Tensor) and ids.dtype == torch.long, "encode should return an int64 (long) tensor"
    assert ids.tolist() == [2, 1, 3, 3, 4], "encode('hello', stoi) should be [2, 1, 3, 3, 4]"


@test_case(points=1, hidden=True)
def test_shakespeare_excerpt(encode, shakespeare, rng):
    from assignment import solution as ref

    _, stoi = ref.build_vocab(shakespeare)
    start = int(rng.integers(len(shakespeare) - 5000))
    excerpt = shakespeare[start : start + 5000]
    ids = encode(excerpt, stoi)
    assert isinstance(ids, torch.Tensor), f"encode should return a torch tensor, got {type(ids).__name__}"
    assert tuple(ids.shape) == (len(excerpt),), (
        f"encode of a text of {len(excerpt)} characters returned shape {tuple(ids.shape)}: one index per character, "
        "a 1-D tensor"
    )
    assert ids.dtype == torch.int64, f"encode should return int64 (torch.long) indices, got {ids.dtype}"
    assert torch.equal(ids, ref.encode(excerpt, stoi)), "the indices differ from stoi[ch] for the characters ch of the text, in order"
    # The empty text: torch.tensor([]) without dtype=torch.long is float32.
    empty = encode("", stoi)
    assert isinstance(empty, torch.Tensor) and tuple(empty.shape) == (0,) and empty.dtype == torch.int64, (
        "encode('') should be an empty int64 tensor of shape (0,): give torch.tensor dtype=torch.long (an empty list "
        "is inferred as float32)"
    )
