from otter.test_files import test_case

OK_FORMAT = False
name = "build_vocab"

EXCERPT_CHARS = 300_000
"""Characters of Tiny Shakespeare sent to build_vocab (one message carries at most 1,000,000)."""


@test_case(points=1, hidden=False)
def test_small_text(build_vocab):
    result = build_vocab("hello world")
    assert isinstance(result, tuple) and len(result) == 2, "build_vocab should return a tuple (chars, stoi)"
    chars, stoi = result
    assert list(chars) == [" ", "d", "e", "h", "l", "o", "r", "w"], "chars should be the distinct characters, sorted"
    assert stoi == {c: i for i, c in enumerate(chars)}, "stoi should map each character to its index in chars"


@test_case(points=2, hidden=True)
def test_shakespeare_excerpt(build_vocab, shakespeare, rng):
    from assignment import solution as ref

    start = int(rng.integers(len(shakespeare) - EXCERPT_CHARS))
    excerpt = shakespeare[start : start + EXCERPT_CHARS]
    result = build_vocab(excerpt)
    assert isinstance(result, tuple) and len(result) == 2, "build_vocab should return a tuple (chars, stoi)"
    chars, stoi = result
    want_chars, want_stoi = ref.build_vocab(excerpt)
    assert isinstance(chars, (list, tuple)) and all(isinstance(c, str) and len(c) == 1 for c in chars), (
        "chars should be a list of one-character strings"
    )
    assert sorted(set(chars)) == want_chars and len(chars) == len(want_chars), (
        f"for an excerpt of {EXCERPT_CHARS} characters of Tiny Shakespeare, chars should hold each distinct character "
        "of the text exactly once (newlines and spaces included)"
    )
    assert list(chars) == want_chars, "chars should be sorted by code point: sorted(set(text))"
    assert isinstance(stoi, dict) and stoi == want_stoi, "stoi should map every character to its index in chars"
