"""TinyVGG on MNIST: a small convolutional network, device-agnostic training and testing steps,
the training loop with its timing, predictions and a confusion matrix.

From "03. PyTorch Computer Vision" (Daniel Bourke, learnpytorch.io) and its exercises: the
course's ``model_2`` (TinyVGG, after the CNN Explainer website: two blocks of
Conv3x3/ReLU/Conv3x3/ReLU/MaxPool2, then Flatten and a Linear layer to the classes),
cross-entropy loss and SGD with learning rate 0.1, ``train_step``/``test_step`` that take the
device, batches of 32, 3 epochs, the training time on the CPU and on the GPU
(``timeit.default_timer``), and a confusion matrix of the test predictions (rows: true labels,
columns: predicted labels, as ``torchmetrics.ConfusionMatrix`` and scikit-learn lay it out).
Here the data is MNIST (the exercise's dataset) instead of FashionMNIST: images are float32
tensors of shape (N, 1, 28, 28) in [0, 1] (``ToTensor()``'s scaling), labels int64 (N,).
Names and shapes are the assignment's contract (``assignments/torch-cnn-mnist``).

The assignment's reference checkpoint (``assignments/torch-cnn-mnist/attachments/tinyvgg_mnist.pt``)
was trained by ``main``::

    python assignments/torch-cnn-mnist/solution.py --data-dir /path/to/data --out tinyvgg_mnist.pt

with the defaults (hidden_units 10, batch 32, SGD lr 0.1, 3 epochs, seed 42) and ``--threads 1``;
see ``main``. It reached a test accuracy of 0.9856 (epoch test accuracies 97.73%, 98.35%, 98.56%)
in 174 s on one thread of a shared 2-core machine (an epoch with its test pass takes about 30 s on
one idle thread); the file is 35 KB. Seeds 0-4 gave 0.9789-0.9853 (the hidden test's
``CHECKPOINT_CALIBRATION``).
"""

from timeit import default_timer as timer

import torch
from torch import nn


