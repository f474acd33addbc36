import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "CharLSTM"

V, E, H = 13, 5, 7
"""Vocabulary size, embedding size and hidden size of the models these tests build."""

TOL = 1e-5
"""Absolute tolerance on logits and states against the reference with the same weights (float32)."""


@test_case(points=1, hidden=False)
def test_shapes(CharLSTM, torch):
    model = CharLSTM(11, 4, 6)
    result = model(torch.zeros(2, 5, dtype=torch.long))
    assert isinstance(result, tuple) and len(result) == 2, "forward should return a tuple (logits, state)"
    logits, (h, c) = result
    assert logits.shape == (2, 5, 11), "logits should have shape (N, T, vocab_size) = (2, 5, 11)"
    assert h.shape == (1, 2, 6) and c.shape == (1, 2, 6), "h and c should have shape (1, N, hidden_size) = (1, 2, 6)"


def reference_state(rng):
    """A reference CharLSTM's state_dict with random weights (seeded from the test's rng)."""
    from assignment import solution as ref

    torch.manual_seed(int(rng.integers(2**31)))
    return ref.CharLSTM(V, E, H).state_dict()


def student_model(CharLSTM, state):
    """The student's CharLSTM(V, E, H) holding the weights ``state``, after checking its parameter names."""
    model = CharLSTM(V, E, H)
    got = model.state_dict()
    ok = isinstance(got, dict) and sorted(got) == sorted(state)
    ok = ok and all(isinstance(got[k], torch.Tensor) and tuple(got[k].shape) == tuple(v.shape) for k, v in state.items())
    assert ok, (
        "CharLSTM's state_dict does not hold the expected parameters: the submodules should be self.embedding, "
        "self.lstm (one layer) and self.fc (if test_parameter_names fails, fix that first)"
    )
    model.load_state_dict(state)
    return model


def forward_of(model, x, *state):
    """The student's (logits, (h, c)) for x, checked for form; the logits for their shape."""
    from autograder.testing import check_tensor

    N, T = x.shape
    result = model(x, *state)
    assert isinstance(result, tuple) and len(result) == 2, "forward should return a tuple (logits, state)"
    logits, hc = result
    logits = check_tensor(logits, (N, T, V), f"the logits for x of shape {(N, T)}")
    assert isinstance(hc, tuple) and len(hc) == 2, "the state forward returns should be the tuple (h, c) the LSTM returned"
    return logits, hc


def check_state(hc, N):
    """h and c of a batch of N sequences, checked for shape: (1, N, H) each, as float64."""
    from autograder.testing import check_tensor

    where = " (with batch_first=True the LSTM still returns its state layer-first: (1, N, hidden_size))"
    return tuple(check_tensor(v, (1, N, H), f"{part} for a batch of N = {N} sequences" + where) for part, v in zip("hc", hc))


@test_case(points=1, hidden=True)
def test_parameter_names(CharLSTM):
    from assignment import solution as ref

    want = {k: tuple(v.shape) for k, v in ref.CharLSTM(V, E, H).state_dict().items()}
    state = CharLSTM(V, E, H).state_dict()
    assert isinstance(state, dict) and sorted(state) == sorted(want), (
        f"CharLSTM({V}, {E}, {H}).state_dict() should hold the parameters {sorted(want)}: make the submodules "
        "self.embedding = nn.Embedding(vocab_size, embed_dim), self.lstm = nn.LSTM(embed_dim, hidden_size, "
        "batch_first=True) and self.fc = nn.Linear(hidden_size, vocab_size)"
    )
    for key, shape in want.items():
        got = tuple(state[key].shape) if isinstance(state[key], torch.Tensor) else None
        assert got == shape, (
            f"{key} has shape {got}, expected {shape} for CharLSTM(vocab_size={V}, embed_dim={E}, hidden_size={H})"
        )


@test_case(points=2, hidden=True)
def test_forward_against_reference(CharLSTM, rng):
    """Batch of N = 3 sequences of T = 8 steps (N != T, so a batch/time mix-up shows)."""
    from assignment import solution as ref

    state = reference_state(rng)
    model = student_model(CharLSTM, state)
    reference = ref.CharLSTM(V, E, H)
    reference.load_state_dict(state)
    x = torch.from_numpy(rng.integers(V, size=(3, 8)))
    logits, hc = forward_of(model, x)
    with torch.no_grad():
        want, (want_h, want_c) = reference(x)
    assert torch.allclose(logits, want.double(), atol=TOL), (
        "the logits differ from embedding -> LSTM -> linear with the same weights: x is (N, T), batch first, so "
        "create the LSTM with nn.LSTM(embed_dim, hidden_size, batch_first=True), and apply self.fc to the LSTM's "
        "output at every step (not to its state)"
    )
    h, c = check_state(hc, 3)
    assert torch.allclose(h, want_h.double(), atol=TOL) and torch.allclose(c, want_c.double(), atol=TOL), (
        "the logits are right but the state is not: return the (h, c) the LSTM returned"
    )


@test_case(points=1, hidden=True)
def test_state_carries_over(CharLSTM, rng):
    """Two chunks of a sequence, the second continuing from the state after the first, from a random start."""
    from assignment import solution as ref

    state = reference_state(rng)
    model = student_model(CharLSTM, state)
    reference = ref.CharLSTM(V, E, H)
    reference.load_state_dict(state)
    x = torch.from_numpy(rng.integers(V, size=(2, 9)))
    h0, c0 = (torch.from_numpy(rng.normal(scale=0.5, size=(1, 2, H)).astype("float32")) for _ in range(2))
    first, hc = forward_of(model, x[:, :4], (h0, c0))
    h1, c1 = check_state(hc, 2)
    second, _ = forward_of(model, x[:, 4:], (h1.float(), c1.float()))
    with torch.no_grad():
        want, _ = reference(x, (h0, c0))
    assert torch.allclose(first, want[:, :4].double(), atol=TOL), (
        "with a state (h0, c0) given, the logits differ from the expected ones: pass state to self.lstm so the "
        "sequences continue from it"
    )
    assert torch.allclose(second, want[:, 4:].double(), atol=TOL), (
        "continuing from the state the first chunk returned does not give the logits of the whole sequence: return "
        "the LSTM's own (h, c) after the last step"
    )
