"""The dataset loaders (``autograder.datasets``) against the published files and their formats."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from autograder.datasets import load_airline_passengers, load_cifar10, load_digits_as_mnist, load_mnist, load_tiny_shakespeare, read_idx


def test_mnist_loader_reads_the_real_files(mnist_dir):
    data = load_mnist(mnist_dir)
    assert data.train.images.shape == (60000, 784) and data.test.images.shape == (10000, 784)
    assert data.train.images.dtype == np.float32 and 0 <= data.train.images.min() and data.train.images.max() <= 1
    assert data.train.labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(data.test.labels).sum() == 10000


def test_idx_reader_rejects_wrong_magic_and_truncation(tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress((1234).to_bytes(4, "big") + bytes(10)))
    with pytest.raises(ValueError, match="magic"):
        read_idx(bad)
    short = tmp_path / "short.gz"
    short.write_bytes(gzip.compress((2049).to_bytes(4, "big") + (5).to_bytes(4, "big") + bytes(3)))
    with pytest.raises(ValueError, match="expected 13 bytes"):
        read_idx(short)


def test_load_mnist_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        load_mnist(tmp_path)


def test_text_and_series_datasets_are_the_published_files():
    from conftest import data_dir

    folder = data_dir()
    if folder is None or not (folder / "tinyshakespeare").is_dir():
        pytest.skip("the shared data folder is not here: set DLGRADE_DATA_DIR")
    text = load_tiny_shakespeare(folder)
    assert len(text) == 1115394 and len(set(text)) == 65 and text.startswith("First Citizen:")
    series = load_airline_passengers(folder)
    assert series.shape == (144,) and series[0] == 112 and series[-1] == 432 and series.sum() == 40363


def test_cifar10_loader_reads_the_python_batch_format(tmp_path):
    import pickle

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(4, 3072), dtype=np.uint8)
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": data, b"labels": [int(v) for v in rng.integers(0, 10, 4)], b"batch_label": name.encode()}, f)
    cifar = load_cifar10(tmp_path)
    assert cifar.train.images.shape == (20, 3, 32, 32) and cifar.test.images.shape == (4, 3, 32, 32)
    assert cifar.test.images[0, 1, 0, 0] == np.float32(data[0, 1024]) / 255  # channel-major rows: green starts at 1024
    (folder / "test_batch").unlink()
    with pytest.raises(FileNotFoundError, match="cifar-10-batches-py/test_batch"):
        load_cifar10(tmp_path)


def test_digits_stand_in_follows_the_mnist_contract():
    data = load_digits_as_mnist()
    assert data.train.images.shape[1] == 784 and data.test.images.shape[1] == 784
    assert len(data.train.images) + len(data.test.images) == 1797
    assert 0 <= data.train.images.min() and data.train.images.max() <= 1


# ------------------------------------------------------------------------------ dlgrade data fetch


@pytest.fixture
def serve():
    """serve(folder) -> (base URL of an HTTP server on 127.0.0.1 serving ``folder``, the list of
    paths it was asked for). Never the internet."""
    import functools
    import http.server
    import threading

    servers = []

    def start(folder):
        requested = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                requested.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/", requested

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def shared_data():
    from conftest import data_dir

    folder = data_dir()
    if folder is None or not all((folder / d).is_dir() for d in ("mnist", "fashion-mnist", "tinyshakespeare", "airline-passengers")):
        pytest.skip("the shared data folder is not here: set DLGRADE_DATA_DIR")
    return folder


def test_every_fetchable_dataset_fills_what_the_loaders_read():
    from autograder.data_fetch import SOURCES
    from autograder.datasets import DATASET_FILES

    for name, (_, files) in SOURCES.items():
        if name in DATASET_FILES:
            assert set(files) == set(DATASET_FILES[name]), name
    assert set(DATASET_FILES) - set(SOURCES) == {"cifar10"}  # documented: not fetched


def test_data_fetch_downloads_checks_and_keeps(tmp_path, serve):
    from click.testing import CliRunner

    from autograder.cli import main
    from autograder.data_fetch import SOURCES
    from autograder.datasets import check_data

    folder = shared_data()
    url, requested = serve(folder)
    to = tmp_path / "data"
    run = CliRunner().invoke(main, ["data", "fetch", "--to", str(to), "--mirror", url])
    assert run.exit_code == 0, run.output
    files = [path for _, paths in SOURCES.values() for path in paths]
    assert sorted(requested) == sorted("/" + path for path in files)
    for path in files:
        assert (to / path).read_bytes() == (folder / path).read_bytes()
        assert f"downloaded: {path}" in run.output
    check_data(["mnist", "shakespeare", "airline"], to)
    assert load_tiny_shakespeare(to).startswith("First Citizen:")

    requested.clear()
    again = CliRunner().invoke(main, ["data", "fetch", "airline", "--to", str(to)], env={"DLGRADE_DATA_MIRROR": url})
    assert again.exit_code == 0 and "already there: airline-passengers/airline-passengers.csv" in again.output
    assert requested == []


def test_data_fetch_refuses_bytes_that_do_not_match_the_checksum(tmp_path, serve):
    from click.testing import CliRunner

    from autograder.cli import main
    from autograder.data_fetch import FetchError, fetch

    mirror = tmp_path / "mirror" / "airline-passengers"
    mirror.mkdir(parents=True)
    (mirror / "airline-passengers.csv").write_text('"Month","Passengers"\n"1949-01",999\n')
    url, _ = serve(tmp_path / "mirror")
    to = tmp_path / "data"
    with pytest.raises(FetchError, match="airline-passengers.csv from http://127.0.0.1.*hash"):
        fetch(["airline"], to, url)
    assert not (to / "airline-passengers" / "airline-passengers.csv").exists()
    run = CliRunner().invoke(main, ["data", "fetch", "shakespeare", "--to", str(to), "--mirror", url])
    assert run.exit_code != 0 and "tinyshakespeare/input.txt from " in run.output and "404" in run.output


def test_check_data_names_what_is_missing_and_how_to_get_it(tmp_path):
    from autograder.datasets import DataError, check_data

    with pytest.raises(DataError, match="unknown dataset 'imagenet'"):
        check_data(["imagenet"], tmp_path)
    with pytest.raises(DataError, match=r"Tiny Shakespeare.*tinyshakespeare/input.txt.*dlgrade data fetch"):
        check_data(["shakespeare"], tmp_path)
    check_data([], tmp_path)
