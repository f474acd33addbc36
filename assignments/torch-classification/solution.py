"""Neural-network classification with PyTorch: two moons (binary) and three spirals (multi-class),
and the tanh activation rebuilt from ``torch.exp``.

From the exercises of "02. PyTorch Neural Network Classification" (Daniel Bourke, learnpytorch.io):
a binary dataset from scikit-learn's ``make_moons`` (1000 samples, 80/20 split), a model with
non-linear activations trained with ``nn.BCEWithLogitsLoss`` and Adam to over 96% test accuracy;
tanh in pure PyTorch; a three-class spiral dataset (the generator of CS231n's "Neural Networks
case study", 100 points per class) and a model trained with ``nn.CrossEntropyLoss`` and Adam to
over 95% test accuracy. Names and contracts are the assignment's
(``assignments/torch-classification``):

- features are float32 tensors of shape (N, 2); labels are int64 class indices of shape (N,)
  (0/1 for the moons, 0..K-1 for the spirals); accuracies are percentages;
- ``ClassificationModel(in_features, out_features, hidden_units)``: ``layer_1`` Linear(in, hidden),
  ReLU, ``layer_2`` Linear(hidden, hidden), ReLU, ``layer_3`` Linear(hidden, out); forward
  returns logits, (N, out);
- training is full-batch: one Adam step on the whole training set per epoch.

``make_moons`` and ``make_spirals`` are no questions: the notebook gives their source verbatim
(``tests/test_reference_torch_classification.py`` checks that it does, and that ``make_moons``
draws exactly what ``sklearn.datasets.make_moons`` draws), so that neither the notebook nor the
grader needs scikit-learn.
"""

import numpy as np
import torch
from torch import nn


