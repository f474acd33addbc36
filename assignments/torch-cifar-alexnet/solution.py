"""A mini-AlexNet for CIFAR-10 in PyTorch: the batch loader, the network, SGD with momentum and
weight decay, one training epoch with dropout, evaluation, and saving and loading a checkpoint.

The practical's network: Conv48-Pool-Conv128-Pool-Conv192-Conv192-Conv128-Pool-FC1024-FC1024-FC10,
every convolution 3x3 with "same" padding (``padding=1``) and a ReLU, every pooling
``nn.MaxPool2d(3)`` (a 3x3 window with stride 3, Keras' ``MaxPooling2D((3, 3))``), which takes a
32x32 image to 10x10, 3x3 and 1x1; so the first fully connected layer reads 128 features, and the
network has 2,023,370 parameters::

    conv 3->48      3*48*9 + 48       =     1,344      32x32 -> pool -> 10x10
    conv 48->128    48*128*9 + 128    =    55,424      10x10 -> pool ->  3x3
    conv 128->192   128*192*9 + 192   =   221,376       3x3
    conv 192->192   192*192*9 + 192   =   331,968       3x3
    conv 192->128   192*128*9 + 128   =   221,312       3x3 -> pool ->  1x1
    fc 128->1024    128*1024 + 1024   =   132,096
    fc 1024->1024   1024*1024 + 1024  = 1,049,600
    fc 1024->10     1024*10 + 10      =    10,250
                                        ---------
                                        2,023,370

(Padding does not change a convolution's parameter count; it changes the feature maps, and only
through them the first fully connected layer's: without padding the third convolution would get
2x2 maps and fail, and a first convolution without padding (30x30, pooled to 10x10) changes the
values but no shape. With AlexNet's overlapping pooling, kernel 3 and stride 2, the maps would be
15, 7 and 3 pixels wide and the network would have 3,071,946 parameters; with 2x2 pooling
3,989,450.) Weights start from He initialisation: with PyTorch's default one, SGD stays at loss
ln 10 = 2.30 for epochs (on Fashion-MNIST images padded to 32x32, SGD as below: still 2.30 after
3 epochs of 6,000 images; with He initialisation 0.82 after 3 epochs of 3,000, and 69% test
accuracy).

Sources: CIFAR-10 and its "python version" batch format, A. Krizhevsky, *Learning Multiple Layers
of Features from Tiny Images* (2009) and https://www.cs.toronto.edu/~kriz/cifar.html; AlexNet,
Krizhevsky, Sutskever and Hinton, *ImageNet Classification with Deep Convolutional Neural
Networks* (NeurIPS 2012): ReLUs, dropout 0.5 in the fully connected layers, SGD with momentum 0.9,
weight decay 0.0005 and learning rate 0.01 (section 5); dropout, Srivastava et al., *Dropout: A
Simple Way to Prevent Neural Networks from Overfitting* (JMLR 2014); initialisation, He et al.,
*Delving Deep into Rectifiers* (ICCV 2015). Names and shapes are the
assignment's contract (``assignments/torch-cifar-alexnet``). Training runs on the CPU or on a CUDA
device.

Run as ``python assignments/torch-cifar-alexnet/solution.py --data-dir DIR --out PATH`` to train the reference
checkpoint (``assignments/torch-cifar-alexnet/attachments/alexnet_cifar10.pt``) on CIFAR-10.
"""

import functools
import pickle

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
"""Class names of CIFAR-10's labels 0..9 (``batches.meta``'s ``label_names``)."""

NUM_PARAMETERS = 2_023_370
"""Parameters of ``AlexNetCIFAR`` (see the table above)."""


def load_cifar_batch(raw):
    """One CIFAR-10 "python version" batch, from the bytes of its file.

    Inputs:
    - raw: bytes, the whole content of a batch file (``data_batch_1`` ... ``data_batch_5``,
      ``test_batch``): a pickled dict with bytes keys (unpickle it with
      ``pickle.loads(raw, encoding="bytes")``):
      - ``b"data"``: (N, 3072) uint8 array, one image per row: its 1024 red values, then its 1024
        green values, then its 1024 blue values, each channel a 32x32 image stored row by row;
      - ``b"labels"``: list of N ints in [0, 10);
      - ``b"batch_label"`` and ``b"filenames"``, which are not needed here.

    Returns a tuple ``(images, labels)``:
    - images: (N, 3, 32, 32) uint8 array, NCHW: ``images[i, c, h, w] == data[i, c * 1024 + h * 32 + w]``;
    - labels: (N,) int64 array.

    ``pickle`` can run code while it loads: unpickle only files you trust, like these from the
    dataset's own site.
    """
    # BEGIN SOLUTION
    batch = pickle.loads(raw, encoding="bytes")
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    images = data.reshape(-1, 3, 32, 32)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    return images, labels
    # END SOLUTION


