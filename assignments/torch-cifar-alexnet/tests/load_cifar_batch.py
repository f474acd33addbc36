import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "load_cifar_batch"


def random_batch(rng):
    """Random images (N, 3, 32, 32) uint8 and labels (N,) int64, and the bytes of a batch file
    holding them in CIFAR-10's "python version" format (written here, never by a student)."""
    from assignment.grading import cifar_batch_bytes

    n = int(rng.integers(5, 20))
    images = rng.integers(0, 256, size=(n, 3, 32, 32)).astype(np.uint8)
    labels = rng.integers(0, 10, size=n).astype(np.int64)
    return images, labels, cifar_batch_bytes(images, labels, batch_label=b"training batch 3 of 5")


def loaded(load_cifar_batch, raw):
    """The student's (images, labels) for the batch file ``raw``, checked to be two arrays."""
    result = load_cifar_batch(raw)
    assert isinstance(result, tuple) and len(result) == 2, "load_cifar_batch should return a tuple (images, labels)"
    images, labels = result
    assert isinstance(images, np.ndarray) and isinstance(labels, np.ndarray), (
        f"images and labels should be numpy arrays, got {type(images).__name__} and {type(labels).__name__}"
    )
    return images, labels


@test_case(points=1, hidden=False)
def test_shapes_dtypes_and_first_green_value(load_cifar_batch, np):
    import pickle

    data = (np.arange(2 * 3072) % 251).astype(np.uint8).reshape(2, 3072)
    batch = {b"batch_label": b"testing batch 1 of 1", b"labels": [3, 7], b"data": data, b"filenames": [b"a.png", b"b.png"]}
    images, labels = load_cifar_batch(pickle.dumps(batch, protocol=2))
    assert images.shape == (2, 3, 32, 32) and images.dtype == np.uint8, "images should be (N, 3, 32, 32) uint8"
    assert labels.shape == (2,) and labels.dtype == np.int64 and labels.tolist() == [3, 7], "labels should be (N,) int64"
    assert images[1, 1, 0, 0] == data[1, 1024], "the green channel of an image starts at value 1024 of its row"


@test_case(points=1, hidden=True)
def test_shapes_and_dtypes(load_cifar_batch, rng):
    images, labels, raw = random_batch(rng)
    n = len(labels)
    got_images, got_labels = loaded(load_cifar_batch, raw)
    assert got_images.shape == (n, 3, 32, 32), (
        f"for a batch of {n} images, images has shape {got_images.shape}, expected ({n}, 3, 32, 32): NCHW, "
        "image, channel, row, column"
    )
    assert got_images.dtype == np.uint8, f"images should keep the file's dtype uint8 (0..255), got {got_images.dtype}"
    assert got_labels.shape == (n,), (
        f'for a batch of {n} images, labels has shape {got_labels.shape}, expected ({n},): take them from the batch\'s b"labels" list'
    )
    assert got_labels.dtype == np.int64, f"labels should be int64, got {got_labels.dtype}"


@test_case(points=2, hidden=True)
def test_pixels_are_channel_major(load_cifar_batch, rng):
    images, labels, raw = random_batch(rng)
    got_images, _ = loaded(load_cifar_batch, raw)
    assert got_images.shape == images.shape, f"images has shape {got_images.shape}, expected {images.shape}"
    assert np.array_equal(got_images, images), (
        'images[i, c, h, w] should be row i of b"data" at c * 1024 + h * 32 + w: each row is channel-major (all 1024 '
        "red values, then the green, then the blue, each 32x32 row by row), so reshape it to (N, 3, 32, 32) directly, "
        "not through (N, 32, 32, 3)"
    )


@test_case(points=1, hidden=True)
def test_labels_in_file_order(load_cifar_batch, rng):
    images, labels, raw = random_batch(rng)
    _, got_labels = loaded(load_cifar_batch, raw)
    assert got_labels.shape == labels.shape and np.array_equal(got_labels, labels), (
        f'labels should be the batch\'s b"labels" list, in file order, as an int64 array of shape {labels.shape} '
        f"(got shape {got_labels.shape})"
    )
