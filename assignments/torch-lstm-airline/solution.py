"""Forecasting the airline-passengers series with a small LSTM, without looking at the future.

After Jason Brownlee's "Time Series Prediction with LSTM Recurrent Neural Networks in Python
with Keras" (machinelearningmastery.com): the monthly international airline passengers of
1949-1960 (Box & Jenkins' Series G, in thousands), the first 67% of the months for training and
the last 33% for testing, values scaled to [0, 1] with a min-max scaler, windows of the last
``look_back`` months as input and the next month as target, an LSTM of 4 units followed by a
linear layer, the mean squared error, Adam, and the root mean squared error in passengers
(after undoing the scaling) as the score.

Two departures from the article, both about leakage: the scaler is fitted on the training part
only (the article fits it on the whole series, so the test months' maximum leaks into training),
and every window lies inside one part. Brownlee's ``create_dataset`` also drops the last window
of each part (``range(len(dataset) - look_back - 1)``); here every window is kept. Training is
minibatch Adam with a seeded shuffle, 200 epochs in batches of 32 (the article: 100 epochs in
batches of 1). The article's model scores about the persistence forecast ("next month = this
month"), so that is the baseline; with the scaler fitted on the training months only, an LSTM of
4 units scores about 1.15 times persistence on the test months (it must forecast values above any
it was trained on). Names and shapes are the assignment's contract
(``assignments/torch-lstm-airline``). Training runs on the CPU or on a CUDA device.
"""

import numpy as np
import torch
from torch import nn


def train_test_split_series(series, train_fraction=0.67):
    """Split a time series in time: the past for training, the future for testing.

    Inputs:
    - series: array of shape (T,), in time order.
    - train_fraction: float in (0, 1); the first ``int(train_fraction * T)`` values are the
      training part (96 of the 144 airline months for 0.67), the rest the test part.

    Returns a tuple ``(train, test)`` of float64 numpy arrays, in time order, never shuffled:
    shuffling would put months from the future in the training part.
    """
    # BEGIN SOLUTION
    series = np.asarray(series, dtype=np.float64)
    n_train = int(train_fraction * len(series))
    return series[:n_train], series[n_train:]
    # END SOLUTION


def fit_scaler(train):
    """Fit a min-max scaler: the smallest and largest value of ``train``.

    Inputs:
    - train: array of shape (T,), the training part only (fitting on values the model must not
      see, such as the test months, leaks their range into training).

    Returns a tuple ``(data_min, data_max)`` of Python floats (scikit-learn's ``MinMaxScaler``
    keeps the same two numbers, as ``data_min_`` and ``data_max_``).
    """
    # BEGIN SOLUTION
    train = np.asarray(train, dtype=np.float64)
    return float(train.min()), float(train.max())
    # END SOLUTION


def scale(x, data_min, data_max):
    """Min-max scaling to [0, 1]: ``(x - data_min) / (data_max - data_min)``.

    Inputs:
    - x: numpy array of any shape, in passengers (thousands).
    - data_min, data_max: floats, from ``fit_scaler``.

    Returns a float64 array of ``x``'s shape. Values outside ``[data_min, data_max]`` (later
    months with more passengers) map outside [0, 1]: no clipping (``MinMaxScaler(clip=False)``,
    scikit-learn's default).
    """
    # BEGIN SOLUTION
    return (np.asarray(x, dtype=np.float64) - data_min) / (data_max - data_min)
    # END SOLUTION


def inverse_scale(x_scaled, data_min, data_max):
    """Undo ``scale``: ``x_scaled * (data_max - data_min) + data_min``, back in passengers.

    Inputs:
    - x_scaled: numpy array of any shape.
    - data_min, data_max: floats, from ``fit_scaler``.

    Returns a float64 array of ``x_scaled``'s shape.
    """
    # BEGIN SOLUTION
    return np.asarray(x_scaled, dtype=np.float64) * (data_max - data_min) + data_min
    # END SOLUTION


def make_windows(series, look_back=3):
    """Supervised pairs from a series: the last ``look_back`` values as input, the next as target.

    Inputs:
    - series: array of shape (T,), in time order, with ``T > look_back``.
    - look_back: int >= 1, the number of past months the model reads.

    Returns a tuple ``(X, y)`` of float32 tensors: ``X`` of shape (N, look_back, 1) (batch, time,
    feature: the layout of ``nn.LSTM(batch_first=True)``) and ``y`` of shape (N, 1), with
    ``N = T - look_back``: ``X[i, :, 0] = series[i : i + look_back]`` and
    ``y[i, 0] = series[i + look_back]``, the month right after the window.
    """
    # BEGIN SOLUTION
    series = np.asarray(series, dtype=np.float64)
    n = len(series) - look_back
    X = np.stack([series[i : i + look_back] for i in range(n)])[:, :, None]
    y = series[look_back:, None]
    return torch.from_numpy(X).float(), torch.from_numpy(y).float()
    # END SOLUTION


def prepare_data(series, look_back=3, train_fraction=0.67):
    """From the raw series to scaled windows, with nothing from the test months in training.

    Inputs:
    - series: array of shape (T,), passengers in time order.
    - look_back: int, the window length for ``make_windows``.
    - train_fraction: float, for ``train_test_split_series``.

    Splits the series in time, fits the scaler on the training part only, scales both parts with
    it, and makes the windows of each part separately, so that no window crosses the split: the
    training windows' inputs and targets are training months, the test windows' are test months
    (the first ``look_back`` test months are inputs only).

    Returns a tuple ``(X_train, y_train, X_test, y_test, scaler)``: the tensors of
    ``make_windows`` for each part ((n_train - look_back, look_back, 1) and so on) and
    ``scaler = (data_min, data_max)``, the floats of ``fit_scaler`` on the training part.
    """
    # BEGIN SOLUTION
    train, test = train_test_split_series(series, train_fraction)
    scaler = fit_scaler(train)
    X_train, y_train = make_windows(scale(train, *scaler), look_back)
    X_test, y_test = make_windows(scale(test, *scaler), look_back)
    return X_train, y_train, X_test, y_test, scaler
    # END SOLUTION


