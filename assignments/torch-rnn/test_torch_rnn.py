"""The char-rnn reference (``solution.py``) against oracles: Tiny Shakespeare's 65-character
vocabulary, windows cut by hand, the LSTM's gate equations written out in NumPy, the cross-entropy
in NumPy, greedy decoding that re-reads the whole text at every step (no carried state); and the
constants of torch-rnn's hidden tests: the chi-square critical value (from scipy), the chi-square
test's false-failure rate and power, the initial-loss tolerance, the training pass mark on the hidden
test's own seeds, and the confidence margin of the greedy generation test. The hidden tests are also
run in-process against the reference, with the rng the grader would give them."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from autograder.bundle import Bundle, BundleConfig
from autograder.grading.runner import seed_for_test
from autograder.resources import assignments_dir
from conftest import assignment_test_module, data_dir, tomllib
from autograder.assignment_package import own_module

ref = own_module(__file__, "solution")
from autograder.datasets import load_tiny_shakespeare


ASSIGNMENT = assignments_dir() / "torch-rnn"
CONFIG = tomllib.loads((ASSIGNMENT / "assignment.toml").read_text())
sampler_tests = assignment_test_module("torch-rnn", "sample_with_temperature")
loss_tests = assignment_test_module("torch-rnn", "sequence_loss")
train_tests = assignment_test_module("torch-rnn", "train_steps")
generate_tests = assignment_test_module("torch-rnn", "generate")


def fixture_rng(question: str, test: str) -> np.random.Generator:
    """The ``rng`` the grader gives the hidden test ``test`` of ``tests/<question>.py``."""
    return np.random.default_rng(seed_for_test(CONFIG["seed"], f"{question}.{test}"))


def make_generator(seed: int) -> torch.Generator:
    """The notebook's make_generator."""
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def shakespeare() -> str:
    try:
        return load_tiny_shakespeare(data_dir())
    except FileNotFoundError as exc:
        pytest.skip(f"Tiny Shakespeare not found: {exc}")


def test_hidden_test_names_seed_their_rng_as_file_dot_function():
    """fixture_rng's names are the ones the bundle gives the test cases."""
    sources = {p.name: p.read_text() for p in (ASSIGNMENT / "tests").glob("*.py")}
    names = Bundle.from_sources(BundleConfig(id="torch-rnn"), sources).test_names
    assert "sample_with_temperature.test_distribution_at_temperature_1" in names
    assert "train_steps.test_trained_model_reaches_pass_mark" in names


# --- data -------------------------------------------------------------------------------------


def test_vocabulary_of_tiny_shakespeare(shakespeare):
    chars, stoi = ref.build_vocab(shakespeare)
    assert len(shakespeare) == 1_115_394 and len(chars) == 65
    assert chars[:2] == ["\n", " "] and chars[-1] == "z" and "3" in chars and "$" in chars
    assert all(stoi[c] == i for i, c in enumerate(chars)) and len(stoi) == 65


def test_encode_decode_round_trip(shakespeare):
    chars, stoi = ref.build_vocab(shakespeare)
    ids = ref.encode(shakespeare[:10_000], stoi)
    assert ids.dtype == torch.int64 and ids.shape == (10_000,)
    assert ref.decode(ids, chars) == shakespeare[:10_000] == ref.decode(ids.tolist(), chars)
    assert ref.encode("First", stoi).tolist() == [stoi[c] for c in "First"]
    with pytest.raises(KeyError):
        ref.encode("é", stoi)


@pytest.mark.parametrize("L", [9, 10, 37])
@pytest.mark.parametrize("seq_len", [1, 3, 8])
@pytest.mark.parametrize("stride", [None, 1, 2, 5])
def test_make_windows_by_hand(L, seq_len, stride):
    ids = torch.arange(100, 100 + L)
    inputs, targets = ref.make_windows(ids, seq_len, stride)
    step = seq_len if stride is None else stride
    starts = range(0, L - seq_len, step)  # every s with s + seq_len + 1 <= L
    assert len(starts) == (L - seq_len - 1) // step + 1
    assert inputs.tolist() == [list(range(100 + s, 100 + s + seq_len)) for s in starts]
    assert targets.tolist() == [list(range(101 + s, 101 + s + seq_len)) for s in starts]
    assert inputs.dtype == targets.dtype == torch.int64


