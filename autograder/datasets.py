"""Dataset loaders, numpy and the standard library only (no torchvision).

Each dataset is read from its original files under ``<data_dir>`` (default
``$DLGRADE_DATA_DIR``), laid out as in ``DATASET_FILES``:

- ``mnist``: the four original IDX gz files (LeCun, Cortes, Burges);
- ``shakespeare``: char-rnn's Tiny Shakespeare ``input.txt`` (Karpathy);
- ``airline``: the monthly airline-passengers series (Box & Jenkins' Series G) as a CSV;
- ``cifar10``: the CIFAR-10 "python version" batches (Krizhevsky), unpickled here because
  they are the grader's own trusted files.

Hidden tests ask for them by these names (``data = ["mnist"]`` in ``assignment.toml``).
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
"""File names of the original MNIST distribution."""

CIFAR10_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)

DATASET_FILES = {
    "mnist": tuple(f"mnist/{name}" for name in MNIST_FILES.values()),
    "shakespeare": ("tinyshakespeare/input.txt",),
    "airline": ("airline-passengers/airline-passengers.csv",),
    "cifar10": tuple(f"cifar-10-batches-py/{name}" for name in CIFAR10_BATCHES),
}
"""Files each dataset needs, relative to the data directory."""

DATASET_TITLES = {
    "mnist": "MNIST",
    "shakespeare": "Tiny Shakespeare",
    "airline": "airline passengers",
    "cifar10": "CIFAR-10",
}
"""How messages name each dataset of ``DATASET_FILES``."""

IDX_IMAGES_MAGIC = 2051
IDX_LABELS_MAGIC = 2049


@dataclass(frozen=True)
class Split:
    """A labelled image classification split.

    - images: (N, 784) float32 in [0, 1], each row a 28x28 image flattened row-major.
    - labels: (N,) int64 class indices in [0, 10).
    - labels_secret: whether students must not learn these labels (every dataset's test split:
      its labels never enter the sandbox, and ``autograder.testing.show_confusion_matrix``
      draws no picture of them). Training labels are the student's to train on.
    """

    images: np.ndarray
    labels: np.ndarray
    labels_secret: bool = False


@dataclass(frozen=True)
class ImageDataset:
    """Train and test splits of a 10-class image dataset, and where they came from.

    MNIST's images are (N, 784); CIFAR-10's are (N, 3, 32, 32) (NCHW).
    """

    train: Split
    test: Split
    source: str


def default_data_dir() -> Path | None:
    """The directory named by ``$DLGRADE_DATA_DIR``, or None when it is unset."""
    value = os.environ.get("DLGRADE_DATA_DIR")
    return Path(value) if value else None


def read_idx(path: Path) -> np.ndarray:
    """Read a gzipped IDX file (the MNIST container format) into a uint8 array.

    Images (magic 2051) come back as (N, rows, cols), labels (magic 2049) as (N,).

    Raises ValueError for an unknown magic number or a truncated file.
    """
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic == IDX_IMAGES_MAGIC:
        n, rows, cols = (int.from_bytes(data[4 * i : 4 * i + 4], "big") for i in (1, 2, 3))
        shape, offset = (n, rows, cols), 16
    elif magic == IDX_LABELS_MAGIC:
        shape, offset = (int.from_bytes(data[4:8], "big"),), 8
    else:
        raise ValueError(f"{path}: not an IDX image or label file (magic {magic})")
    expected = offset + int(np.prod(shape))
    if len(data) != expected:
        raise ValueError(f"{path}: expected {expected} bytes after decompression, found {len(data)}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def missing_files(dataset: str, data_dir: Path | str | None = None) -> list[str]:
    """The files of ``dataset`` (a key of ``DATASET_FILES``) absent from ``data_dir``,
    relative to it; all of them when there is no data directory.

    Raises KeyError for an unknown dataset name.
    """
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    files = DATASET_FILES[dataset]
    return [f for f in files if data_dir is None or not (data_dir / f).is_file()]


class DataError(Exception):
    """A dataset an assignment declares is unknown, or its files are not in the data directory;
    ``str()`` says which and how to provide them."""


def check_data(datasets: list[str], data_dir: Path | str | None) -> None:
    """Check that every dataset in ``datasets`` (an assignment's ``data``) is known and has all
    its files in ``data_dir`` (default ``$DLGRADE_DATA_DIR``). Raises DataError otherwise."""
    for name in datasets:
        if name not in DATASET_FILES:
            raise DataError(f"unknown dataset {name!r}; known: {', '.join(DATASET_FILES)}")
        missing = missing_files(name, data_dir)
        if missing:
            raise DataError(
                f"the hidden tests need {DATASET_TITLES[name]}: pass --data-dir (or set DLGRADE_DATA_DIR) to a folder holding "
                + ", ".join(missing) + " (dlgrade data fetch downloads them)"
            )


def mnist_available(data_dir: Path | str | None = None) -> bool:
    """Whether all four MNIST files are present under ``<data_dir>/mnist``."""
    return not missing_files("mnist", data_dir)


def _require(dataset: str, data_dir: Path | str | None) -> Path:
    """The data directory, after checking every file of ``dataset`` is there.

    Raises FileNotFoundError naming the missing files.
    """
    missing = missing_files(dataset, data_dir)
    if missing:
        where = data_dir or default_data_dir() or "no data directory (pass data_dir or set DLGRADE_DATA_DIR)"
        raise FileNotFoundError(f"{DATASET_TITLES[dataset]} files missing from {where}: {', '.join(missing)}")
    return Path(data_dir) if data_dir else default_data_dir()


def load_mnist(data_dir: Path | str | None = None) -> ImageDataset:
    """Load MNIST (60,000 train / 10,000 test) from ``<data_dir>/mnist``.

    Returns an ImageDataset with images (N, 784) float32 scaled to [0, 1] and labels (N,) int64.

    Raises FileNotFoundError naming the missing files when the data is not there.
    """
    folder = _require("mnist", data_dir) / "mnist"
    arrays = {key: read_idx(folder / name) for key, name in MNIST_FILES.items()}

    def split(images: np.ndarray, labels: np.ndarray, secret: bool) -> Split:
        return Split(images.reshape(len(images), -1).astype(np.float32) / 255.0, labels.astype(np.int64), secret)

    return ImageDataset(
        train=split(arrays["train_images"], arrays["train_labels"], secret=False),
        test=split(arrays["test_images"], arrays["test_labels"], secret=True),
        source=f"MNIST from {folder}",
    )


def load_tiny_shakespeare(data_dir: Path | str | None = None) -> str:
    """Tiny Shakespeare, char-rnn's ``input.txt``: 1,115,394 characters, a 65-character vocabulary.

    Raises FileNotFoundError when the file is not there.
    """
    return (_require("shakespeare", data_dir) / DATASET_FILES["shakespeare"][0]).read_text(encoding="utf-8")


def load_airline_passengers(data_dir: Path | str | None = None) -> np.ndarray:
    """International airline passengers, monthly totals in thousands, Jan 1949 - Dec 1960.

    Returns (144,) float64, in month order. Raises FileNotFoundError when the CSV is not there.
    """
    path = _require("airline", data_dir) / DATASET_FILES["airline"][0]
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=1, dtype=np.float64)


def load_cifar10(data_dir: Path | str | None = None) -> ImageDataset:
    """CIFAR-10 from the "python version" batches in ``<data_dir>/cifar-10-batches-py``.

    Returns an ImageDataset with images (N, 3, 32, 32) float32 in [0, 1] (NCHW; 50,000 train,
    10,000 test) and labels (N,) int64 in [0, 10). Each batch is a pickled dict with
    ``b"data"`` (N, 3072) uint8, channel-major rows, and ``b"labels"`` (Krizhevsky's format).
    These are the grader's own files, never anything a student produced, so unpickling them
    is safe.

    Raises FileNotFoundError when a batch is missing, ValueError when one is malformed.
    """
    import pickle

    folder = _require("cifar10", data_dir) / "cifar-10-batches-py"

    def read(names, secret: bool) -> Split:
        images, labels = [], []
        for name in names:
            with open(folder / name, "rb") as f:
                batch = pickle.load(f, encoding="bytes")
            data = np.asarray(batch[b"data"], dtype=np.uint8)
            if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(batch[b"labels"]) != len(data):
                raise ValueError(f"{folder / name}: not a CIFAR-10 batch (data of shape {data.shape})")
            images.append(data.reshape(-1, 3, 32, 32))
            labels.append(np.asarray(batch[b"labels"], dtype=np.int64))
        return Split(np.concatenate(images).astype(np.float32) / 255.0, np.concatenate(labels), secret)

    return ImageDataset(
        train=read(CIFAR10_BATCHES[:-1], secret=False), test=read(CIFAR10_BATCHES[-1:], secret=True),
        source=f"CIFAR-10 from {folder}",
    )


LOADERS = {
    "mnist": load_mnist,
    "shakespeare": load_tiny_shakespeare,
    "airline": load_airline_passengers,
    "cifar10": load_cifar10,
}
"""The loader of each dataset in ``DATASET_FILES``, taking ``data_dir``."""


def load_digits_as_mnist(test_fraction: float = 0.25, seed: int = 0) -> ImageDataset:
    """scikit-learn's 8x8 handwritten digits (1,797 images, UCI), resized to MNIST's layout.

    A small real dataset that ships inside a registry package, for when MNIST is not on disk.
    Each 8x8 image (values 0..16) is upsampled bilinearly to 28x28 and scaled to [0, 1], so the
    MNIST contract holds: images (N, 784) float32 in [0, 1], labels (N,) int64.

    - test_fraction: fraction (not percent) of images held out, stratified by nothing, shuffled with ``seed``.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images8 = digits.images.astype(np.float32) / 16.0
    coords = np.linspace(0, 7, 28)
    lo = np.floor(coords).astype(int)
    hi = np.minimum(lo + 1, 7)
    frac = (coords - lo).astype(np.float32)
    rows = images8[:, lo, :] * (1 - frac)[None, :, None] + images8[:, hi, :] * frac[None, :, None]
    images28 = rows[:, :, lo] * (1 - frac)[None, None, :] + rows[:, :, hi] * frac[None, None, :]
    images = images28.reshape(len(images28), 784).astype(np.float32)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(test_fraction * len(images)))
    test, train = order[:n_test], order[n_test:]
    return ImageDataset(
        train=Split(images[train], labels[train]),
        test=Split(images[test], labels[test], labels_secret=True),
        source="scikit-learn 8x8 digits upsampled to 28x28 (MNIST not found)",
    )


def one_hot(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """One-hot encode class indices.

    - labels: (N,) integer class indices in [0, num_classes).

    Returns (N, num_classes) float32 with a single 1 per row.
    """
    out = np.zeros((len(labels), num_classes), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1.0
    return out