class AirlineLSTM(nn.Module):
    """An LSTM layer of ``hidden_size`` units followed by a linear layer: one forecast per window.

    - ``self.lstm``: ``nn.LSTM(input_size=1, hidden_size=hidden_size, batch_first=True)``
      (one layer); ``self.linear``: ``nn.Linear(hidden_size, 1)``. These names are the keys of
      the ``state_dict`` (``lstm.weight_ih_l0``, ..., ``linear.bias``).
    - ``forward(x)``: x of shape (N, look_back, 1) -> (N, 1): the linear layer applied to the
      LSTM's output at the **last** time step (the state after reading the whole window), from
      a zero initial state.
    """

    def __init__(self, hidden_size=4):
        super().__init__()
        # BEGIN SOLUTION
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden_size, batch_first=True)
        self.linear = nn.Linear(hidden_size, 1)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        out, _ = self.lstm(x)
        return self.linear(out[:, -1, :])
        # END SOLUTION


def train_model(model, X, y, epochs=200, lr=0.01, batch_size=32, seed=0, device="cpu"):
    """Train ``model`` in place with minibatch Adam on the mean squared error.

    Inputs:
    - model: an ``nn.Module`` mapping (B, look_back, 1) to (B, 1); trained in place and moved to
      ``device``.
    - X: (N, look_back, 1) and y: (N, 1) float32 tensors (scaled values), on any device.
    - epochs: int; lr: float, Adam's learning rate; batch_size: int.
    - seed: int, seeds the shuffle, so that a run can be repeated.
    - device: ``"cpu"`` or ``"cuda"``.

    Moves the model and the data to ``device`` and puts the model in training mode; creates
    ``optimizer = torch.optim.Adam(model.parameters(), lr=lr)``, ``loss_fn = nn.MSELoss()`` and
    one generator ``g = torch.Generator().manual_seed(seed)`` (on the CPU), once. Each epoch
    draws ``perm = torch.randperm(N, generator=g)`` and goes through the minibatches
    ``perm[0:batch_size]``, ``perm[batch_size:2 * batch_size]``, ... in order (the last one may be
    smaller): for each, the loss of the model's predictions on those rows, ``zero_grad``,
    ``backward``, ``step``.

    Returns the history: a list of ``epochs`` Python floats, each the mean of that epoch's
    minibatch losses (each taken before its step).
    """
    # BEGIN SOLUTION
    model.to(device)
    model.train()
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    g = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        losses = []
        for start in range(0, len(X), batch_size):
            idx = perm[start : start + batch_size].to(device)
            loss = loss_fn(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
    # END SOLUTION


def predict(model, X):
    """The model's forecasts for the windows ``X``, without tracking gradients.

    Inputs:
    - model: an ``nn.Module`` on any device.
    - X: (N, look_back, 1) tensor on any device.

    Puts the model in eval mode, moves X to the device of the model's parameters and runs the
    forward pass under ``torch.inference_mode()``. Returns the (N, 1) forecasts (scaled, like
    ``y``) on the CPU.
    """
    # BEGIN SOLUTION
    device = next(model.parameters()).device
    model.eval()
    with torch.inference_mode():
        return model(X.to(device)).cpu()
    # END SOLUTION


def rmse(y_true, y_pred):
    """Root mean squared error: ``sqrt(mean((y_true - y_pred) ** 2))``, in the units of ``y``.

    Inputs:
    - y_true, y_pred: numpy arrays (or CPU tensors) of the same shape.

    Returns a Python float (not the mean squared error: the square root brings the error back
    to the units of the data, here passengers).
    """
    # BEGIN SOLUTION
    diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return float(np.sqrt(np.mean(diff**2)))
    # END SOLUTION


def evaluate_rmse(model, X, y, scaler):
    """The model's RMSE in passengers (thousands) on the windows ``(X, y)``.

    Inputs:
    - model: an ``nn.Module``; X: (N, look_back, 1), y: (N, 1), scaled (from ``prepare_data``).
    - scaler: ``(data_min, data_max)``, the training part's, from ``prepare_data``.

    Forecasts with ``predict``, brings the forecasts **and** the targets back to passengers with
    ``inverse_scale``, and returns their ``rmse`` (a float). An RMSE on scaled values is not in
    passengers: it is smaller by the factor ``data_max - data_min``.
    """
    # BEGIN SOLUTION
    pred = inverse_scale(predict(model, X).numpy(), *scaler)
    return rmse(inverse_scale(y.numpy(), *scaler), pred)
    # END SOLUTION


def persistence_rmse(X, y, scaler):
    """The RMSE in passengers of the persistence forecast: next month = the window's last month.

    Inputs:
    - X: (N, look_back, 1), y: (N, 1), scaled (from ``prepare_data``).
    - scaler: ``(data_min, data_max)``, from ``prepare_data``.

    The forecast for target ``y[i]`` is ``X[i, -1, 0]``, the month just before it. Returns the
    ``rmse`` of those forecasts against the targets, both brought back to passengers with
    ``inverse_scale`` (a float): the baseline a model must be compared with.
    """
    # BEGIN SOLUTION
    pred = inverse_scale(X[:, -1, :].numpy(), *scaler)
    return rmse(inverse_scale(y.numpy(), *scaler), pred)
    # END SOLUTION