def test_make_windows_needs_one_window():
    with pytest.raises(RuntimeError):
        ref.make_windows(torch.arange(5), 5)


# --- model and loss ---------------------------------------------------------------------------


def numpy_lstm(state: dict, x: np.ndarray, h: np.ndarray, c: np.ndarray):
    """Logits, h and c of CharLSTM's weights by PyTorch's LSTM equations (gates i, f, g, o), float64."""
    w = {k: v.double().numpy() for k, v in state.items()}
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    N, T = x.shape
    logits = []
    for t in range(T):
        e = w["embedding.weight"][x[:, t]]
        gates = e @ w["lstm.weight_ih_l0"].T + w["lstm.bias_ih_l0"] + h @ w["lstm.weight_hh_l0"].T + w["lstm.bias_hh_l0"]
        i, f, g, o = np.split(gates, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        logits.append(h @ w["fc.weight"].T + w["fc.bias"])
    return np.stack(logits, axis=1), h, c


def test_char_lstm_is_embedding_lstm_linear_by_the_gate_equations():
    torch.manual_seed(0)
    V, E, H = 11, 4, 6
    model = ref.CharLSTM(V, E, H)
    state = model.state_dict()
    assert list(state) == ["embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0",
                           "lstm.bias_hh_l0", "fc.weight", "fc.bias"]
    rng = np.random.default_rng(0)
    x = rng.integers(V, size=(3, 7))
    h0, c0 = rng.normal(size=(3, H)), rng.normal(size=(3, H))
    want, want_h, want_c = numpy_lstm(state, x, h0, c0)
    with torch.no_grad():
        start = (torch.from_numpy(h0[None]).float(), torch.from_numpy(c0[None]).float())
        logits, (h, c) = model(torch.from_numpy(x), start)
        zero_logits, _ = model(torch.from_numpy(x))
    assert logits.shape == (3, 7, V) and h.shape == c.shape == (1, 3, H)
    assert np.allclose(logits.numpy(), want, atol=1e-5)
    assert np.allclose(h[0].numpy(), want_h, atol=1e-5) and np.allclose(c[0].numpy(), want_c, atol=1e-5)
    zeros = np.zeros((3, H))
    assert np.allclose(zero_logits.numpy(), numpy_lstm(state, x, zeros, zeros)[0], atol=1e-5)


def test_sequence_loss_is_the_mean_negative_log_likelihood():
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=2.0, size=(3, 5, 7))
    targets = rng.integers(7, size=(3, 5))
    log_probs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    want = -np.take_along_axis(log_probs, targets[..., None], axis=-1).mean()
    got = ref.sequence_loss(torch.from_numpy(logits), torch.from_numpy(targets))
    assert got.ndim == 0 and abs(got.item() - want) < 1e-12
    assert abs(ref.sequence_loss(torch.zeros(2, 3, 65), torch.zeros(2, 3, dtype=torch.long)).item() - math.log(65)) < 1e-6


def test_initial_loss_tolerance(shakespeare):
    """loss_tests.INIT_LOSS_TOL: 20 fresh models (PyTorch's default initialisation) on windows like the hidden
    test's are within a third of the tolerance of ln(65) (0.032 at worst; over seeds 0-199 the worst is
    0.054, the standard deviation 0.015)."""
    chars, stoi = ref.build_vocab(shakespeare)
    rng = np.random.default_rng(3)
    gaps = []
    for seed in range(20):
        start = int(rng.integers(len(shakespeare) - 32 * 65))
        inputs, targets = ref.make_windows(ref.encode(shakespeare[start : start + 32 * 65], stoi), 64)
        torch.manual_seed(seed)
        with torch.no_grad():
            loss = ref.sequence_loss(ref.CharLSTM(65, 16, 64)(inputs)[0], targets).item()
        gaps.append(abs(loss - math.log(65)))
    assert max(gaps) <= loss_tests.INIT_LOSS_TOL / 3, gaps


def test_initial_loss_hidden_test_passes_the_reference_and_fails_a_summed_loss(shakespeare):
    hidden = loss_tests.test_initial_loss_is_ln_vocab_size.test_func
    rng = lambda: fixture_rng("sequence_loss", "test_initial_loss_is_ln_vocab_size")  # noqa: E731
    hidden(ref.sequence_loss, ref.CharLSTM, shakespeare, rng())

    def summed(logits, targets):
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum")

    with pytest.raises(AssertionError, match="ln\\(65\\)"):
        hidden(summed, ref.CharLSTM, shakespeare, rng())


