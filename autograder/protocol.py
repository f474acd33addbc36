"""The data-only message protocol between the sandbox and the trusted grader.

Both sides import this module; it depends on the standard library and numpy only.

A message on the wire is one frame: an 8-byte big-endian length, then the payload. The
payload is a 4-byte big-endian header length, a UTF-8 JSON header, then the raw ``.npy``
bytes of every array the header refers to, each preceded by its 8-byte length.

Values are encoded as JSON trees of tagged nodes:

- ``None``, bools, ints, floats (NaN/inf allowed) and strings travel as themselves, ``...``
  (Otter's placeholder for an answer not yet written) as ``{"t": "ellipsis"}``;
- ``{"t": "list" | "tuple", "v": [...]}`` and ``{"t": "dict", "v": [[key, value], ...]}``;
- ``{"t": "array", "i": k}`` and ``{"t": "scalar", "i": k}`` refer to the k-th array blob
  (numeric dtypes only; a scalar is a 0-d array that decodes to a numpy scalar);
- ``{"t": "tensor", "i": k}``: a torch tensor, sent as the array blob of its detached CPU copy
  (bfloat16 and float16 widened to float32); it decodes to a CPU ``torch.Tensor`` over that
  array, or to the array itself where torch is not installed. An ``OrderedDict`` (a
  ``state_dict()``) travels as a dict and a ``torch.Size`` as a tuple;
- ``{"t": "bytes", "i": k}``: a ``bytes`` value, sent as the k-th blob's uint8 array;
- ``{"t": "handle", "id": n, "type": "ClassName"}`` names an object that stays in the sandbox;
- ``{"t": "set" | "frozenset", "v": [...]}`` (hashable items only), ``{"t": "range", "v":
  [start, stop, step]}``, ``{"t": "complex", "v": [real, imag]}`` and ``{"t": "textarray", "i":
  k}``, a numpy array of strings, datetimes or timedeltas (``TEXT_TIME_KINDS``);
- ``{"t": "dataframe" | "series", "i": k}``: a pandas DataFrame or Series as the k-th blob, an
  Arrow IPC stream in a uint8 array (``autograder.frames``; read without pickle, flat column
  types only, cells bounded by ``max_array_elements``).

``decode`` is the trusted side's reader. It builds only builtin containers, numbers, strings
and numpy arrays (``np.load(..., allow_pickle=False)``), and enforces ``MessageLimits``; anything
malformed raises ``ProtocolError``. Nothing the sandbox produced is ever unpickled or evaluated.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

NUMERIC_KINDS = "biufc"
"""numpy dtype kinds allowed across the boundary: bool, signed, unsigned, float, complex."""
TEXT_TIME_KINDS = "UMm"
"""Further numpy dtype kinds, under their own tag ``textarray``: unicode strings, datetime64,
timedelta64 (fixed-size, saved and loaded by ``np.save`` / ``np.load`` without pickle)."""


class ProtocolError(Exception):
    """A message that is malformed, too large, or not data."""


class Handle:
    """Trusted-side stand-in for an object that stays in the sandbox.

    Attributes: ``id`` (int, the sandbox's key for it) and ``type_name`` (str, its class name).
    It compares equal only to itself, so a student object with a rigged ``__eq__`` never
    reaches a comparison on the trusted side.
    """

    __slots__ = ("id", "type_name")

    def __init__(self, id: int, type_name: str):
        self.id = id
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<sandbox object of type {self.type_name}>"


@dataclass(frozen=True)
class MessageLimits:
    """Bounds on what the trusted side accepts from the sandbox.

    - max_message_bytes: size of one frame, bytes.
    - max_array_elements: elements in one array.
    - max_depth: nesting depth of containers.
    - max_string_chars: characters in one string.
    - max_items: container items and arrays in one message, counted together.
    - max_header_bytes: size of the JSON header, bytes (array data travels outside it),
      checked before it is parsed.

    The JSON values in a header are counted before ``json.loads`` runs (``JSON_VALUES_PER_ITEM``
    per item at most), so parsing never builds more than ``6 * max_items + 1`` objects: see
    ``decode`` for the memory bound this gives.
    """

    max_message_bytes: int = 512 * 2**20
    max_array_elements: int = 50_000_000
    max_depth: int = 32
    max_string_chars: int = 1_000_000
    max_items: int = 100_000
    max_header_bytes: int = 16 * 2**20


DEFAULT_MESSAGE_LIMITS = MessageLimits()

MAX_ERROR_CHARS = 4000
"""Characters kept of an error's type, message and traceback for feedback: the worker cuts
what it sends, and the trusted side cuts again what it receives (the sandbox may send
anything) and the failure text it writes itself."""


# ----------------------------------------------------------------------------- framing


def write_frame(fd: int, payload: bytes, write=os.write) -> None:
    """Write one length-prefixed frame to a file descriptor, all bytes.

    ``write(fd, data) -> bytes written`` defaults to a blocking ``os.write``.
    """
    view = memoryview(len(payload).to_bytes(8, "big") + payload)
    while view:
        written = write(fd, view)
        view = view[written:]


def read_exact(fd: int, n: int) -> bytes:
    """Read exactly n bytes from fd. Raises EOFError if the stream ends first."""
    chunks, remaining = [], n
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("stream closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, max_bytes: int = DEFAULT_MESSAGE_LIMITS.max_message_bytes, read=read_exact) -> bytes:
    """Read one frame. Raises ProtocolError if it announces more than ``max_bytes``."""
    size = int.from_bytes(read(fd, 8), "big")
    if size > max_bytes:
        raise ProtocolError(f"message of {size} bytes exceeds the limit of {max_bytes} bytes")
    return read(fd, size)


# ----------------------------------------------------------------------------- encoding


def encode(value: Any, make_handle: Callable[[Any], dict] | None = None) -> bytes:
    """Encode a value as a payload.

    ``make_handle(obj) -> {"t": "handle", ...}`` is called for anything that is not data;
    without it such a value raises TypeError. torch tensors travel as arrays (detached, on CPU).
    """
    torch = sys.modules.get("torch")  # never imported here: a tensor implies torch is loaded
    torch_types = (torch.Tensor, torch.nn.Parameter) if torch is not None else ()
    blobs: list[bytes] = []

    def add_blob(arr: np.ndarray) -> int:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        blobs.append(buf.getvalue())
        return len(blobs) - 1

    def enc(v: Any) -> Any:
        if v is None or type(v) in (bool, int, str):
            return v
        if v is Ellipsis:
            return {"t": "ellipsis"}
        if type(v) is bytes:
            return {"t": "bytes", "i": add_blob(np.frombuffer(v, dtype=np.uint8))}
        if type(v) is float:
            return v if math.isfinite(v) else {"t": "float", "v": repr(v)}
        if type(v) in (list, tuple):
            return {"t": type(v).__name__, "v": [enc(x) for x in v]}
        if torch is not None and type(v) is torch.Size:
            return {"t": "tuple", "v": [enc(x) for x in v]}
        if type(v) in (dict, OrderedDict):
            return {"t": "dict", "v": [[enc(k), enc(x)] for k, x in v.items()]}
        if type(v) is np.ndarray and v.dtype.kind in NUMERIC_KINDS:
            return {"t": "array", "i": add_blob(v)}
        if isinstance(v, np.generic) and type(v).__module__ == "numpy" and v.dtype.kind in NUMERIC_KINDS:
            return {"t": "scalar", "i": add_blob(np.asarray(v))}
        if type(v) is Handle:
            return {"t": "handle", "id": v.id, "type": v.type_name}
        if type(v) in (set, frozenset):
            return {"t": type(v).__name__, "v": [enc(x) for x in v]}
        if type(v) is range:
            return {"t": "range", "v": [v.start, v.stop, v.step]}
        if type(v) is complex:
            return {"t": "complex", "v": [enc(v.real), enc(v.imag)]}
        if type(v) is np.ndarray and v.dtype.kind in TEXT_TIME_KINDS:
            return {"t": "textarray", "i": add_blob(v)}
        if type(v) in torch_types:
            tensor = v.detach().cpu().resolve_conj().resolve_neg()
            if tensor.dtype.is_floating_point and tensor.element_size() < 4:  # bfloat16 has no numpy dtype
                tensor = tensor.float()
            return {"t": "tensor", "i": add_blob(tensor.numpy())}
        if "pandas" in sys.modules and type(v).__module__.startswith("pandas"):
            node = _frame_node(v, add_blob)
            if node is not None:
                return node
        if make_handle is None:
            raise TypeError(f"cannot send a {type(v).__name__} as data")
        return make_handle(v)

    header = json.dumps(enc(value)).encode()
    parts = [len(header).to_bytes(4, "big"), header]
    for blob in blobs:
        parts += [len(blob).to_bytes(8, "big"), blob]
    return b"".join(parts)


# ----------------------------------------------------------------------------- decoding


def decode(payload: bytes, limits: MessageLimits = DEFAULT_MESSAGE_LIMITS, allow_handles: bool = True) -> Any:
    """Decode a payload into builtin values, numpy arrays/scalars and ``Handle`` objects.

    Memory: decoding a payload of B bytes allocates at most 4 × B + 64 MiB with the default
    limits (tested in ``tests/redteam/test_boundary_round2.py``, measured by
    ``benchmarks/trusted_memory.py``): the header is refused above ``max_header_bytes`` and
    above ``6 * max_items + 1`` JSON values before it is parsed, so parsing builds at most
    600,001 objects (the worst case, short strings, costs about 40 MiB); text takes at most 4
    bytes per header byte (UCS-4); array data is copied about twice.

    Raises ProtocolError for anything malformed or over ``limits``.
    """
    try:
        header, header_len = _parse_header(payload, limits)
        blobs = _split_blobs(payload, 4 + header_len, limits)
    except ProtocolError:
        raise
    except Exception as exc:  # malformed JSON, bad UTF-8, truncated blob table
        raise ProtocolError(f"malformed message: {type(exc).__name__}: {exc}") from None

    counter = [0]
    arrays: dict[int, np.ndarray] = {}

    def array(i: Any, kinds: str = NUMERIC_KINDS) -> np.ndarray:
        if type(i) is not int or not 0 <= i < len(blobs):
            raise ProtocolError("array reference out of range")
        if i not in arrays:
            try:
                arr = np.load(io.BytesIO(blobs[i]), allow_pickle=False)
            except Exception as exc:
                raise ProtocolError(f"invalid array data: {exc}") from None
            if arr.dtype.kind not in kinds:
                raise ProtocolError(f"arrays of dtype {arr.dtype} are not accepted")
            if arr.size > limits.max_array_elements:
                raise ProtocolError(f"array of {arr.size} elements exceeds the limit of {limits.max_array_elements}")
            arrays[i] = arr if arr.flags.writeable else arr.copy()
        return arrays[i]

    def dec(node: Any, depth: int) -> Any:
        counter[0] += 1
        if counter[0] > limits.max_items:
            raise ProtocolError(f"message holds more than {limits.max_items} items")
        if depth > limits.max_depth:
            raise ProtocolError(f"nesting deeper than {limits.max_depth}")
        if node is None or type(node) in (bool, int, float):
            return node
        if type(node) is str:
            if len(node) > limits.max_string_chars:
                raise ProtocolError(f"string of {len(node)} characters exceeds the limit")
            return node
        if type(node) is not dict:
            raise ProtocolError("untagged container in message")
        tag = node.get("t")
        if tag in ("list", "tuple") and type(node.get("v")) is list:
            items = [dec(x, depth + 1) for x in node["v"]]
            return items if tag == "list" else tuple(items)
        if tag == "dict" and type(node.get("v")) is list:
            out = {}
            for pair in node["v"]:
                if type(pair) is not list or len(pair) != 2:
                    raise ProtocolError("malformed dict item")
                key = dec(pair[0], depth + 1)
                if key is not None and type(key) not in (bool, int, float, str, tuple):
                    raise ProtocolError("unhashable dict key")
                out[key] = dec(pair[1], depth + 1)
            return out
        if tag == "ellipsis":
            return ...
        if tag == "float" and node.get("v") in ("nan", "inf", "-inf"):
            return float(node["v"])
        if tag == "array":
            return array(node.get("i"))
        if tag == "bytes":
            arr = array(node.get("i"))
            if arr.dtype != np.uint8 or arr.ndim != 1:
                raise ProtocolError("bytes must travel as a 1-d uint8 array")
            return arr.tobytes()
        if tag == "tensor":
            return _as_tensor(array(node.get("i")))
        if tag == "scalar":
            arr = array(node.get("i"))
            if arr.ndim != 0:
                raise ProtocolError("scalar with a shape")
            return arr[()]
        if tag in ("set", "frozenset") and type(node.get("v")) is list:
            items = [dec(x, depth + 1) for x in node["v"]]
            if not all(_hashable_data(x) for x in items):
                raise ProtocolError("unhashable set item")
            return set(items) if tag == "set" else frozenset(items)
        if tag == "range" and type(node.get("v")) is list and len(node["v"]) == 3 and all(type(x) is int for x in node["v"]):
            try:
                return range(*node["v"])
            except ValueError:
                raise ProtocolError("range with step 0") from None
        if tag == "complex" and type(node.get("v")) is list and len(node["v"]) == 2:
            real, imag = (dec(x, depth + 1) for x in node["v"])
            if type(real) is not float or type(imag) is not float:
                raise ProtocolError("complex parts must be floats")
            return complex(real, imag)
        if tag == "textarray":
            return array(node.get("i"), TEXT_TIME_KINDS)
        if tag in ("dataframe", "series"):
            return _frame(array(node.get("i")), tag, node, limits)
        if tag == "handle" and allow_handles and type(node.get("id")) is int:
            return Handle(node["id"], str(node.get("type", "object"))[:200])
        raise ProtocolError(f"unknown node {str(tag)[:50]!r}")

    return dec(header, 0)


def _frame_node(value: Any, add_blob: Callable[[np.ndarray], int]) -> dict | None:
    """A pandas DataFrame/Series as an Arrow IPC blob node (``autograder.frames``), or None when
    it is not one or Arrow cannot type its columns (it then travels as a handle)."""
    from autograder.frames import frame_tag, frame_to_ipc

    tag = frame_tag(value)
    if tag is None:
        return None
    try:
        data, extra = frame_to_ipc(value)
    except Exception:  # no pyarrow here, or columns of mixed Python objects
        return None
    return {"t": tag, "i": add_blob(np.frombuffer(data, dtype=np.uint8)), **extra}


def _frame(arr: np.ndarray, tag: str, node: dict, limits: MessageLimits) -> Any:
    """Decode a ``dataframe``/``series`` node's Arrow IPC blob. Raises ProtocolError."""
    from autograder.frames import FrameError, frame_from_ipc

    if arr.dtype != np.uint8 or arr.ndim != 1:
        raise ProtocolError("a frame must travel as a 1-d uint8 array")
    try:
        return frame_from_ipc(arr.tobytes(), tag, node, limits.max_array_elements)
    except FrameError as exc:
        raise ProtocolError(str(exc)) from None


def _hashable_data(value: Any) -> bool:
    """Whether a decoded value may be a set item: a scalar, string, or a tuple/frozenset of them."""
    if value is None or value is Ellipsis or type(value) in (bool, int, float, str, complex):
        return True
    if type(value) in (tuple, frozenset):
        return all(_hashable_data(x) for x in value)
    return isinstance(value, np.generic)
JSON_VALUES_PER_ITEM = 6
"""JSON values one decoded item may take: a tagged node ``{"t": "list", "v": [...]}`` is a dict,
two keys, a tag and its value; a dict item adds the ``[key, value]`` pair list."""

def _parse_header(payload: bytes, limits: MessageLimits) -> tuple[Any, int]:
    """The payload's JSON header, parsed, and its length in bytes.

    Before ``json.loads``: the header length is checked against ``max_header_bytes`` and the
    payload, and its JSON values are bounded by counting bytes: values and keys <= 1 + the
    number of ``[``, ``{``, ``,`` and ``:`` bytes, for any JSON text. Those bytes inside strings
    count too (an over-estimate, refused only past ``6 * max_items`` of them; counting outside
    strings would cost a copy per string), so a header like ``[[],[],...]`` is refused before it
    builds millions of lists.
    """
    header_len = int.from_bytes(payload[:4], "big")
    if header_len > limits.max_header_bytes:
        raise ProtocolError(f"message header of {header_len} bytes exceeds the limit of {limits.max_header_bytes} bytes")
    if 4 + header_len > len(payload):
        raise ProtocolError("truncated message header")
    values = 1 + sum(payload.count(c, 4, 4 + header_len) for c in (b"[", b"{", b",", b":"))
    max_values = JSON_VALUES_PER_ITEM * limits.max_items + 1
    if values > max_values:
        raise ProtocolError(f"message header holds more than {max_values} JSON values")
    return json.loads(str(memoryview(payload)[4 : 4 + header_len], "utf-8")), header_len


def _as_tensor(arr: np.ndarray) -> Any:
    """A CPU tensor over ``arr``, or ``arr`` itself without torch. torch is imported on the
    first tensor, not before: it costs seconds."""
    try:
        import torch
    except ImportError:
        return arr
    return torch.from_numpy(arr)


def _split_blobs(payload: bytes, offset: int, limits: MessageLimits) -> list[bytes]:
    blobs = []
    while offset < len(payload):
        if len(blobs) >= limits.max_items:
            raise ProtocolError("too many arrays in message")
        size = int.from_bytes(payload[offset : offset + 8], "big")
        if offset + 8 + size > len(payload):
            raise ProtocolError("truncated array data")
        blobs.append(payload[offset + 8 : offset + 8 + size])
        offset += 8 + size
    return blobs
