"""The PyTorch workflow on a straight line: data, an ``nn.Module``, a training loop, predictions,
and saving/loading a ``state_dict``.

From the exercises of "01. PyTorch Workflow Fundamentals" (Daniel Bourke, learnpytorch.io):
``y = 0.3 x + 0.9`` on ``X = torch.arange(0, 1, 0.02).unsqueeze(1)`` (50 points), the first 80%
for training and the last 20% for testing; a model of two ``nn.Parameter``s (``weights`` and
``bias``); L1 loss (mean absolute error) and SGD with learning rate 0.01 for 300 epochs, the test
loss recorded every 20 epochs; predictions in inference mode; the ``state_dict`` saved to a file
and loaded into a new instance. Names and shapes are the assignment's contract
(``assignments/torch-workflow``). Training runs on the CPU or on a CUDA device.
"""

import torch
from torch import nn

def make_data(weight=0.3, bias=0.9, start=0.0, end=1.0, step=0.02):
    """Points on the line ``y = weight * X + bias``.

    Inputs:
    - weight, bias: floats, the line's slope and intercept.
    - start, end, step: floats; X runs from ``start`` up to but not including ``end`` in steps
      of ``step`` (``torch.arange``): 50 points by default.

    Returns a tuple ``(X, y)`` of float32 tensors of shape (N, 1): one feature per row
    (``unsqueeze(dim=1)``), as ``nn.Module``s expect.
    """
    # BEGIN SOLUTION
    X = torch.arange(start, end, step).unsqueeze(dim=1)
    y = weight * X + bias
    return X, y
    # END SOLUTION


def split_data(X, y, train_fraction=0.8):
    """Split into a training and a test set without shuffling.

    Inputs:
    - X, y: tensors of shape (N, 1).
    - train_fraction: float in (0, 1); the first ``int(train_fraction * N)`` rows are for
      training, the rest for testing.

    Returns the tuple ``(X_train, y_train, X_test, y_test)``, in that order (not scikit-learn's
    ``X_train, X_test, y_train, y_test``).
    """
    # BEGIN SOLUTION
    n_train = int(train_fraction * len(X))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    # END SOLUTION


class LinearRegressionModel(nn.Module):
    """``y = weights * x + bias`` with two learnable ``nn.Parameter``s.

    - ``weights`` and ``bias``: parameters of shape (1,), float32, ``requires_grad=True``,
      initialised at random from a standard normal (``torch.randn``), in that order: after
      ``torch.manual_seed(42)`` they are 0.3367 and 0.1288. Their names are the keys of the
      ``state_dict``.
    - ``forward(x)``: x of shape (N, 1) -> (N, 1).
    """

    def __init__(self):
        super().__init__()
        # BEGIN SOLUTION
        self.weights = nn.Parameter(torch.randn(1, dtype=torch.float), requires_grad=True)
        self.bias = nn.Parameter(torch.randn(1, dtype=torch.float), requires_grad=True)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        return self.weights * x + self.bias
        # END SOLUTION


def make_loss_and_optimizer(model, lr=0.01):
    """The loss function and the optimizer for ``model``.

    Inputs:
    - model: an ``nn.Module``.
    - lr: float, the learning rate.

    Returns a tuple ``(loss_fn, optimizer)``: ``nn.L1Loss()`` (mean absolute error) and plain
    SGD (``torch.optim.SGD``, no momentum) over ``model.parameters()`` with learning rate ``lr``.
    """
    # BEGIN SOLUTION
    return nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=lr)
    # END SOLUTION


def train_step(model, X, y, loss_fn, optimizer):
    """One step of gradient descent on the batch ``(X, y)``.

    Inputs:
    - model: an ``nn.Module``; X: (N, 1) inputs; y: (N, 1) targets, on the model's device.
    - loss_fn, optimizer: as returned by ``make_loss_and_optimizer``.

    Puts the model in training mode, computes the loss of its predictions, zeroes the old
    gradients, backpropagates and takes one optimizer step. Returns the loss before the step,
    as a Python float (``loss.item()``).
    """
    # BEGIN SOLUTION
    model.train()
    y_pred = model(X)
    loss = loss_fn(y_pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
    # END SOLUTION


def fit(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, device="cpu"):
    """Train ``model`` in place with full-batch gradient descent.

    Inputs:
    - model: an ``nn.Module``, trained in place (and moved to ``device``).
    - X_train, y_train, X_test, y_test: (N, 1) tensors, on any device.
    - epochs: int, the number of ``train_step``s, each on the whole training set.
    - lr: float, the learning rate for ``make_loss_and_optimizer``.
    - device: ``"cpu"`` or ``"cuda"``: where the model and the data live during training.

    Moves the model and the data to ``device``, then builds the loss and optimizer with
    ``make_loss_and_optimizer(model, lr)``. In every epoch whose number is a multiple of
    20 (0, 20, 40, ...), after that epoch's ``train_step``, it computes the test loss
    in eval mode under ``torch.inference_mode()``.

    Returns the history, a dict of three equally long lists: ``"epoch"`` (ints),
    ``"train_loss"`` (the floats ``train_step`` returned in those epochs) and ``"test_loss"``
    (floats).
    """
    # BEGIN SOLUTION
    model.to(device)
    X_train, y_train, X_test, y_test = (t.to(device) for t in (X_train, y_train, X_test, y_test))
    loss_fn, optimizer = make_loss_and_optimizer(model, lr)
    history = {"epoch": [], "train_loss": [], "test_loss": []}
    for epoch in range(epochs):
        train_loss = train_step(model, X_train, y_train, loss_fn, optimizer)
        if epoch % 20 == 0:
            model.eval()
            with torch.inference_mode():
                test_loss = loss_fn(model(X_test), y_test).item()
            history["epoch"].append(epoch)
            history["train_loss"].append(train_loss)
            history["test_loss"].append(test_loss)
    return history
    # END SOLUTION


def predict(model, X):
    """The model's predictions for ``X``, without tracking gradients.

    Inputs:
    - model: an ``nn.Module`` on any device.
    - X: (N, 1) tensor on any device.

    Puts the model in eval mode, moves X to the device of the model's parameters and runs the
    forward pass under ``torch.inference_mode()``. Returns the (N, 1) predictions on the CPU.
    """
    # BEGIN SOLUTION
    device = next(model.parameters()).device
    model.eval()
    with torch.inference_mode():
        return model(X.to(device)).cpu()
    # END SOLUTION


def save_model(model, path):
    """Save ``model.state_dict()`` (not the whole model) to the file ``path`` with
    ``torch.save``. Returns None."""
    # BEGIN SOLUTION
    torch.save(model.state_dict(), path)
    # END SOLUTION


def load_model(path):
    """A new ``LinearRegressionModel`` holding the ``state_dict`` that ``save_model`` wrote to
    ``path`` (``torch.load`` onto the CPU, then ``load_state_dict``). Returns the model, on the CPU."""
    # BEGIN SOLUTION
    model = LinearRegressionModel()
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model
    # END SOLUTION
