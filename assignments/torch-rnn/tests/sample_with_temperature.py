import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "sample_with_temperature"

DRAWS = 20_000
"""Draws per distribution in the chi-square tests (two distributions, in alternating rows)."""

NUM_CLASSES = 8
"""V of the chi-square tests: each distribution has 7 degrees of freedom, 14 for the two together."""

CHI2_CRITICAL = 54.64
"""The 1 - 1e-6 quantile of the chi-square distribution with 14 degrees of freedom:
scipy.stats.chi2.isf(1e-6, 14) = 54.635 (scipy 1.17; tests/test_reference_char_rnn.py recomputes it). A
correct sampler's statistic exceeds it with probability 1e-6 (the expected counts are at least 370 in both
tests, so the chi-square approximation holds). Against the bugs the mutants make (arg-max, softmax over the
rows, logits multiplied by the temperature), the statistic is above 546 (tests/test_reference_char_rnn.py)."""

TINY_TEMPERATURE = 1e-3
"""A temperature small enough that every draw must be the arg-max: the best logit of each row leads the
second best by at least 0.1, so any other index has probability below exp(-0.1 / 1e-3) = exp(-100)."""


@test_case(points=1, hidden=False)
def test_shape_and_tiny_temperature(sample_with_temperature, torch):
    logits = torch.tensor([[0.0, 3.0, 1.0], [2.0, 0.0, 1.0], [0.0, 1.0, 5.0], [1.0, 0.0, 0.0]])
    draws = sample_with_temperature(logits, 1.0)
    assert isinstance(draws, torch.Tensor) and draws.shape == (4,), "one draw per row: shape (N,)"
    assert draws.dtype == torch.long, "the draws should be int64 indices"
    assert sample_with_temperature(logits, 0.001).tolist() == [1, 0, 2, 0], "a tiny temperature should pick each row's arg-max"


@test_case(points=1, hidden=False)
def test_temperature_1_follows_the_softmax(sample_with_temperature, make_generator, torch):
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25]])).repeat(4000, 1)
    draws = sample_with_temperature(logits, 1.0, generator=make_generator(0))
    counts = torch.bincount(draws, minlength=3).tolist()
    assert counts[0] < 4000, (
        "at temperature 1 every draw is the arg-max: sample from softmax(logits / temperature) with torch.multinomial "
        "instead of taking the arg-max"
    )
    assert all(abs(c / 4000 - p) < 0.05 for c, p in zip(counts, [0.5, 0.25, 0.25])), (
        f"4000 draws from probabilities (0.5, 0.25, 0.25) at temperature 1 came out {counts}: divide the logits by the "
        "temperature, take the softmax over the classes (dim=-1), and draw one index per row with torch.multinomial"
    )
    again = sample_with_temperature(logits, 1.0, generator=make_generator(0))
    assert torch.equal(draws, again), "two generators seeded alike gave different draws: pass generator to torch.multinomial"


def generator_of(make_generator, rng):
    """A seeded torch.Generator in the sandbox (from the notebook's make_generator), or None without it."""
    return make_generator(int(rng.integers(2**31))) if make_generator is not None else None


def draws_of(sample_with_temperature, logits, temperature, generator):
    """The student's draws for ``logits``, checked for form: an integer tensor of shape (N,) in [0, V)."""
    N, V = logits.shape
    draws = sample_with_temperature(logits, temperature, generator=generator)
    assert isinstance(draws, torch.Tensor), f"sample_with_temperature should return a torch tensor, got {type(draws).__name__}"
    assert tuple(draws.shape) == (N,), (
        f"for logits of shape {(N, V)} the draws have shape {tuple(draws.shape)}, expected {(N,)}: one index per row "
        "(torch.multinomial(probs, 1) is (N, 1): squeeze the last dimension)"
    )
    assert not draws.is_floating_point() and draws.dtype != torch.bool, f"the draws should be int64 indices, got {draws.dtype}"
    assert bool(((draws >= 0) & (draws < V)).all()), f"the draws should be indices in [0, {V})"
    return draws.long()


def chi_square_statistic(sample_with_temperature, make_generator, rng, temperature):
    """Two distributions in alternating rows, DRAWS draws each, in one call. Returns the chi-square statistic
    of their counts against softmax(logits / temperature), added over both (14 degrees of freedom), and
    whether every draw was its row's arg-max."""
    rows = torch.from_numpy(rng.normal(scale=1.0, size=(2, NUM_CLASSES)).astype("float32"))
    logits = rows.repeat(DRAWS, 1)  # rows 0, 2, 4, ... are rows[0]; rows 1, 3, 5, ... are rows[1]
    draws = draws_of(sample_with_temperature, logits, temperature, generator_of(make_generator, rng))
    statistic = 0.0
    for k in range(2):
        counts = torch.bincount(draws[k::2], minlength=NUM_CLASSES).double()
        expected = DRAWS * torch.softmax(rows[k].double() / temperature, dim=0)
        statistic += float(((counts - expected) ** 2 / expected).sum())
    return statistic, bool((draws.view(DRAWS, 2) == rows.argmax(dim=1)).all())


def chi_square_test(sample_with_temperature, make_generator, rng, temperature):
    """The chi-square statistic of the draws must stay below CHI2_CRITICAL."""
    statistic, all_argmax = chi_square_statistic(sample_with_temperature, make_generator, rng, temperature)
    if statistic >= CHI2_CRITICAL and all_argmax:
        raise AssertionError(
            f"at temperature {temperature} every draw is the arg-max of its row: sample from "
            "softmax(logits / temperature) with torch.multinomial instead of taking the arg-max"
        )
    assert statistic < CHI2_CRITICAL, (
        f"at temperature {temperature}, the frequencies of {DRAWS} draws from each of two rows of logits do not follow "
        f"softmax(logits / temperature) (chi-square statistic {statistic:.0f}; a correct sampler stays below "
        f"{CHI2_CRITICAL} with probability 1 - 1e-6): divide the logits by the temperature, take the softmax over the "
        "last dimension (the classes, dim=-1), and draw one index per row with torch.multinomial"
    )


@test_case(points=2, hidden=True)
def test_distribution_at_temperature_1(sample_with_temperature, make_generator, rng):
    chi_square_test(sample_with_temperature, make_generator, rng, 1.0)


@test_case(points=2, hidden=True)
def test_distribution_at_temperature_2(sample_with_temperature, make_generator, rng):
    chi_square_test(sample_with_temperature, make_generator, rng, 2.0)


@test_case(points=2, hidden=True)
def test_tiny_temperature_picks_the_argmax(sample_with_temperature, make_generator, rng):
    """500 rows of logits as large as about +-10; the best of each row leads by at least 0.1."""
    logits = rng.normal(scale=3.0, size=(500, 10))
    best = logits.argmax(axis=1)
    logits[range(500), best] += 0.1
    logits = torch.from_numpy(logits.astype("float32"))
    draws = draws_of(sample_with_temperature, logits, TINY_TEMPERATURE, generator_of(make_generator, rng))
    wrong = int((draws != torch.from_numpy(best)).sum())
    assert wrong == 0, (
        f"at temperature {TINY_TEMPERATURE}, {wrong} of 500 draws are not the arg-max of their row, though every other "
        "index has a probability below exp(-100): divide the logits by the temperature (a small temperature sharpens "
        "the distribution), and use torch.softmax, which stays finite for such large values"
    )