class AlexNetCIFAR(nn.Module):
    """The practical's mini-AlexNet for 32x32 colour images.

    Inputs of ``__init__``:
    - num_classes: int, outputs of the last layer.
    - dropout: float in [0, 1), the probability of zeroing a unit of each hidden fully connected
      layer in training mode (``nn.Dropout(dropout)``).

    Layers, in this order (their parameters, in this order, are the ``state_dict``):
    - ``features``: Conv2d(3, 48), ReLU, MaxPool2d(3), Conv2d(48, 128), ReLU, MaxPool2d(3),
      Conv2d(128, 192), ReLU, Conv2d(192, 192), ReLU, Conv2d(192, 128), ReLU, MaxPool2d(3); every
      convolution 3x3 with ``padding=1`` ("same"), so only the poolings shrink the maps: 32 -> 10 -> 3 -> 1.
    - ``classifier``: Flatten, Linear(128, 1024), ReLU, Dropout, Linear(1024, 1024), ReLU,
      Dropout, Linear(1024, num_classes).

    Initialisation (He et al., *Delving Deep into Rectifiers*, 2015): every convolution and linear
    weight drawn from a normal distribution with std sqrt(2 / fan_in)
    (``nn.init.kaiming_normal_(weight, nonlinearity="relu")``; fan_in = in_channels * 3 * 3 or
    in_features), every bias zero. PyTorch's default initialisation shrinks the signal at every
    layer (logits of about 0.01 here), and SGD then stays at the loss of a uniform guess, ln 10 = 2.30,
    for many epochs.

    ``forward(x)``: x of shape (N, 3, 32, 32), float32 in [0, 1] -> logits (N, num_classes).
    2,023,370 parameters for 10 classes.
    """

    def __init__(self, num_classes=10, dropout=0.5):
        super().__init__()
        # BEGIN SOLUTION
        self.features = nn.Sequential(
            nn.Conv2d(3, 48, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(3),  # 32x32 -> 10x10
            nn.Conv2d(48, 128, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(3),  # -> 3x3
            nn.Conv2d(128, 192, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(192, 192, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(192, 128, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(3),  # -> 1x1
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(128, 1024), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(1024, 1024), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(1024, num_classes),
        )
        for module in self.modules():  # He initialisation: keeps the signal's scale through the ReLUs
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        return self.classifier(self.features(x))
        # END SOLUTION


def make_optimizer(model, lr=0.01, momentum=0.9, weight_decay=5e-4):
    """AlexNet's optimizer: stochastic gradient descent with momentum and weight decay.

    Inputs:
    - model: an ``nn.Module``.
    - lr: float, the learning rate; momentum: float; weight_decay: float, the L2 penalty's
      coefficient (Krizhevsky et al. 2012: 0.01, 0.9 and 0.0005).

    Returns ``torch.optim.SGD`` over all of ``model.parameters()`` with these settings (no
    dampening, no Nesterov momentum).
    """
    # BEGIN SOLUTION
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    # END SOLUTION


def train_epoch(model, batches, optimizer, device="cpu"):
    """One pass over ``batches`` with cross-entropy loss, in training mode (dropout on).

    Inputs:
    - model: an ``nn.Module`` returning logits; it is moved to ``device`` (in place, so an
      optimizer made for it before stays valid) and trained in place.
    - batches: an iterable of ``(images, labels)`` pairs, e.g. a ``DataLoader`` or a list: images
      (B, 3, 32, 32) float32 in [0, 1], labels (B,) int64, on any device.
    - optimizer: a ``torch.optim`` optimizer over the model's parameters.
    - device: ``"cpu"`` or ``"cuda"``.

    Puts the model in training mode; for every batch, in order: moves it to ``device``, computes
    the mean cross-entropy of the logits (``F.cross_entropy``), zeroes the old gradients,
    backpropagates and takes one optimizer step.

    Returns the mean loss over all images, each batch's loss (before its step) weighted by its
    size, as a Python float.
    """
    # BEGIN SOLUTION
    model.to(device)
    model.train()
    total, count = 0.0, 0
    for images, labels in batches:
        images, labels = images.to(device), labels.to(device)
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count
    # END SOLUTION


def evaluate(model, batches, device="cpu"):
    """Classification accuracy of ``model`` on ``batches``, in evaluation mode (dropout off).

    Inputs:
    - model: an ``nn.Module`` returning logits; it is moved to ``device``.
    - batches: an iterable of ``(images, labels)`` pairs as for ``train_epoch``.
    - device: ``"cpu"`` or ``"cuda"``.

    Puts the model in evaluation mode and, under ``torch.inference_mode()``, predicts the class
    with the largest logit for every image.

    Returns the fraction (not the percentage) of images whose prediction equals the label, a
    Python float in [0, 1].
    """
    # BEGIN SOLUTION
    model.to(device)
    model.eval()  # dropout off: every unit is used (inverted dropout needs no rescaling here)
    correct, count = 0, 0
    with torch.inference_mode():
        for images, labels in batches:
            predicted = model(images.to(device)).argmax(dim=1)
            correct += (predicted == labels.to(device)).sum().item()
            count += len(labels)
    return correct / count
    # END SOLUTION


def save_checkpoint(model, path):
    """Save ``model``'s ``state_dict`` (not the model object) to the file ``path`` with
    ``torch.save``, every tensor copied to the CPU first, so that the file loads on a machine
    without a GPU. Returns None."""
    # BEGIN SOLUTION
    torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)
    # END SOLUTION


def load_checkpoint(path, device="cpu"):
    """A new ``AlexNetCIFAR`` holding the ``state_dict`` saved at ``path`` with
    ``torch.save(model.state_dict(), path)``.

    Inputs:
    - path: str, the checkpoint file.
    - device: ``"cpu"`` or ``"cuda"``: where the returned model lives.

    Loads the file with ``torch.load(path, map_location=device, weights_only=True)`` (tensors
    and plain containers only: a checkpoint cannot run code) and returns the model on
    ``device``, in evaluation mode.
    """
    # BEGIN SOLUTION
    model = AlexNetCIFAR()
    model.load_state_dict(torch.load(path, map_location=device, weights_only=True))
    return model.to(device).eval()
    # END SOLUTION


# Helpers for the assignment's hidden tests and the project's tests (not part of the notebook).


def tensor_batches(images, labels, batch_size, shuffle=False, generator=None):
    """``(images, labels)`` as a list of tensor batches for ``train_epoch`` and ``evaluate``.

    Inputs:
    - images: (N, 3, 32, 32) float32 array or tensor in [0, 1]; labels: (N,) int64 array or tensor.
    - batch_size: int; the last batch may be smaller.
    - shuffle: bool, whether to visit the images in a random order (``torch.randperm`` with
      ``generator``, a ``torch.Generator`` or None).
    """
    images, labels = torch.as_tensor(images), torch.as_tensor(labels)
    order = torch.randperm(len(images), generator=generator) if shuffle else torch.arange(len(images))
    order = order.to(images.device)
    return [(images[idx], labels[idx]) for idx in order.split(batch_size)]


def train_cifar10(data_dir=None, epochs=30, batch_size=128, lr=0.01, dropout=0.5, device="cpu", seed=0, log=print):
    """Train ``AlexNetCIFAR`` on CIFAR-10 with the functions above: the reference checkpoint.

    Inputs:
    - data_dir: folder holding ``cifar-10-batches-py/`` (default ``$DLGRADE_DATA_DIR``).
    - epochs, batch_size, lr, dropout: the training settings (SGD with momentum 0.9 and weight
      decay 0.0005, the training images shuffled every epoch).
    - device: ``"cpu"`` or ``"cuda"``; seed: int for the initial weights, the order and dropout.
    - log: called with one line of text per epoch.

    Returns ``(model, history)``: the trained model (on ``device``) and a dict of lists
    ``"train_loss"``, ``"train_accuracy"`` and ``"test_accuracy"``, one entry per epoch.
    """
    from autograder.datasets import load_cifar10

    data = load_cifar10(data_dir)
    train_images, train_labels = (torch.as_tensor(a).to(device) for a in (data.train.images, data.train.labels))
    test_images, test_labels = (torch.as_tensor(a).to(device) for a in (data.test.images, data.test.labels))
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = AlexNetCIFAR(dropout=dropout).to(device)
    optimizer = make_optimizer(model, lr=lr)
    test = tensor_batches(test_images, test_labels, 1000)
    train_eval = tensor_batches(train_images, train_labels, 1000)
    history = {"train_loss": [], "train_accuracy": [], "test_accuracy": []}
    for epoch in range(epochs):
        batches = tensor_batches(train_images, train_labels, batch_size, shuffle=True, generator=generator)
        history["train_loss"].append(train_epoch(model, batches, optimizer, device))
        history["train_accuracy"].append(evaluate(model, train_eval, device))
        history["test_accuracy"].append(evaluate(model, test, device))
        log(f"epoch {epoch + 1:3d}  loss {history['train_loss'][-1]:.4f}  "
            f"train accuracy {history['train_accuracy'][-1]:.4f}  test accuracy {history['test_accuracy'][-1]:.4f}")
    return model, history


def main(argv=None):
    """``python assignments/torch-cifar-alexnet/solution.py``: train on CIFAR-10 and save the ``state_dict``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data-dir", default=None, help="folder holding cifar-10-batches-py/ (default $DLGRADE_DATA_DIR)")
    parser.add_argument("--out", default="alexnet_cifar10.pt", help="where to save the state_dict")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args(argv)
    model, history = train_cifar10(args.data_dir, args.epochs, args.batch_size, args.lr, device=args.device, seed=args.seed)
    save_checkpoint(model, args.out)
    print(f"saved {args.out}: test accuracy {history['test_accuracy'][-1]:.4f}")


if __name__ == "__main__":
    main()