def make_moons(n_samples=1000, noise=0.07, random_state=42):
    """Two interleaving half circles: scikit-learn's ``make_moons`` (shuffled, Gaussian noise).

    Inputs:
    - n_samples: int, the number of points; ``n_samples // 2`` on the upper moon (label 0), the
      rest on the lower one (label 1).
    - noise: float, standard deviation of the Gaussian noise added to every coordinate.
    - random_state: int seed of ``np.random.RandomState``; the same seed gives the same points
      as ``sklearn.datasets.make_moons(n_samples, noise=noise, random_state=random_state)``.

    Returns ``(X, y)``: X float64 of shape (n_samples, 2), y int64 of shape (n_samples,).
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    generator = np.random.RandomState(random_state)
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack([
        np.append(np.cos(outer), 1 - np.cos(inner)),
        np.append(np.sin(outer), 1 - np.sin(inner) - 0.5),
    ]).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    order = np.arange(n_samples)
    generator.shuffle(order)
    X, y = X[order], y[order]
    X += generator.normal(scale=noise, size=X.shape)
    return X, y


def make_spirals(n_per_class=100, n_classes=3, random_state=42):
    """CS231n's spiral data ("Neural Networks case study"): ``n_classes`` arms of
    ``n_per_class`` points each, in class order.

    Arm ``j`` has radii ``r = linspace(0, 1, n_per_class)`` and angles
    ``t = linspace(4 j, 4 (j + 1), n_per_class) + 0.2 * noise`` (standard normal noise from
    ``np.random.RandomState(random_state)``); its points are ``(r sin t, r cos t)``.

    Returns ``(X, y)``: X float64 of shape (n_per_class * n_classes, 2), y int64 of the same
    length with labels 0 .. n_classes - 1 (the first n_per_class points are class 0, ...).
    """
    generator = np.random.RandomState(random_state)
    N, K = n_per_class, n_classes
    X = np.zeros((N * K, 2))
    y = np.zeros(N * K, dtype=np.int64)
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)  # radius
        t = np.linspace(j * 4, (j + 1) * 4, N) + generator.randn(N) * 0.2  # theta
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def split_data(X, y, test_fraction=0.2, seed=42):
    """Shuffle, then split into a training and a test set (what scikit-learn's
    ``train_test_split`` does, in PyTorch).

    Inputs:
    - X: (N, D) tensor of features; y: (N,) tensor of labels.
    - test_fraction: float in (0, 1); the test set has ``int(test_fraction * N)`` samples.
    - seed: int; the order is ``torch.randperm(N, generator=torch.Generator().manual_seed(seed))``:
      its first ``int(test_fraction * N)`` indices form the test set, the rest (in that order)
      the training set.

    Returns ``(X_train, X_test, y_train, y_test)``, in scikit-learn's order.
    """
    # BEGIN SOLUTION
    n_test = int(test_fraction * len(X))
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]
    # END SOLUTION


class ClassificationModel(nn.Module):
    """A multi-layer perceptron with two hidden layers of ReLUs, returning logits.

    - ``__init__(in_features=2, out_features=1, hidden_units=10)`` creates, in this order,
      ``layer_1 = nn.Linear(in_features, hidden_units)``,
      ``layer_2 = nn.Linear(hidden_units, hidden_units)``,
      ``layer_3 = nn.Linear(hidden_units, out_features)`` and ``relu = nn.ReLU()``: their names
      are the keys of the ``state_dict``.
    - ``forward(x)``: x (N, in_features) float32 -> logits (N, out_features):
      ``layer_3(relu(layer_2(relu(layer_1(x)))))``. Without the ReLUs the three layers would
      collapse into one linear map, and a linear boundary cannot separate the moons.
    """

    def __init__(self, in_features=2, out_features=1, hidden_units=10):
        super().__init__()
        # BEGIN SOLUTION
        self.layer_1 = nn.Linear(in_features, hidden_units)
        self.layer_2 = nn.Linear(hidden_units, hidden_units)
        self.layer_3 = nn.Linear(hidden_units, out_features)
        self.relu = nn.ReLU()
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))
        # END SOLUTION


def train_binary(model, X, y, epochs=300, lr=0.1, device="cpu"):
    """Train a one-logit ``model`` in place on binary labels, full batch.

    Inputs:
    - model: an ``nn.Module`` mapping (N, D) to logits (N, 1); moved to ``device``.
    - X: (N, D) float32 features; y: (N,) int64 labels 0/1 (any device).
    - epochs: int, the number of optimizer steps, each on the whole of X.
    - lr: float, Adam's learning rate.
    - device: ``"cpu"`` or ``"cuda"``: where the model and the data live while training.

    Loss: ``nn.BCEWithLogitsLoss()`` of the logits squeezed to (N,) and the labels converted to
    float (it applies the sigmoid itself, in a numerically stable way: do not pass it
    probabilities). Optimizer: ``torch.optim.Adam(model.parameters(), lr=lr)``. Each epoch, in
    training mode: logits, loss, ``optimizer.zero_grad()``, ``loss.backward()``,
    ``optimizer.step()``.

    Returns the list of the ``epochs`` losses, as Python floats, each computed before its step.
    """
    # BEGIN SOLUTION
    model.to(device)
    X, y = X.to(device), y.to(device).float()
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        model.train()
        logits = model(X).squeeze(1)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    # END SOLUTION


def predict_binary(model, X):
    """Labels predicted by a one-logit ``model``.

    Inputs:
    - model: an ``nn.Module`` on any device, mapping (N, D) to logits (N, 1).
    - X: (N, D) float32 tensor on any device.

    In eval mode and under ``torch.inference_mode()``: logits -> probabilities with
    ``torch.sigmoid`` -> labels with ``torch.round`` (1 where the probability is above 0.5).
    Returns an int64 tensor of shape (N,) of 0s and 1s, on the CPU.
    """
    # BEGIN SOLUTION
    model.eval()
    with torch.inference_mode():
        logits = model(X.to(next(model.parameters()).device)).squeeze(1)
        return torch.round(torch.sigmoid(logits)).long().cpu()
    # END SOLUTION


def accuracy_fn(y_true, y_pred):
    """The percentage of predictions equal to the labels.

    Inputs: y_true and y_pred, tensors of labels of the same shape (N,), N >= 1.

    Returns a Python float in [0, 100]: ``100 * (number of i with y_true[i] == y_pred[i]) / N``.
    """
    # BEGIN SOLUTION
    return torch.eq(y_true, y_pred).sum().item() / len(y_pred) * 100
    # END SOLUTION


def tanh(x):
    """The hyperbolic tangent, element-wise, from ``torch.exp``:
    ``tanh(x) = (exp(2x) - 1) / (exp(2x) + 1)``.

    Inputs:
    - x: a floating-point tensor of any shape, on any device, possibly with ``requires_grad``.

    Returns a tensor like x (shape, dtype, device) whose values are ``torch.tanh(x)``'s, built
    from differentiable tensor operations so that autograd can backpropagate through it. It must
    not use ``torch.tanh``, ``Tensor.tanh``, ``torch.nn.functional.tanh`` or ``nn.Tanh``. It is
    finite for every finite input: ``exp(2x)`` overflows float32 to inf beyond x = 44 (and
    inf / inf is NaN); clamping x to [-20, 20] first avoids that, since tanh(20) is 1 in float32
    and float64 alike.
    """
    # BEGIN SOLUTION
    e = torch.exp(2 * x.clamp(-20, 20))
    return (e - 1) / (e + 1)
    # END SOLUTION


def train_multiclass(model, X, y, epochs=300, lr=0.05, device="cpu"):
    """Train a K-logit ``model`` in place on class indices, full batch.

    Inputs:
    - model: an ``nn.Module`` mapping (N, D) to logits (N, K); moved to ``device``.
    - X: (N, D) float32 features; y: (N,) int64 class indices in 0 .. K-1 (any device).
    - epochs: int, the number of optimizer steps, each on the whole of X.
    - lr: float, Adam's learning rate.
    - device: ``"cpu"`` or ``"cuda"``.

    Loss: ``nn.CrossEntropyLoss()`` of the (N, K) logits and the int64 labels (it applies the
    softmax itself: pass it logits). Optimizer: ``torch.optim.Adam(model.parameters(), lr=lr)``.
    Each epoch, in training mode: logits, loss, ``optimizer.zero_grad()``, ``loss.backward()``,
    ``optimizer.step()``.

    Returns the list of the ``epochs`` losses, as Python floats, each computed before its step.
    """
    # BEGIN SOLUTION
    model.to(device)
    X, y = X.to(device), y.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        model.train()
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    # END SOLUTION


def predict_multiclass(model, X):
    """Class indices predicted by a K-logit ``model``.

    Inputs:
    - model: an ``nn.Module`` on any device, mapping (N, D) to logits (N, K).
    - X: (N, D) float32 tensor on any device.

    In eval mode and under ``torch.inference_mode()``: logits -> probabilities with
    ``torch.softmax(logits, dim=1)`` -> the most probable class of each row with
    ``argmax(dim=1)`` (over the K classes, not over the N samples). Returns an int64 tensor of
    shape (N,), on the CPU.
    """
    # BEGIN SOLUTION
    model.eval()
    with torch.inference_mode():
        logits = model(X.to(next(model.parameters()).device))
        return torch.softmax(logits, dim=1).argmax(dim=1).cpu()
    # END SOLUTION
