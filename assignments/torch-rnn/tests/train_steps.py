import math

import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "train_steps"

EMBED_DIM, HIDDEN_SIZE = 16, 64
"""The model the grader trains: CharLSTM(65, 16, 64), 25,000 parameters."""

SEQ_LEN, BATCH_SIZE, STEPS, LR = 32, 32, 200, 0.01
"""The training budget: 200 Adam steps at lr 0.01 on minibatches of 32 windows of 32 characters (0.7 s
of CPU time on one thread for the reference)."""

TRAIN_CHARS = 600_000
"""The windows come from the first 600,000 characters of Tiny Shakespeare."""

VAL_START, VAL_SEQ_LEN = 1_000_000, 64
"""Held-out text: every window of 64 characters from character 1,000,000 on (the last 10%)."""

PASS_MARK = 2.35
"""Held-out loss (mean cross-entropy in nats) the trained model must reach (at most). Calibrated from
the reference with this budget on 41 pairs of initialisation and minibatch seeds (this test's own pair
and graded_start with numpy seeds 1000-1039): 2.130-2.193, mean 2.163, standard deviation 0.014
(tests/test_reference_char_rnn.py re-runs 3 pairs), so the margin is 0.157 nats, 11 standard
deviations. For comparison: equal logits score ln(65) = 4.17, character frequencies alone 3.35, and a
bigram model fitted on the first 1,000,000 characters 2.48."""

TRAIN_BUDGET_S = 120
"""Seconds the student's train_steps may take for the pass-mark run (the reference: 0.7 s of CPU on one
thread; the budget is generous because torch's thread pool slows down badly on an oversubscribed grader)."""


@test_case(points=1, hidden=False)
def test_returns_one_loss_per_step(train_steps, CharLSTM, sequence_loss, torch):
    model = CharLSTM(5, 3, 4)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    inputs = torch.randint(5, (10, 6))
    losses = train_steps(model, inputs, torch.roll(inputs, -1, dims=1), 2, batch_size=4, lr=0.01, seed=0)
    assert isinstance(losses, list) and len(losses) == 2, "train_steps should return a list of one loss per step"
    assert all(isinstance(loss, float) for loss in losses), "each loss should be a Python float (loss.item())"
    after = model.state_dict()
    assert any(not torch.equal(after[k], before[k]) for k in before), "train_steps should update the model's parameters"
    # With lr = 0 the weights stay put: each loss is that of a zero-state run on the step's minibatch.
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        want = [sequence_loss(model(inputs[idx])[0], torch.roll(inputs, -1, dims=1)[idx]).item()
                for idx in [torch.randint(10, (4,), generator=generator) for _ in range(3)]]
    got = train_steps(model, inputs, torch.roll(inputs, -1, dims=1), 3, batch_size=4, lr=0.0, seed=1)
    assert all(abs(g - w) < 1e-5 for g, w in zip(got, want)), (
        f"with lr = 0 the losses should be {[round(w, 5) for w in want]}, got {[round(g, 5) for g in got]}: the windows are "
        "independent, so run the model from a zero state (state=None) at every step; draw idx = torch.randint(M, "
        "(batch_size,), generator=generator) from one generator = torch.Generator().manual_seed(seed) made once"
    )


@test_case(points=1, hidden=False)
def test_gradients_are_zeroed_every_step(train_steps, CharLSTM, torch):
    used = CharLSTM(5, 3, 4)
    other = torch.tensor([[4, 3, 2, 1, 0, 4, 3]])
    train_steps(used, other[:, :-1], other[:, 1:], 1, batch_size=2, lr=0.0, seed=0)  # leaves its gradients behind
    fresh = CharLSTM(5, 3, 4)
    fresh.load_state_dict(used.state_dict())  # the same weights, no gradients yet
    before = {k: v.clone() for k, v in fresh.state_dict().items()}
    window = torch.tensor([[0, 1, 2, 3, 4, 0, 1]])
    for model in (used, fresh):
        train_steps(model, window[:, :-1], window[:, 1:], 2, batch_size=2, lr=0.1, seed=0)
    after_used, after_fresh = used.state_dict(), fresh.state_dict()
    assert any(not torch.equal(after_fresh[k], before[k]) for k in before), "train_steps should update the model's parameters"
    assert all(torch.allclose(after_used[k], after_fresh[k], atol=1e-6) for k in after_fresh), (
        "two models with the same weights, one of them trained before, end up with different weights after the same "
        "train_steps call: the gradients of earlier backward passes were added to the new ones, so call "
        "optimizer.zero_grad() before loss.backward() in every step"
    )


def student_model(CharLSTM, state, vocab_size, embed_dim, hidden_size):
    """The student's CharLSTM holding the weights ``state``, after checking its parameter names."""
    model = CharLSTM(vocab_size, embed_dim, hidden_size)
    got = model.state_dict()
    ok = isinstance(got, dict) and sorted(got) == sorted(state)
    ok = ok and all(isinstance(got[k], torch.Tensor) and tuple(got[k].shape) == tuple(v.shape) for k, v in state.items())
    assert ok, "CharLSTM's state_dict does not hold the expected parameters: if CharLSTM fails its own tests, fix it first"
    model.load_state_dict(state)
    return model


def losses_of(result, steps):
    """The student's losses, checked for form: a list of ``steps`` finite numbers."""
    assert isinstance(result, (list, tuple)) and len(result) == steps, (
        f"train_steps(..., steps={steps}) should return a list of {steps} losses, one per step"
    )
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in result)
    assert ok, "each loss should be a finite Python float (loss.item())"
    return [float(v) for v in result]


