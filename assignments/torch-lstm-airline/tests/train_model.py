import statistics

import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "train_model"

STEP_LR = 0.01
"""Learning rate of the steps replayed against the reference."""

RUNS, LOOK_BACK, HIDDEN_SIZE, EPOCHS, LR, BATCH_SIZE = 3, 3, 4, 200, 0.01, 32
"""The graded training runs: 3 runs of AirlineLSTM(4) trained by train_model on the 93 training
windows (look_back 3) of the airline series, 200 epochs of Adam at lr 0.01 in batches of 32
(600 steps, about 0.5 s on one CPU thread), each from its own initial parameters and shuffle seed.
(Batches of 8 for 100 epochs score the same, median 1.15 x persistence over 60 runs, at four
times the cost.)"""

PASS_RATIO = 1.25
"""The median test RMSE (passengers) of the 3 runs must be at most PASS_RATIO times the persistence
RMSE on the same 45 test windows (48.87 thousand; the issue's pass mark). Calibrated with the
reference over 60 (initial parameters, shuffle seed) pairs: single runs median 1.14, 90th
percentile 1.24, maximum 1.44, 3 of 60 above 1.25 (the LSTM must forecast values above any it was
trained on, which its tanh-bounded state does unevenly from start to start); the median of 3, over
20 disjoint triples, 1.08-1.24, none above 1.25: hence the median of 3 runs rather than one. On
this test's own seeds (the grader's rng fixture) the reference reaches 1.23, 1.05 and 1.17 (median
1.17, a margin of 0.078), numbers that do not move when the initial parameters are perturbed by
1e-5 (relative) or torch uses 2 threads, so a train_model that passes the replay tests lands there
too (test_torch_lstm_airline.py checks the margin on these seeds)."""


def initial_state(seed, hidden_size):
    """The reference model's default initialisation after torch.manual_seed(seed), without touching
    the grader's global random state."""
    from assignment import solution as ref

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ref.AirlineLSTM(hidden_size).state_dict()


def graded_runs(rng):
    """The initial parameters and shuffle seeds of the RUNS graded runs: [(state, seed)]."""
    runs = []
    for _ in range(RUNS):
        init_seed, shuffle_seed = (int(v) for v in rng.integers(2**31, size=2))
        runs.append((initial_state(init_seed, HIDDEN_SIZE), shuffle_seed))
    return runs


def ratio_to_persistence(state, X_test, y_test, scaler):
    """Test RMSE (passengers) of the reference architecture holding ``state``, over persistence's."""
    from assignment import solution as ref

    model = ref.AirlineLSTM(HIDDEN_SIZE)
    model.load_state_dict(state)
    return ref.evaluate_rmse(model, X_test, y_test, scaler) / ref.persistence_rmse(X_test, y_test, scaler)


def reference_training(state, X, y, **kwargs):
    """The history and state_dict after the reference's train_model from ``state``."""
    from assignment import solution as ref

    model = ref.AirlineLSTM(HIDDEN_SIZE)
    model.load_state_dict(state)
    history = ref.train_model(model, X, y, **kwargs)
    return history, model.state_dict()


def same_state(got, want):
    return isinstance(got, dict) and sorted(got) == sorted(want) and all(
        isinstance(got[k], torch.Tensor) and got[k].shape == want[k].shape and torch.allclose(got[k].cpu(), want[k], rtol=1e-4, atol=1e-5)
        for k in want
    )


def small_problem(rng):
    """Initial parameters and 21 random scaled windows of 3 months."""
    X = torch.from_numpy(rng.uniform(0.0, 1.0, size=(21, 3, 1)).astype(np.float32))
    y = torch.from_numpy(rng.uniform(0.0, 1.0, size=(21, 1)).astype(np.float32))
    return initial_state(int(rng.integers(2**31)), HIDDEN_SIZE), X, y


@test_case(points=1, hidden=False)
def test_history_and_update(train_model, AirlineLSTM, torch):
    model = AirlineLSTM(4)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    history = train_model(model, torch.rand(20, 3, 1), torch.rand(20, 1), epochs=3, lr=0.01, batch_size=8, seed=0)
    assert isinstance(history, list) and len(history) == 3, "train_model(..., epochs=3) should return a list of 3 losses"
    assert all(isinstance(v, float) for v in history), "each loss in the history should be a Python float"
    after = model.state_dict()
    assert any(not torch.equal(after[k], before[k]) for k in before), "training should change the model's parameters"


@test_case(points=1, hidden=False)
def test_seed_decides_the_shuffle(train_model, AirlineLSTM, torch):
    model = AirlineLSTM(4)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    X, y = torch.rand(20, 3, 1), torch.rand(20, 1)

    def history(seed):
        model.load_state_dict(start)
        return train_model(model, X, y, epochs=2, lr=0.01, batch_size=8, seed=seed)

    first, again, other = history(0), history(0), history(1)
    assert all(abs(a - b) < 1e-6 for a, b in zip(first, again)), (
        "two runs from the same weights with the same seed gave different histories: make one generator "
        "g = torch.Generator().manual_seed(seed) and draw every epoch's perm = torch.randperm(N, generator=g) from it"
    )
    assert any(abs(a - b) > 1e-6 for a, b in zip(first, other)), (
        "seeds 0 and 1 gave the same history, so the minibatches are not shuffled by the seed: each epoch, go through "
        "the rows in the order perm = torch.randperm(N, generator=g), with g = torch.Generator().manual_seed(seed)"
    )


