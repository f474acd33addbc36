import math

import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "sequence_loss"

INIT_LOSS_TOL = 0.15
"""How far from ln(V) the loss of a freshly initialised CharLSTM(65, 16, 64) may be, on 32 windows of
64 characters of Tiny Shakespeare. With PyTorch's default initialisation the logits are nearly equal:
over 200 initialisations of the reference (torch seeds 0-199, each on other windows) the loss is
within 0.054 of ln(65) = 4.174 (mean +0.004, standard deviation 0.015; tests/test_reference_char_rnn.py
re-runs 20 of them), so the tolerance leaves a margin of 2.8x the worst. Summing instead of averaging
gives about 8,500."""


@test_case(points=1, hidden=False)
def test_equal_logits_give_ln_V(sequence_loss, torch):
    import math

    loss = sequence_loss(torch.zeros(2, 3, 5), torch.tensor([[0, 1, 2], [3, 4, 0]]))
    assert abs(float(loss) - math.log(5)) < 1e-6, "with equal logits over V = 5 classes, the loss should be ln(5)"


@test_case(points=1, hidden=False)
def test_one_confident_position(sequence_loss, torch):
    import math

    # N = 2 sequences of T = 3 steps over V = 2 classes; every target is 0 but at sequence 0, step 2, where it is 1.
    # There the logits (0, ln 3) give the target probability 3/4; everywhere else the logits are equal (1/2).
    logits = torch.zeros(2, 3, 2)
    logits[0, 2, 1] = math.log(3.0)
    targets = torch.zeros(2, 3, dtype=torch.long)
    targets[0, 2] = 1
    want = (5 * math.log(2.0) + math.log(4.0 / 3.0)) / 6
    loss = float(sequence_loss(logits, targets))
    assert abs(loss - want) < 1e-6, (
        f"the mean cross-entropy of this example is (5 ln 2 + ln(4/3)) / 6 = {want:.4f}, got {loss:.4f}: each position's "
        "logits must meet its own target, so flatten logits (N, T, V) and targets (N, T) in the same order "
        "(logits.reshape(-1, V), targets.reshape(-1), no transpose), then average over the N * T positions"
    )


def loss_value(sequence_loss, logits, targets):
    from autograder.testing import check_scalar

    loss = sequence_loss(logits, targets)
    if isinstance(loss, torch.Tensor):
        assert loss.numel() == 1, f"sequence_loss should return a single number (a 0-d tensor), got shape {tuple(loss.shape)}"
        loss = loss.reshape(()).item()
    return check_scalar(loss, "the loss sequence_loss returns")


@test_case(points=2, hidden=True)
def test_against_reference(sequence_loss, rng):
    """N = 3 sequences of T = 5 steps over V = 7 classes (all different, so a mix-up of dimensions shows)."""
    from assignment import solution as ref

    logits = torch.from_numpy(rng.normal(scale=2.0, size=(3, 5, 7)).astype("float32"))
    targets = torch.from_numpy(rng.integers(7, size=(3, 5)))
    loss = loss_value(sequence_loss, logits, targets)
    want = ref.sequence_loss(logits, targets).item()
    assert abs(loss - want) < 1e-5 * max(1.0, want), (
        "the loss differs from the mean cross-entropy over every position: flatten logits (N, T, V) to (N * T, V) and "
        "targets (N, T) to (N * T,) in the same order (logits.reshape(-1, V), targets.reshape(-1)), then "
        "F.cross_entropy, which averages over the N * T positions"
    )


@test_case(points=2, hidden=True)
def test_initial_loss_is_ln_vocab_size(sequence_loss, CharLSTM, shakespeare, rng):
    """Your freshly initialised CharLSTM(65, 16, 64), your forward pass and your loss, on 32 windows of 64
    characters of Tiny Shakespeare: a model that has learnt nothing should score about ln(65) = 4.17."""
    from assignment import solution as ref

    chars, stoi = ref.build_vocab(shakespeare)
    V = len(chars)
    start = int(rng.integers(len(shakespeare) - 32 * 65))
    inputs, targets = ref.make_windows(ref.encode(shakespeare[start : start + 32 * 65], stoi), 64)
    result = CharLSTM(V, 16, 64)(inputs)
    assert isinstance(result, tuple) and len(result) == 2, "CharLSTM's forward should return a tuple (logits, state)"
    loss = loss_value(sequence_loss, result[0], targets)
    assert abs(loss - math.log(V)) <= INIT_LOSS_TOL, (
        f"a freshly initialised CharLSTM({V}, 16, 64) scores a loss of {loss:.3f} on Tiny Shakespeare; before "
        f"training it should be close to ln({V}) = {math.log(V):.3f} (within {INIT_LOSS_TOL}), the loss of equal "
        "logits: average the cross-entropy over the positions (not a sum), and keep PyTorch's default initialisation"
    )
