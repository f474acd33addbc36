import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "generate"

EMBED_DIM, HIDDEN_SIZE = 16, 32
"""The models these tests generate with: CharLSTM(65, 16, 32), random weights chosen by the grader."""

PROMPT_CHARS, LENGTH = 20, 60
"""A prompt of 20 characters of Tiny Shakespeare, continued by 60 characters."""

CONFIDENCE = 100.0
"""The greedy test multiplies the weights and bias of fc by this, so the model is confident: along the
test's own greedy path the best logit leads the second best by at least 0.21 at every step
(tests/test_reference_char_rnn.py checks at least 0.1); over 50 other random models of this kind the
least lead is 0.001, the 5th percentile 0.0025."""

GREEDY_TEMPERATURE = 1e-4
"""At this temperature, on the test's own model, any index but the arg-max has probability below
exp(-0.21 / 1e-4) per step (below exp(-10) even for the least confident of the 50 other models), so the
text must be the most likely continuation."""


@test_case(points=1, hidden=False)
def test_returns_prompt_and_continuation(generate, CharLSTM, build_vocab):
    chars, stoi = build_vocab("hello world")
    text = generate(CharLSTM(len(chars), 4, 8), stoi, chars, "he", 10, temperature=1.0, seed=0)
    assert isinstance(text, str) and len(text) == 12, "generate should return the prompt and 10 more characters"
    assert text.startswith("he") and set(text) <= set(chars), "the text should start with the prompt and use the vocabulary"


@test_case(points=1, hidden=False)
def test_same_seed_same_text(generate, CharLSTM, build_vocab):
    chars, stoi = build_vocab("hello world")
    model = CharLSTM(len(chars), 4, 8)
    first, again, other = (generate(model, stoi, chars, "he", 30, temperature=1.0, seed=s) for s in (0, 0, 1))
    assert first == again, (
        "two calls with the same seed gave different texts: make one torch.Generator().manual_seed(seed) in generate "
        "and pass it to every sample_with_temperature call"
    )
    assert first != other, (
        "seeds 0 and 1 gave the same text at temperature 1: seed the generator with the seed argument and sample each "
        "character (if sample_with_temperature fails its own tests, fix it first)"
    )


@test_case(points=1, hidden=False)
def test_tiny_temperature_follows_the_whole_text(generate, CharLSTM, build_vocab, torch):
    chars, stoi = build_vocab("hello world")
    model = CharLSTM(len(chars), 4, 8)
    # Fixed weights, from U(-1, 1) and fc's weight 10 times larger: a confident model whose choices depend on the text.
    generator = torch.Generator().manual_seed(2)
    shapes = model.state_dict()
    weights = {key: 2 * torch.rand(shapes[key].shape, generator=generator) - 1 for key in sorted(shapes)}
    weights["fc.weight"] = 10 * weights["fc.weight"]
    model.load_state_dict(weights)
    prompt = "hello w"
    text = generate(model, stoi, chars, prompt, 12, temperature=1e-4, seed=0)
    assert isinstance(text, str) and len(text) == len(prompt) + 12 and text.startswith(prompt), (
        "generate(model, stoi, itos, 'hello w', 12, ...) should return the prompt and 12 more characters"
    )
    # The model run once on the whole text from a zero state: its logits at step t predict text[t + 1] from
    # everything before, as generate's carried state does. Steps whose best logit leads by under 0.01 are skipped.
    with torch.no_grad():
        logits = model(torch.tensor([[stoi[ch] for ch in text[:-1]]]))[0][0, len(prompt) - 1 :]
    top = torch.topk(logits, 2, dim=-1).values
    wrong = [i for i in range(12) if top[i, 0] - top[i, 1] > 0.01 and chars[int(logits[i].argmax())] != text[len(prompt) + i]]
    assert not wrong or wrong[0] > 0, (
        f"at temperature 1e-4 the first character after {prompt!r} should be the most likely one, got {text[len(prompt)]!r}: "
        "draw it from the logits of the prompt's last step, logits[:, -1] of the model run on the whole prompt (if "
        "sample_with_temperature fails its own tests, fix it first)"
    )
    assert not wrong, (
        f"at temperature 1e-4 generate returned {text!r}, and its generated character {wrong[0] + 1} is not the most "
        "likely after the text before it: feed each sampled character back, shape (1, 1), with the state the model "
        "returned, so the model remembers the prompt and the text so far"
    )


def reference_setup(shakespeare, rng, confidence=1.0):
    """The vocabulary, a prompt of Tiny Shakespeare, and a reference CharLSTM with random weights (fc's
    weight and bias multiplied by ``confidence``)."""
    from assignment import solution as ref

    chars, stoi = ref.build_vocab(shakespeare)
    start = int(rng.integers(len(shakespeare) - PROMPT_CHARS))
    prompt = shakespeare[start : start + PROMPT_CHARS]
    torch.manual_seed(int(rng.integers(2**31)))
    reference = ref.CharLSTM(len(chars), EMBED_DIM, HIDDEN_SIZE)
    with torch.no_grad():
        reference.fc.weight.mul_(confidence)
        reference.fc.bias.mul_(confidence)
    return chars, stoi, prompt, reference