@test_case(points=2, hidden=True)
def test_one_full_batch_adam_step(train_model, AirlineLSTM, device, rng):
    """With batch_size = N an epoch is a single Adam step on the whole set: no shuffling involved."""
    state, X, y = small_problem(rng)
    model = AirlineLSTM(HIDDEN_SIZE)
    model.load_state_dict(state)
    history = train_model(model, X, y, epochs=1, lr=STEP_LR, batch_size=len(X), seed=0, device=device)
    want_history, want_state = reference_training(state, X, y, epochs=1, lr=STEP_LR, batch_size=len(X), seed=0)
    assert isinstance(history, list) and len(history) == 1 and isinstance(history[0], float), (
        "train_model(..., epochs=1) should return a list of one loss, a Python float"
    )
    assert abs(history[0] - want_history[0]) < 1e-5, (
        "with batch_size = N, the one loss of the history should be the mean squared error of the model's forecasts "
        "on all of X against y, before the step (nn.MSELoss(), loss.item())"
    )
    assert same_state(model.state_dict(), want_state), (
        f"after train_model(..., epochs=1, lr={STEP_LR}, batch_size=N) the parameters differ from one Adam step on the "
        "mean squared error: torch.optim.Adam(model.parameters(), lr=lr), then optimizer.zero_grad(), loss.backward(), "
        "optimizer.step()"
    )


@test_case(points=3, hidden=True)
def test_shuffled_minibatches_against_reference(train_model, AirlineLSTM, device, rng):
    state, X, y = small_problem(rng)
    seed, batch_size, epochs = int(rng.integers(1000)), 4, 2  # 21 windows: 5 batches of 4 and one of 1 per epoch
    model = AirlineLSTM(HIDDEN_SIZE)
    model.load_state_dict(state)
    history = train_model(model, X, y, epochs=epochs, lr=STEP_LR, batch_size=batch_size, seed=seed, device=device)
    want_history, want_state = reference_training(state, X, y, epochs=epochs, lr=STEP_LR, batch_size=batch_size, seed=seed)
    assert isinstance(history, list) and len(history) == epochs and all(isinstance(v, float) for v in history), (
        f"train_model(..., epochs={epochs}) should return a list of {epochs} Python floats"
    )
    assert same_state(model.state_dict(), want_state) and np.allclose(history, want_history, rtol=0, atol=1e-5), (
        f"after train_model(..., epochs={epochs}, batch_size={batch_size}, seed={seed}) on 21 windows the parameters "
        "(or the history) differ from the expected ones: create g = torch.Generator().manual_seed(seed) and the "
        "optimizer once; every epoch draw perm = torch.randperm(len(X), generator=g) and take the minibatches "
        "perm[0:batch_size], perm[batch_size:2 * batch_size], ... (the last one smaller), one Adam step each; the "
        "history holds each epoch's mean of its minibatch losses (if the full-batch test fails, fix that first)"
    )


@test_case(points=4, hidden=True)
def test_airline_forecast_against_persistence(train_model, AirlineLSTM, device, rng, airline):
    """The grader trains three AirlineLSTM(4) with your train_model on the airline training windows
    and measures each trained model (its state_dict, in the reference architecture) on the test windows."""
    from autograder.testing import with_timeout
    from assignment import solution as ref

    X_train, y_train, X_test, y_test, scaler = ref.prepare_data(airline, LOOK_BACK)
    train = with_timeout(train_model, 60)  # about 0.5 s on one idle CPU thread
    ratios = []
    for state, seed in graded_runs(rng):
        model = AirlineLSTM(HIDDEN_SIZE)
        model.load_state_dict(state)
        train(model, X_train, y_train, epochs=EPOCHS, lr=LR, batch_size=BATCH_SIZE, seed=seed, device=device)
        trained = model.state_dict()
        assert isinstance(trained, dict) and sorted(trained) == sorted(state), (
            "after training, model.state_dict() should still hold the LSTM's and the linear layer's parameters"
        )
        ratios.append(ratio_to_persistence(trained, X_test, y_test, scaler))
    median = statistics.median(ratios)
    persistence = ref.persistence_rmse(X_test, y_test, scaler)
    runs = ", ".join(f"{r * persistence:.1f}" for r in ratios)
    assert median <= PASS_RATIO, (
        f"trained with train_model(model, X_train, y_train, epochs={EPOCHS}, lr={LR}, batch_size={BATCH_SIZE}, seed=...) "
        f"on the airline training windows, three AirlineLSTM({HIDDEN_SIZE}) models reach a test RMSE of {runs} "
        f"passengers (thousands); the median is {median:.2f} times the persistence forecast's {persistence:.1f}, the "
        f"pass mark {PASS_RATIO} times (if AirlineLSTM or the replay tests fail, fix those first)"
    )