class TinyVGG(nn.Module):
    """TinyVGG for 28x28 images (the course's ``MNISTModelV2``/``FashionMNISTModelV2``).

    Inputs of the constructor (keywords, as in the course):
    - input_shape: int, channels of the input images (1 for MNIST).
    - hidden_units: int, channels of every convolution's output.
    - output_shape: int, number of classes (10 for MNIST).

    Layers, in this order (their names are the ``state_dict``'s keys):
    - ``block_1``: ``nn.Sequential(Conv2d(input_shape, hidden_units, 3, stride=1, padding=1),
      ReLU(), Conv2d(hidden_units, hidden_units, 3, stride=1, padding=1), ReLU(),
      MaxPool2d(kernel_size=2, stride=2))``: (N, input_shape, 28, 28) -> (N, hidden_units, 14, 14);
    - ``block_2``: the same with hidden_units input channels: -> (N, hidden_units, 7, 7);
    - ``classifier``: ``nn.Sequential(Flatten(), Linear(hidden_units * 7 * 7, output_shape))``.

    ``forward(x)``: x float32 (N, input_shape, 28, 28) NCHW -> logits (N, output_shape).
    """

    def __init__(self, input_shape, hidden_units, output_shape):
        super().__init__()
        # BEGIN SOLUTION
        self.block_1 = nn.Sequential(
            nn.Conv2d(in_channels=input_shape, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.block_2 = nn.Sequential(
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=hidden_units * 7 * 7, out_features=output_shape),
        )
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        x = self.block_1(x)
        x = self.block_2(x)
        return self.classifier(x)
        # END SOLUTION


def make_loss_and_optimizer(model, lr=0.1):
    """The loss function and the optimizer for ``model``.

    Inputs:
    - model: an ``nn.Module``.
    - lr: float, the learning rate.

    Returns a tuple ``(loss_fn, optimizer)``: ``nn.CrossEntropyLoss()`` (on logits and int64
    class labels) and plain SGD (``torch.optim.SGD``, no momentum, no weight decay) over
    ``model.parameters()`` with learning rate ``lr``.
    """
    # BEGIN SOLUTION
    return nn.CrossEntropyLoss(), torch.optim.SGD(params=model.parameters(), lr=lr)
    # END SOLUTION


def accuracy_fn(y_true, y_pred):
    """Accuracy in percent, as the course's ``helper_functions.accuracy_fn``.

    Inputs:
    - y_true: (N,) int64 tensor of true class labels.
    - y_pred: (N,) int64 tensor of predicted class labels, on the same device.

    Returns a Python float in [0, 100]: 100 times the fraction of equal entries.
    """
    # BEGIN SOLUTION
    correct = torch.eq(y_true, y_pred).sum().item()
    return correct / len(y_pred) * 100
    # END SOLUTION


def train_step(model, data_loader, loss_fn, optimizer, accuracy_fn, device):
    """One epoch of training: one optimizer step per batch of ``data_loader``.

    Inputs:
    - model: an ``nn.Module`` returning logits (N, C); moved to ``device`` and trained in place.
    - data_loader: an iterable of batches ``(X, y)`` with a length (a ``DataLoader``, or a list):
      X float32 (N, 1, 28, 28), y int64 (N,), on any device.
    - loss_fn, optimizer: as returned by ``make_loss_and_optimizer``.
    - accuracy_fn: called as ``accuracy_fn(y_true=y, y_pred=labels)``, returns percent.
    - device: ``"cpu"`` or ``"cuda"``: where the model and every batch go.

    Puts the model in training mode; for each batch, moves X and y to ``device``, computes the
    logits and the loss, zeroes the old gradients, backpropagates and takes an optimizer step.
    Returns ``(train_loss, train_acc)``, Python floats: the mean over the batches of each batch's
    loss (before its step) and of its accuracy in percent (predicted label: argmax of the logits
    over the class dimension, dim=1).
    """
    # BEGIN SOLUTION
    model.to(device)
    model.train()
    train_loss, train_acc = 0.0, 0.0
    for X, y in data_loader:
        X, y = X.to(device), y.to(device)
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        train_loss += loss.item()
        train_acc += accuracy_fn(y_true=y, y_pred=y_pred.argmax(dim=1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return train_loss / len(data_loader), train_acc / len(data_loader)
    # END SOLUTION


def test_step(model, data_loader, loss_fn, accuracy_fn, device):
    """Evaluate ``model`` on every batch of ``data_loader``, without training it.

    Inputs: as ``train_step``'s, without the optimizer.

    Moves the model to ``device`` and puts it in evaluation mode (``model.eval()``), then, under
    ``torch.inference_mode()`` (no gradients are tracked), moves each batch to ``device`` and
    computes its loss and accuracy. The model is left in evaluation mode and its parameters
    unchanged. Returns ``(test_loss, test_acc)``, Python floats: the means over the batches of
    the loss and of the accuracy in percent.
    """
    # BEGIN SOLUTION
    model.to(device)
    model.eval()
    test_loss, test_acc = 0.0, 0.0
    with torch.inference_mode():
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            test_pred = model(X)
            test_loss += loss_fn(test_pred, y).item()
            test_acc += accuracy_fn(y_true=y, y_pred=test_pred.argmax(dim=1))
    return test_loss / len(data_loader), test_acc / len(data_loader)
    # END SOLUTION


def train(model, train_dataloader, test_dataloader, loss_fn, optimizer, accuracy_fn, epochs, device):
    """Train for ``epochs`` epochs on ``device`` and time it.

    Inputs: the model, the two data loaders, ``loss_fn``, ``optimizer`` and ``accuracy_fn`` as
    for ``train_step``/``test_step``; epochs: int >= 1; device: ``"cpu"`` or ``"cuda"``.

    Each epoch runs ``train_step`` on ``train_dataloader`` and then ``test_step`` on
    ``test_dataloader``, and prints the four numbers. The time is measured with
    ``timer()`` (``timeit.default_timer``) from before the first epoch to after the last one.

    Returns a dict: ``"train_loss"``, ``"train_acc"``, ``"test_loss"``, ``"test_acc"``: lists of
    ``epochs`` floats (what ``train_step`` and ``test_step`` returned in each epoch), and
    ``"train_time"``: the total time in seconds (float).
    """
    # BEGIN SOLUTION
    results = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    start = timer()
    for epoch in range(epochs):
        train_loss, train_acc = train_step(model, train_dataloader, loss_fn, optimizer, accuracy_fn, device)
        test_loss, test_acc = test_step(model, test_dataloader, loss_fn, accuracy_fn, device)
        print(f"Epoch {epoch}: train loss {train_loss:.4f}, acc {train_acc:.2f}% | test loss {test_loss:.4f}, acc {test_acc:.2f}%")
        for key, value in zip(results, (train_loss, train_acc, test_loss, test_acc)):
            results[key].append(value)
    results["train_time"] = timer() - start
    return results
    # END SOLUTION


def predict(model, data_loader, device):
    """The predicted class label of every image of ``data_loader``, in order.

    Inputs:
    - model: an ``nn.Module`` returning logits (N, C).
    - data_loader: an iterable of batches ``(X, y)`` (y is not used), X float32 (N, 1, 28, 28).
    - device: ``"cpu"`` or ``"cuda"``.

    Moves the model to ``device``, puts it in evaluation mode and, under
    ``torch.inference_mode()``, turns each batch's logits into probabilities with
    ``torch.softmax(logits, dim=1)`` and takes the most probable class (argmax over the class
    dimension, dim=1). Returns an int64 CPU tensor of shape (total number of images,).
    """
    # BEGIN SOLUTION
    model.to(device)
    model.eval()
    labels = []
    with torch.inference_mode():
        for X, _ in data_loader:
            pred_probs = torch.softmax(model(X.to(device)), dim=1)
            labels.append(pred_probs.argmax(dim=1).cpu())
    return torch.cat(labels)
    # END SOLUTION


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts of (true label, predicted label) pairs.

    Inputs:
    - y_true, y_pred: int64 tensors of shape (N,) with values in [0, num_classes).
    - num_classes: int, C.

    Returns an int64 CPU tensor ``cm`` of shape (C, C): ``cm[i, j]`` is the number of examples
    whose true label is i and whose predicted label is j (rows: true labels, columns: predicted
    labels, the convention of ``torchmetrics.ConfusionMatrix`` and
    ``sklearn.metrics.confusion_matrix``). The diagonal counts the correct predictions and the
    entries sum to N.
    """
    # BEGIN SOLUTION
    index = y_true.cpu() * num_classes + y_pred.cpu()
    return torch.bincount(index, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
    # END SOLUTION


def mnist_tensors(split):
    """An MNIST ``Split`` (``autograder.datasets``: images (N, 784) float32 in [0, 1], labels
    int64) as tensors ``(X, y)``: X float32 (N, 1, 28, 28) NCHW, y int64 (N,)."""
    return torch.from_numpy(split.images).reshape(-1, 1, 28, 28), torch.from_numpy(split.labels)


def main(argv=None):
    """Train the reference TinyVGG on MNIST and save its ``state_dict``: the assignment's checkpoint.

    ``python assignments/torch-cnn-mnist/solution.py --data-dir DIR --out tinyvgg_mnist.pt [--epochs 3]
    [--hidden-units 10] [--batch-size 32] [--lr 0.1] [--seed 42] [--threads N] [--device cpu]``

    The course's recipe: ``torch.manual_seed(seed)`` before building the model, shuffled
    training batches (a generator seeded with ``seed``), cross-entropy and SGD, ``train``
    (which prints every epoch's losses and accuracies and times the run). Prints the
    training time per epoch, the test accuracy and the file's size. Returns the ``train``
    results dict.
    """
    import argparse
    from pathlib import Path

    from torch.utils.data import DataLoader, TensorDataset

    from autograder.datasets import load_mnist

    parser = argparse.ArgumentParser(prog="python assignments/torch-cnn-mnist/solution.py", description=main.__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder holding mnist/ (default: $DLGRADE_DATA_DIR)")
    parser.add_argument("--out", required=True, help="where to save the state_dict (torch.save)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--hidden-units", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--device", default="cpu", help='"cpu" or "cuda"')
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    mnist = load_mnist(args.data_dir)
    train_data = TensorDataset(*mnist_tensors(mnist.train))
    test_data = TensorDataset(*mnist_tensors(mnist.test))
    torch.manual_seed(args.seed)
    model = TinyVGG(input_shape=1, hidden_units=args.hidden_units, output_shape=10)
    loader = DataLoader(train_data, batch_size=args.batch_size, shuffle=True, generator=torch.Generator().manual_seed(args.seed))
    test_loader = DataLoader(test_data, batch_size=args.batch_size)
    loss_fn, optimizer = make_loss_and_optimizer(model, args.lr)
    results = train(model, loader, test_loader, loss_fn, optimizer, accuracy_fn, args.epochs, args.device)
    cm = confusion_matrix(test_data.tensors[1], predict(model, test_loader, args.device), 10)
    out = Path(args.out)
    torch.save({k: v.cpu() for k, v in model.state_dict().items()}, out)
    print(
        f"{args.epochs} epochs on {args.device} ({torch.get_num_threads()} threads): {results['train_time']:.1f} s, "
        f"{results['train_time'] / args.epochs:.1f} s per epoch (including the test pass); "
        f"test accuracy {cm.trace().item() / cm.sum().item():.4f}; saved {out} ({out.stat().st_size} bytes)"
    )
    return results


if __name__ == "__main__":
    main()
