"""``dlgrade data fetch``: the datasets from their public mirrors, each file checked against its
SHA-256 sum (pooch), laid out in the data directory as ``autograder.datasets`` reads it.

Sources (the same bytes as the files the project's calibration used; see each folder's
PROVENANCE.md where the data was prepared):

- ``mnist``: PyTorch's mirror of the original IDX files (the one torchvision downloads from),
  ``https://ossci-datasets.s3.amazonaws.com/mnist/``;
- ``fashion-mnist``: Zalando Research's repository, ``zalandoresearch/fashion-mnist``,
  ``data/fashion/``;
- ``shakespeare``: ``karpathy/char-rnn``'s ``data/tinyshakespeare/input.txt``;
- ``airline``: ``jbrownlee/Datasets``' ``airline-passengers.csv`` (Box & Jenkins' Series G).

CIFAR-10 (``cifar10``) is not fetched: download ``cifar-10-python.tar.gz`` from
https://www.cs.toronto.edu/~kriz/cifar.html and unpack it into the data directory.

A mirror of a whole data directory (``--mirror URL``, or ``$DLGRADE_DATA_MIRROR``) replaces
every source: a file is then fetched from ``URL/<its path in the data directory>``, with the
same checksums.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from autograder.console import Line

MIRROR_ENV = "DLGRADE_DATA_MIRROR"
"""Environment variable naming a mirror of the whole data directory (``--mirror``)."""

GITHUB_RAW = "https://raw.githubusercontent.com"
SOURCES: dict[str, tuple[str, dict[str, str]]] = {
    "mnist": ("https://ossci-datasets.s3.amazonaws.com/mnist/", {
        "mnist/train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "mnist/train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "mnist/t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "mnist/t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }),
    "fashion-mnist": (f"{GITHUB_RAW}/zalandoresearch/fashion-mnist/master/data/fashion/", {
        "fashion-mnist/train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "fashion-mnist/train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "fashion-mnist/t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "fashion-mnist/t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    }),
    "shakespeare": (f"{GITHUB_RAW}/karpathy/char-rnn/master/data/tinyshakespeare/", {
        "tinyshakespeare/input.txt": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    }),
    "airline": (f"{GITHUB_RAW}/jbrownlee/Datasets/master/", {
        "airline-passengers/airline-passengers.csv": "8cb51be753a718d9be5d76d7e238cc224792754676adc21faa59e954b0201621",
    }),
}
"""Dataset -> (the source's base URL, {path in the data directory: SHA-256}). A file's URL is the
base URL and the file's name."""

FETCHABLE = tuple(SOURCES)


class FetchError(Exception):
    """A file could not be downloaded, or its bytes do not match its checksum; ``str()`` says
    which and from where."""


def fetch(
    names: Iterable[str], to: Path, mirror: str | None = None, notify: Callable[[Line], None] = lambda line: None
) -> list[Path]:
    """Download the files of the datasets ``names`` (keys of ``SOURCES``; all when empty) into
    the data directory ``to``, skipping those already there with the right checksum; a file with
    another checksum is downloaded again. ``mirror``: the base URL of a copy of a whole data
    directory, used instead of the sources. ``notify`` gets a line per file.

    Returns the paths of the files. Raises KeyError for an unknown name, FetchError when a
    download fails or its checksum does not match (nothing is left under the file's name then).
    """
    import pooch
    import requests

    names = list(names) or list(FETCHABLE)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise KeyError(f"unknown dataset {', '.join(map(repr, unknown))}; fetchable: {', '.join(FETCHABLE)}")
    files = {path: sha for name in names for path, sha in SOURCES[name][1].items()}
    urls = {path: SOURCES[name][0] + path.rsplit("/", 1)[-1] for name in names for path in SOURCES[name][1]}
    pooch.get_logger().setLevel("WARNING")
    store = pooch.create(
        path=Path(to), base_url=mirror.rstrip("/") + "/" if mirror else "",
        registry={path: f"sha256:{sha}" for path, sha in files.items()}, urls={} if mirror else urls,
    )

    fetched = []
    for path in files:
        actions = []
        try:
            fetched.append(Path(store.fetch(path, processor=lambda fname, action, _: actions.append(action) or fname)))
        except (requests.RequestException, ValueError, OSError) as exc:
            raise FetchError(f"{path} from {store.get_url(path)}: {exc}") from None
        notify(Line(f"{'already there' if actions == ['fetch'] else 'downloaded'}: {path}"))
    return fetched