# --- the sampler ------------------------------------------------------------------------------


def test_chi_square_critical_value_is_scipys():
    stats = pytest.importorskip("scipy.stats")
    assert abs(stats.chi2.isf(1e-6, 2 * (sampler_tests.NUM_CLASSES - 1)) - sampler_tests.CHI2_CRITICAL) < 0.005


@pytest.mark.parametrize("test", ["test_distribution_at_temperature_1", "test_distribution_at_temperature_2"])
def test_chi_square_tests_on_their_own_data(test):
    """The reference passes each chi-square test with the grader's rng; every expected count is at least 370
    (so the chi-square approximation holds); each buggy sampler's statistic is above 10x the critical value."""
    temperature = {"test_distribution_at_temperature_1": 1.0, "test_distribution_at_temperature_2": 2.0}[test]
    getattr(sampler_tests, test).test_func(ref.sample_with_temperature, make_generator, fixture_rng("sample_with_temperature", test))
    rows = fixture_rng("sample_with_temperature", test).normal(scale=1.0, size=(2, sampler_tests.NUM_CLASSES))
    probs = torch.softmax(torch.from_numpy(rows) / temperature, dim=1)
    assert sampler_tests.DRAWS * probs.min().item() >= 370

    def times(logits, temperature=1.0, generator=None):
        return ref.sample_with_temperature(logits * temperature * temperature, temperature, generator)  # logits * T

    def argmax(logits, temperature=1.0, generator=None):
        return logits.argmax(dim=-1)

    def over_rows(logits, temperature=1.0, generator=None):
        probs = torch.softmax(logits / temperature, dim=0)
        return torch.multinomial(probs, 1, generator=generator).squeeze(-1)

    buggy = [argmax, over_rows] + ([times] if temperature != 1.0 else [])
    for sampler in buggy:
        rng = fixture_rng("sample_with_temperature", test)
        statistic, _ = sampler_tests.chi_square_statistic(sampler, make_generator, rng, temperature)
        assert statistic > 10 * sampler_tests.CHI2_CRITICAL, (sampler.__name__, statistic)


def test_chi_square_statistic_of_a_correct_sampler_follows_its_distribution():
    """25 other rngs: the statistic's mean is near its 14 degrees of freedom (standard deviation of the mean
    of 25: 1.06) and no run reaches the critical value (each would with probability 1e-6)."""
    statistics = [sampler_tests.chi_square_statistic(ref.sample_with_temperature, make_generator, np.random.default_rng(seed), 1.0)[0]
                  for seed in range(25)]
    assert 10.5 < np.mean(statistics) < 17.5, np.mean(statistics)
    assert max(statistics) < sampler_tests.CHI2_CRITICAL


def test_tiny_temperature_test_passes_the_reference_not_a_sampler_that_overflows():
    hidden = sampler_tests.test_tiny_temperature_picks_the_argmax.test_func
    rng = lambda: fixture_rng("sample_with_temperature", "test_tiny_temperature_picks_the_argmax")  # noqa: E731
    hidden(ref.sample_with_temperature, make_generator, rng())

    def by_hand(logits, temperature=1.0, generator=None):
        p = torch.exp(logits / temperature)  # overflows to inf: nan probabilities
        return torch.multinomial(p / p.sum(dim=-1, keepdim=True), 1, generator=generator).squeeze(-1)

    with pytest.raises(RuntimeError):
        hidden(by_hand, make_generator, rng())


# --- training -----------------------------------------------------------------------------------