def setup(CharLSTM, shakespeare, device, rng, confidence=1.0):
    """``reference_setup``, and the student's CharLSTM with the reference's weights, on ``device``."""
    chars, stoi, prompt, reference = reference_setup(shakespeare, rng, confidence)
    state = reference.state_dict()
    model = CharLSTM(len(chars), EMBED_DIM, HIDDEN_SIZE)
    got = model.state_dict()
    ok = isinstance(got, dict) and sorted(got) == sorted(state)
    ok = ok and all(isinstance(got[k], torch.Tensor) and tuple(got[k].shape) == tuple(v.shape) for k, v in state.items())
    assert ok, "CharLSTM's state_dict does not hold the expected parameters: if CharLSTM fails its own tests, fix it first"
    model.load_state_dict(state)
    model.to(device)
    return chars, stoi, prompt, model, reference


def text_of(generate, model, stoi, chars, prompt, temperature, seed):
    """The student's generated text, checked for form."""
    text = generate(model, stoi, chars, prompt, LENGTH, temperature=temperature, seed=seed)
    assert isinstance(text, str), f"generate should return a str, got {type(text).__name__}"
    assert text.startswith(prompt), "the text generate returns should begin with the prompt itself"
    assert len(text) == len(prompt) + LENGTH, (
        f"generate(..., length={LENGTH}) with a prompt of {len(prompt)} characters returned {len(text)} characters: "
        "the prompt followed by length new characters"
    )
    return text


@test_case(points=2, hidden=True)
def test_tiny_temperature_gives_the_most_likely_text(generate, CharLSTM, shakespeare, device, rng):
    """A confident model at temperature 1e-4, on the grader's device: the text must be the greedy one."""
    from assignment import solution as ref

    chars, stoi, prompt, model, reference = setup(CharLSTM, shakespeare, device, rng, CONFIDENCE)
    seed = int(rng.integers(2**31))
    text = text_of(generate, model, stoi, chars, prompt, GREEDY_TEMPERATURE, seed)
    want = ref.generate(reference, stoi, chars, prompt, LENGTH, GREEDY_TEMPERATURE, seed)
    assert text == want, (
        f"at temperature {GREEDY_TEMPERATURE} the text should be the model's most likely continuation, and it is not: "
        "run the model on the whole encoded prompt, shape (1, P), then draw each character from the logits of the "
        "last step with sample_with_temperature(logits[:, -1], temperature, generator) and feed it back, shape (1, 1), "
        "with the state the model returned (if CharLSTM or sample_with_temperature fails its own tests, fix it first)"
    )


FIRST_DRAW_PROMPTS, FIRST_DRAW_LEAD = 8, 0.01
"""test_first_draw_reads_the_last_step: prompts tried, and the least lead of the best logit over the
second at the prompt's last step for a prompt to count (at GREEDY_TEMPERATURE any other index then has
probability below exp(-100))."""


@test_case(points=1, hidden=True)
def test_first_draw_reads_the_last_step(generate, CharLSTM, shakespeare, device, rng):
    """Several prompts, one character each, near-greedy: the first character follows the logits of the
    prompt's last step. One prompt cannot tell them from the logits of step 0 (after the prompt's first
    character) when both have the same arg-max; over several prompts they differ."""
    from assignment import solution as ref

    chars, stoi, _, model, reference = setup(CharLSTM, shakespeare, device, rng, CONFIDENCE)
    for _ in range(FIRST_DRAW_PROMPTS):
        start = int(rng.integers(len(shakespeare) - PROMPT_CHARS))
        prompt = shakespeare[start : start + PROMPT_CHARS]
        seed = int(rng.integers(2**31))
        with torch.no_grad():
            last = reference(ref.encode(prompt, stoi).unsqueeze(0))[0][0, -1]
        best, second = torch.topk(last, 2).values.tolist()
        if best - second < FIRST_DRAW_LEAD:
            continue
        text = generate(model, stoi, chars, prompt, 1, temperature=GREEDY_TEMPERATURE, seed=seed)
        want = prompt + chars[int(last.argmax())]
        assert text == want, (
            f"for the prompt {prompt!r} and one character at temperature {GREEDY_TEMPERATURE}, generate returned "
            f"{text!r} instead of the most likely next character: the first draw uses the logits of the prompt's last "
            "step, logits[:, -1] of the model run on the whole prompt, not those of its first step (if CharLSTM or "
            "sample_with_temperature fails its own tests, fix it first)"
        )


@test_case(points=2, hidden=True)
def test_sampled_text_repeats_with_its_seed(generate, CharLSTM, shakespeare, device, rng):
    """Temperature 1 with an untrained model (nearly uniform predictions): same seed, same text; another seed,
    another text; and not the greedy text."""
    chars, stoi, prompt, model, _ = setup(CharLSTM, shakespeare, device, rng)
    seed = int(rng.integers(2**30))
    other_seed = seed + 1 + int(rng.integers(2**20))
    first = text_of(generate, model, stoi, chars, prompt, 1.0, seed)
    assert text_of(generate, model, stoi, chars, prompt, 1.0, seed) == first, (
        "two calls with the same seed gave different texts: make one torch.Generator().manual_seed(seed) in generate "
        "and pass it to every sample_with_temperature call"
    )
    assert text_of(generate, model, stoi, chars, prompt, 1.0, other_seed) != first, (
        "two calls with different seeds gave the same text: seed the generator with the seed argument"
    )
    greedy = text_of(generate, model, stoi, chars, prompt, GREEDY_TEMPERATURE, seed)
    assert first != greedy, (
        "at temperature 1 the text is the most likely continuation: sample each character with "
        "sample_with_temperature(logits[:, -1], temperature, generator) instead of taking the arg-max"
    )
