"""A character-level LSTM language model on Tiny Shakespeare, in PyTorch.

The task of Karpathy's char-rnn ("The Unreasonable Effectiveness of Recurrent Neural Networks",
2015) on its Tiny Shakespeare ``input.txt``: read text one character at a time and predict the
next character. The pieces: a vocabulary (the sorted distinct characters, so ``itos`` is a list
and ``stoi`` its inverse dict), encoding and decoding, windows of ``seq_len + 1`` characters cut
from the encoded text (inputs and the same characters shifted by one as targets), a model
``nn.Embedding -> nn.LSTM (batch_first) -> nn.Linear`` that returns logits of shape
``(N, T, V)``, the mean cross-entropy over every position, a training loop of Adam steps on
minibatches of windows drawn at random (as in nanoGPT's ``get_batch``), a sampler that divides
the logits by a temperature before the softmax (Hinton, Vinyals and Dean, "Distilling the
Knowledge in a Neural Network", 2015, eq. 1; Karpathy's ``sample.lua -temperature``), and text
generation that feeds each sampled character back with the carried LSTM state.

Names and shapes are the assignment's contract (``assignments/torch-rnn``). Training and
generation run on the CPU or on a CUDA device; sampling always draws on the CPU, from a
``torch.Generator`` seeded by the caller, so runs repeat.
"""

import torch
import torch.nn.functional as F
from torch import nn


def build_vocab(text):
    """The character vocabulary of ``text``.

    Inputs:
    - text: str.

    Returns a tuple ``(chars, stoi)``:
    - chars: list of the distinct characters of ``text`` (one-character strings), sorted by code
      point (``sorted(set(text))``); ``chars[i]`` is the character of index ``i`` (so it serves
      as ``itos``). Tiny Shakespeare has 65: newline, space, punctuation, digit 3 and letters.
    - stoi: dict mapping each character to its index in ``chars``.
    """
    # BEGIN SOLUTION
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    return chars, stoi
    # END SOLUTION


def encode(text, stoi):
    """The indices of the characters of ``text``.

    Inputs:
    - text: str whose characters are all keys of ``stoi``.
    - stoi: dict character -> index, as ``build_vocab`` returns.

    Returns a 1-D ``torch.int64`` (long) tensor of shape ``(len(text),)``. Raises KeyError for a
    character that is not in the vocabulary.
    """
    # BEGIN SOLUTION
    return torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    # END SOLUTION


def decode(ids, itos):
    """The text of a sequence of indices, the inverse of ``encode``.

    Inputs:
    - ids: 1-D integer tensor (or list of ints) of indices into ``itos``.
    - itos: list of one-character strings (``chars`` from ``build_vocab``).

    Returns a str of ``len(ids)`` characters.
    """
    # BEGIN SOLUTION
    if isinstance(ids, torch.Tensor):
        ids = ids.tolist()
    return "".join(itos[i] for i in ids)
    # END SOLUTION


def make_windows(ids, seq_len, stride=None):
    """Cut an encoded text into training windows: inputs and targets shifted by one.

    Inputs:
    - ids: 1-D int64 tensor of shape (L,), the encoded text.
    - seq_len: int, the number of steps T of each window.
    - stride: int, how far each window starts after the one before it; ``None`` means
      ``seq_len`` (windows side by side, each character a target once).

    Window ``i`` starts at ``s = i * stride`` and covers the ``seq_len + 1`` characters
    ``ids[s : s + seq_len + 1]``: ``inputs[i] = ids[s : s + seq_len]`` and
    ``targets[i] = ids[s + 1 : s + seq_len + 1]``, so the target at every step is the next
    character. Every window that fits is used: there are ``(L - seq_len - 1) // stride + 1`` of
    them. This is ``ids.unfold(0, seq_len + 1, stride)``, which raises RuntimeError when
    ``L <= seq_len`` (not even one window fits).

    Returns ``(inputs, targets)``, two int64 tensors of shape ``(num_windows, seq_len)``.
    """
    # BEGIN SOLUTION
    stride = seq_len if stride is None else stride
    chunks = ids.unfold(0, seq_len + 1, stride)
    return chunks[:, :-1].clone(), chunks[:, 1:].clone()
    # END SOLUTION


class CharLSTM(nn.Module):
    """Embedding -> one-layer LSTM -> linear: logits for the next character at every step.

    ``CharLSTM(vocab_size, embed_dim, hidden_size)`` has three submodules, whose names are the
    keys of its ``state_dict``:
    - ``embedding``: ``nn.Embedding(vocab_size, embed_dim)``;
    - ``lstm``: ``nn.LSTM(embed_dim, hidden_size, batch_first=True)`` (one layer);
    - ``fc``: ``nn.Linear(hidden_size, vocab_size)``.
    PyTorch's default initialisation is kept.

    ``forward(x, state=None)``:
    - x: int64 tensor of shape (N, T), batch first: N sequences of T character indices.
    - state: ``None`` (zeros) or the tuple ``(h, c)`` a previous call returned, each of shape
      (1, N, hidden_size) (layers, batch, features: PyTorch's layout for LSTM states, even with
      ``batch_first=True``); the sequences continue from it.
    Returns ``(logits, state)``: logits of shape (N, T, vocab_size), unnormalised scores for the
    character after each step, and the state ``(h, c)`` after the last step.
    """

    def __init__(self, vocab_size, embed_dim=32, hidden_size=128):
        super().__init__()
        # BEGIN SOLUTION
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, vocab_size)
        # END SOLUTION

    def forward(self, x, state=None):
        # BEGIN SOLUTION
        out, state = self.lstm(self.embedding(x), state)
        return self.fc(out), state
        # END SOLUTION