def test_train_steps_replays_adam_on_random_minibatches():
    """Two steps by hand: the same minibatches (torch.randint with the seeded generator) and Adam."""
    torch.manual_seed(0)
    model = ref.CharLSTM(9, 3, 5)
    twin = ref.CharLSTM(9, 3, 5)
    twin.load_state_dict(model.state_dict())
    inputs, targets = ref.make_windows(torch.randint(9, (61,)), 6)
    losses = ref.train_steps(model, inputs, targets, 2, batch_size=4, lr=0.05, seed=7)
    generator = torch.Generator().manual_seed(7)
    optimizer = torch.optim.Adam(twin.parameters(), lr=0.05)
    for step in range(2):
        idx = torch.randint(len(inputs), (4,), generator=generator)
        loss = ref.sequence_loss(twin(inputs[idx])[0], targets[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        assert type(losses[step]) is float and abs(losses[step] - loss.item()) < 1e-6
    assert all(torch.allclose(a, b) for a, b in zip(model.state_dict().values(), twin.state_dict().values()))


@pytest.mark.parametrize("seeds", ["fixture", "other", "another"])
def test_pass_mark_calibration(shakespeare, seeds):
    """The reference trained as the hidden pass-mark test trains the student's model, on that test's own seeds
    and on two other pairs: at least 0.1 below the pass mark (the full calibration: 41 pairs, 2.130-2.193)."""
    torch.set_num_threads(1)
    chars, stoi = ref.build_vocab(shakespeare)
    ids = ref.encode(shakespeare, stoi)
    rng = {"fixture": fixture_rng("train_steps", "test_trained_model_reaches_pass_mark"),
           "other": np.random.default_rng(11), "another": np.random.default_rng(12)}[seeds]
    state, seed = train_tests.graded_start(rng, len(chars))
    assert train_tests.held_out_loss(state, ids, len(chars)) > 4.0  # untrained: about ln(65)
    model = ref.CharLSTM(len(chars), train_tests.EMBED_DIM, train_tests.HIDDEN_SIZE)
    model.load_state_dict(state)
    inputs, targets = ref.make_windows(ids[: train_tests.TRAIN_CHARS], train_tests.SEQ_LEN)
    ref.train_steps(model, inputs, targets, train_tests.STEPS, batch_size=train_tests.BATCH_SIZE, lr=train_tests.LR, seed=seed)
    loss = train_tests.held_out_loss(model.state_dict(), ids, len(chars))
    assert loss <= train_tests.PASS_MARK - 0.1, loss


# --- generation ---------------------------------------------------------------------------------


def greedy_by_rereading(model, stoi, itos, prompt, length):
    """The arg-max continuation, re-running the model on the whole text so far at each step (no carried state).
    Returns the text and the smallest lead of the best logit over the second best along the way."""
    text, least_gap = prompt, math.inf
    model.eval()
    with torch.no_grad():
        for _ in range(length):
            logits = model(ref.encode(text, stoi).unsqueeze(0))[0][0, -1].double()
            top = logits.topk(2).values
            least_gap = min(least_gap, (top[0] - top[1]).item())
            text += itos[int(logits.argmax())]
    return text, least_gap


def test_generate_at_tiny_temperature_is_greedy_and_seeds_repeat(shakespeare):
    chars, stoi, prompt, model = generate_tests.reference_setup(shakespeare, np.random.default_rng(5), generate_tests.CONFIDENCE)
    want, gap = greedy_by_rereading(model, stoi, chars, prompt, 40)
    assert gap > 1e-3
    assert ref.generate(model, stoi, chars, prompt, 40, generate_tests.GREEDY_TEMPERATURE, seed=3) == want
    sampled = ref.generate(model, stoi, chars, prompt, 40, 1.0, seed=3)
    assert sampled == ref.generate(model, stoi, chars, prompt, 40, 1.0, seed=3)
    assert sampled != ref.generate(model, stoi, chars, prompt, 40, 1.0, seed=4)
    assert sampled.startswith(prompt) and len(sampled) == len(prompt) + 40


def test_greedy_generation_test_has_a_confident_model(shakespeare):
    """generate_tests.CONFIDENCE: on the hidden test's own weights and prompt, the best logit leads the second
    best by at least 0.1 at every step of the greedy path (0.21 for these weights)."""
    rng = fixture_rng("generate", "test_tiny_temperature_gives_the_most_likely_text")
    chars, stoi, prompt, model = generate_tests.reference_setup(shakespeare, rng, generate_tests.CONFIDENCE)
    _, gap = greedy_by_rereading(model, stoi, chars, prompt, generate_tests.LENGTH)
    assert gap >= 0.1, gap


@pytest.mark.parametrize("test", ["test_tiny_temperature_gives_the_most_likely_text", "test_sampled_text_repeats_with_its_seed"])
def test_generate_hidden_tests_pass_the_reference(shakespeare, test):
    getattr(generate_tests, test).test_func(ref.generate, ref.CharLSTM, shakespeare, "cpu", fixture_rng("generate", test))
