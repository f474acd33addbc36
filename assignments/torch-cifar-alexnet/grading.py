"""torch-cifar-alexnet's grader-only helpers: what the hidden tests (and the calibration tests
beside this file) use besides the reference solution (``solution.py``), never shown to students:
CIFAR-10 batch files made from arrays, reproducible weights and images, the checks of a student's
``state_dict``, and the student's model rebuilt on the trusted side."""

import functools

import numpy as np
import torch
from torch import nn

from .solution import NUM_PARAMETERS, AlexNetCIFAR


def cifar_batch_bytes(images, labels, batch_label=b"testing batch 1 of 1"):
    """The bytes of a batch file exactly as CIFAR-10's "python version" files are written: the
    inverse of ``load_cifar_batch``, for tests and synthetic data.

    Inputs:
    - images: (N, 3, 32, 32) uint8 array (NCHW).
    - labels: (N,) integer array of class indices in [0, 10).
    - batch_label: bytes, the file's ``b"batch_label"``.

    Returns bytes: a Python 2 cPickle, protocol 2, of a dict with the keys ``batch_label``,
    ``labels`` (a list of ints), ``data`` ((N, 3072) uint8, channel-major rows, a numpy array
    pickled through ``numpy.core.multiarray._reconstruct``) and ``filenames``, whose strings are
    Python 2 byte strings, written opcode by opcode as Python 2 wrote them (Python 3's pickler
    cannot). Like the real files, it loads with ``pickle.loads(raw, encoding="bytes")`` (bytes
    keys) or ``encoding="latin1"``, and not with the default ASCII encoding.
    """
    import struct

    def string(value):  # a Python 2 str: SHORT_BINSTRING or BINSTRING
        return (b"U" + bytes([len(value)]) if len(value) < 256 else b"T" + struct.pack("<i", len(value))) + value

    def integer(value):  # BININT1, BININT2 or BININT
        if 0 <= value < 256:
            return b"K" + bytes([value])
        if 0 <= value < 65536:
            return b"M" + struct.pack("<H", value)
        return b"J" + struct.pack("<i", value)

    data = np.ascontiguousarray(np.asarray(images, dtype=np.uint8).reshape(len(images), 3 * 32 * 32))
    dtype = b"cnumpy\ndtype\n" + string(b"u1") + integer(0) + integer(1) + b"\x87R"  # dtype("u1", 0, 1)
    dtype += b"(" + integer(3) + string(b"|") + b"NNN" + integer(-1) + integer(-1) + integer(0) + b"tb"  # its state
    array = b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n" + integer(0) + b"\x85" + string(b"b") + b"\x87R"
    shape = integer(data.shape[0]) + integer(data.shape[1]) + b"\x86"
    array += b"(" + integer(1) + shape + dtype + b"\x89" + string(data.tobytes()) + b"tb"  # (1, shape, dtype, False, raw)
    items = [
        (b"batch_label", string(batch_label)),
        (b"labels", b"](" + b"".join(integer(int(v)) for v in labels) + b"e"),
        (b"data", array),
        (b"filenames", b"](" + b"".join(string(f"synthetic_{i:05d}.png".encode()) for i in range(len(data))) + b"e"),
    ]
    return b"\x80\x02}(" + b"".join(string(key) + value for key, value in items) + b"u."


def spread_weights(model, seed):
    """Draw ``model``'s weights again, from ``seed``: He initialisation (normal with std
    sqrt(2 / fan_in)) for every convolution and linear weight, N(0, 0.1^2) for every bias.

    PyTorch's default initialisation gives this network logits of about 0.01 that differ by less
    than 0.001 between classes; these give logits of order 1 with clear margins, which makes
    comparisons of predictions robust to rounding (on a GPU too). Returns ``model``.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
    return model


def random_images(rng, n):
    """``n`` images (n, 3, 32, 32), float32 in [0, 1], from the numpy Generator ``rng``: a random
    colour per image plus pixel noise (std 0.25), clipped."""
    colours = rng.uniform(0.0, 1.0, size=(n, 3, 1, 1))
    return torch.from_numpy(np.clip(colours + rng.normal(scale=0.25, size=(n, 3, 32, 32)), 0.0, 1.0).astype(np.float32))


@functools.lru_cache(maxsize=None)
def reference_shapes(num_classes=10):
    """``((name, shape), ...)`` of ``AlexNetCIFAR``'s ``state_dict``, in order: 16 tensors, the
    weight and bias of each convolution and linear layer."""
    with torch.device("meta"):  # shapes only: no memory, no random numbers drawn
        model = AlexNetCIFAR(num_classes)
    return tuple((k, tuple(v.shape)) for k, v in model.state_dict().items())


def state_dict_problem(state):
    """Why ``state`` cannot be read as an ``AlexNetCIFAR`` ``state_dict``, or None when it can.

    Inputs:
    - state: what ``model.state_dict()`` returned (or a loaded checkpoint).

    It must be a dict of tensors holding, in order, tensors of the shapes ``reference_shapes()``
    lists; their names may differ (``conv1.weight`` as well as ``features.0.weight``). Returns a
    sentence for a student, naming the first difference and, when the parameter count is off,
    the count and what sets it.
    """
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        return f"the state_dict should be a dict of tensors, got {type(state).__name__}"
    want = reference_shapes()
    got = [(k, tuple(v.shape)) for k, v in state.items()]
    count = sum(int(np.prod(shape)) for _, shape in got)
    hint = ""
    if count != NUM_PARAMETERS:
        hint = (
            f" The model has {count:,} parameters, the practical's mini-AlexNet {NUM_PARAMETERS:,}: every convolution 3x3 "
            "with padding=1 and a bias, every pooling nn.MaxPool2d(3) (32x32 -> 10x10 -> 3x3 -> 1x1), so the first "
            "fully connected layer takes 128 features."
        )
    if len(got) != len(want):
        return (
            f"the state_dict holds {len(got)} tensors; the mini-AlexNet's holds {len(want)}: the weight and bias of "
            f"5 convolutions and 3 linear layers, and nothing else (no batch norm).{hint}"
        )
    for i, ((name, shape), (ref_name, ref_shape)) in enumerate(zip(got, want)):
        if shape != ref_shape:
            return f"tensor {i + 1} of the state_dict ({name}) has shape {shape}, expected {ref_shape} ({ref_name}).{hint}"
    return None


def student_model(AlexNetCIFAR, state, note="", **kwargs):
    """The student's ``AlexNetCIFAR(**kwargs)`` (a class in the sandbox, used by the hidden tests)
    holding ``state``, a state_dict in the reference's order, loaded by position so that the
    student's layer names do not matter. Raises AssertionError naming what is wrong with the
    student's state_dict (see ``state_dict_problem``), followed by ``note``."""
    model = AlexNetCIFAR(**kwargs)
    own = model.state_dict()
    problem = state_dict_problem(own)
    assert problem is None, f"AlexNetCIFAR(): {problem}{note}"
    model.load_state_dict(dict(zip(own, state.values())))
    return model


def to_reference_names(state):
    """``state``'s tensors under ``AlexNetCIFAR``'s names, by position (for ``load_state_dict``
    into ``AlexNetCIFAR``); ``state_dict_problem(state)`` must be None."""
    return {name: value for (name, _), value in zip(reference_shapes(), state.values())}


# Training the reference checkpoint.
