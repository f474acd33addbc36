import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "decode"


@test_case(points=1, hidden=False)
def test_hello(decode, torch):
    itos = [" ", "e", "h", "l", "o"]
    text = decode(torch.tensor([2, 1, 3, 3, 4]), itos)
    assert text == "hello", "decode(tensor([2, 1, 3, 3, 4]), itos) should be 'hello'"


@test_case(points=1, hidden=True)
def test_random_indices(decode, shakespeare, rng):
    from assignment import solution as ref

    itos, _ = ref.build_vocab(shakespeare)
    ids = torch.from_numpy(rng.integers(len(itos), size=3000))
    text = decode(ids, itos)
    assert isinstance(text, str), f"decode should return a str, got {type(text).__name__}"
    assert len(text) == len(ids), f"decode of {len(ids)} indices returned {len(text)} characters: one character per index"
    assert text == ref.decode(ids, itos), "decode should join itos[i] for the indices i, in order"