def sequence_loss(logits, targets):
    """Mean cross-entropy of next-character predictions over every position of a batch.

    Inputs:
    - logits: float tensor of shape (N, T, V), as ``CharLSTM`` returns.
    - targets: int64 tensor of shape (N, T): ``targets[n, t]`` is the class of ``logits[n, t]``.

    Returns a 0-d tensor: the mean over all ``N * T`` positions of ``-log softmax(logits[n, t])[
    targets[n, t]]``, in nats. ``F.cross_entropy`` wants the classes in dimension 1, so flatten
    both to ``(N * T, V)`` and ``(N * T,)`` in the same order. A model that knows nothing (equal
    logits) scores ``ln V``.
    """
    # BEGIN SOLUTION
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
    # END SOLUTION


def sample_with_temperature(logits, temperature=1.0, generator=None):
    """One random index per row, drawn from ``softmax(logits / temperature)``.

    Inputs:
    - logits: float tensor of shape (N, V), one row of unnormalised scores per draw.
    - temperature: float > 0. 1 samples from the model's own distribution; below 1 sharpens it
      (towards the most likely index, the arg-max, as the temperature goes to 0); above 1
      flattens it (towards uniform).
    - generator: a ``torch.Generator`` on the device of ``logits``, or ``None`` for the global
      one; pass it to ``torch.multinomial`` so draws repeat.

    Returns an int64 tensor of shape (N,) with values in [0, V). The softmax must stay finite
    for very small temperatures (``torch.softmax`` subtracts the row maximum).
    """
    # BEGIN SOLUTION
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=generator).squeeze(-1)
    # END SOLUTION


def train_steps(model, inputs, targets, steps, batch_size=32, lr=0.01, seed=0, device="cpu"):
    """Train ``model`` in place with ``steps`` Adam steps on random minibatches of windows.

    Inputs:
    - model: a ``CharLSTM`` (any device); it is moved to ``device`` and put in training mode.
    - inputs, targets: int64 tensors of shape (M, T), windows from ``make_windows`` (on the CPU).
    - steps: int, the number of optimizer steps.
    - batch_size: int, windows per minibatch.
    - lr: float, Adam's learning rate (``torch.optim.Adam(model.parameters(), lr=lr)``, other
      settings PyTorch's defaults).
    - seed: int; ``generator = torch.Generator().manual_seed(seed)`` (on the CPU) draws the
      minibatches.
    - device: ``"cpu"`` or ``"cuda"``.

    Each step draws ``idx = torch.randint(M, (batch_size,), generator=generator)`` (windows
    with replacement), moves ``inputs[idx]`` and ``targets[idx]`` to ``device``, runs the model
    from a zero state (``state=None``: windows are independent), computes ``sequence_loss``,
    zeroes the gradients, backpropagates and takes the optimizer step.

    Returns the list of the ``steps`` losses (Python floats, each before its step).
    """
    # BEGIN SOLUTION
    model.to(device)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        idx = torch.randint(len(inputs), (batch_size,), generator=generator)
        x, y = inputs[idx].to(device), targets[idx].to(device)
        logits, _ = model(x)
        loss = sequence_loss(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    # END SOLUTION


def generate(model, stoi, itos, prompt, length, temperature=1.0, seed=0):
    """Continue ``prompt`` with ``length`` characters sampled from ``model``.

    Inputs:
    - model: a ``CharLSTM`` on any device (its parameters' device is used).
    - stoi, itos: the vocabulary (``stoi`` dict, ``itos`` = ``chars`` list from ``build_vocab``).
    - prompt: non-empty str of characters in the vocabulary.
    - length: int >= 0, characters to add.
    - temperature: float > 0, passed to ``sample_with_temperature``.
    - seed: int; one ``torch.Generator().manual_seed(seed)`` (on the CPU) makes every draw.

    In eval mode and under ``torch.no_grad()``: run the model on the whole encoded prompt (shape
    (1, P)) from a zero state; then ``length`` times, draw the next index with
    ``sample_with_temperature(logits[:, -1].cpu(), temperature, generator)`` (the logits of the
    last step), append its character, and run the model on that one index (shape (1, 1)) with
    the state the previous call returned.

    Returns ``prompt`` followed by the ``length`` generated characters (a str).
    """
    # BEGIN SOLUTION
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    new_chars = []
    with torch.no_grad():
        x = encode(prompt, stoi).unsqueeze(0).to(device)
        logits, state = model(x)
        for _ in range(length):
            next_id = sample_with_temperature(logits[:, -1].float().cpu(), temperature, generator)
            new_chars.append(itos[next_id.item()])
            logits, state = model(next_id.view(1, 1).to(device), state)
    return prompt + "".join(new_chars)
    # END SOLUTION