def reference_model(state, vocab_size, embed_dim, hidden_size):
    """A reference CharLSTM holding the weights ``state``."""
    from assignment import solution as ref

    model = ref.CharLSTM(vocab_size, embed_dim, hidden_size)
    model.load_state_dict(state)
    return model


def losses_of_carried_state(model, inputs, targets, steps, batch_size, lr, seed):
    """The losses of the common mistake: train_steps passing each step's final (detached) state into the next step."""
    from assignment import solution as ref

    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses, state = [], None
    for _ in range(steps):
        idx = torch.randint(len(inputs), (batch_size,), generator=generator)
        logits, state = model(inputs[idx], state)
        state = tuple(s.detach() for s in state)
        loss = ref.sequence_loss(logits, targets[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@test_case(points=3, hidden=True)
def test_steps_against_reference(train_steps, CharLSTM, rng):
    """Three steps on the CPU, from weights the grader chooses, against the reference."""
    from assignment import solution as ref

    V, E, H, steps, batch_size, lr = 13, 5, 7, 3, 4, 0.05
    torch.manual_seed(int(rng.integers(2**31)))
    state = ref.CharLSTM(V, E, H).state_dict()
    inputs, targets = ref.make_windows(torch.from_numpy(rng.integers(V, size=40 * 6 + 1)), 6)
    seed = int(rng.integers(2**31))
    model = student_model(CharLSTM, state, V, E, H)
    losses = losses_of(train_steps(model, inputs, targets, steps, batch_size=batch_size, lr=lr, seed=seed, device="cpu"), steps)
    reference = ref.CharLSTM(V, E, H)
    reference.load_state_dict(state)
    want = ref.train_steps(reference, inputs, targets, steps, batch_size=batch_size, lr=lr, seed=seed, device="cpu")
    assert abs(losses[0] - want[0]) < 1e-5, (
        "the first loss differs from the expected value: draw the minibatch with idx = torch.randint(len(inputs), "
        "(batch_size,), generator=generator), generator = torch.Generator().manual_seed(seed) made once, run the model "
        "on inputs[idx] from a zero state and return sequence_loss(logits, targets[idx]).item() before the step (if "
        "CharLSTM or sequence_loss fails its own tests, fix it first)"
    )
    carried = losses_of_carried_state(reference_model(state, V, E, H), inputs, targets, steps, batch_size, lr, seed)
    assert not all(abs(g - w) < 1e-5 for g, w in zip(losses, carried)), (
        "the first loss is right but the next ones are those of a model that carries its LSTM state from one minibatch "
        "to the next: the windows are independent, so run the model from a zero state (state=None) at every step"
    )
    assert all(abs(g - w) < 1e-5 for g, w in zip(losses, want)), (
        "the first loss is right but the next ones differ: make one torch.optim.Adam(model.parameters(), lr=lr) before "
        "the loop and in every step call optimizer.zero_grad(), loss.backward() and optimizer.step(); draw a new "
        "minibatch each step from the same generator"
    )
    got = model.state_dict()
    ok = all(torch.allclose(got[k], v, atol=1e-5) for k, v in reference.state_dict().items())
    assert ok, "the losses are right but the parameters after the last step are not: take the optimizer step after the last loss too"


def graded_start(rng, vocab_size):
    """The pass-mark run's initial weights (a reference CharLSTM's state_dict) and minibatch seed."""
    from assignment import solution as ref

    torch.manual_seed(int(rng.integers(2**31)))
    state = ref.CharLSTM(vocab_size, EMBED_DIM, HIDDEN_SIZE).state_dict()
    return state, int(rng.integers(2**31))


def held_out_loss(state, ids, vocab_size):
    """The loss of weights ``state`` (in the reference architecture) on every held-out window of ``ids``."""
    from assignment import solution as ref

    model = ref.CharLSTM(vocab_size, EMBED_DIM, HIDDEN_SIZE)
    model.load_state_dict(state)
    model.eval()
    inputs, targets = ref.make_windows(ids[VAL_START:], VAL_SEQ_LEN)
    with torch.no_grad():
        return ref.sequence_loss(model(inputs)[0], targets).item()


@test_case(points=4, hidden=True)
def test_trained_model_reaches_pass_mark(train_steps, CharLSTM, shakespeare, device, rng):
    """The grader trains your CharLSTM with your train_steps (on its device) from weights it chooses, then
    scores the trained weights, read through state_dict, on held-out Tiny Shakespeare."""
    from autograder.testing import with_timeout
    from assignment import solution as ref

    chars, stoi = ref.build_vocab(shakespeare)
    ids = ref.encode(shakespeare, stoi)
    inputs, targets = ref.make_windows(ids[:TRAIN_CHARS], SEQ_LEN)
    state, seed = graded_start(rng, len(chars))
    model = student_model(CharLSTM, state, len(chars), EMBED_DIM, HIDDEN_SIZE)
    result = with_timeout(train_steps, TRAIN_BUDGET_S)(
        model, inputs, targets, STEPS, batch_size=BATCH_SIZE, lr=LR, seed=seed, device=device
    )
    losses_of(result, STEPS)
    loss = held_out_loss(model.state_dict(), ids, len(chars))
    assert loss <= PASS_MARK, (
        f"after train_steps(..., steps={STEPS}, batch_size={BATCH_SIZE}, lr={LR}) your CharLSTM({len(chars)}, "
        f"{EMBED_DIM}, {HIDDEN_SIZE}) scores a loss of {loss:.3f} nats per character on held-out Tiny Shakespeare; "
        f"the pass mark is {PASS_MARK} (an untrained model scores about 4.17)"
    )
