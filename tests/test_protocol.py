"""The data-only protocol: what crosses, and what the trusted decoder refuses."""

import io
import json

import numpy as np
import pytest

from autograder import protocol
from autograder.protocol import Handle, MessageLimits, ProtocolError, decode, encode


def roundtrip(value, **kw):
    return decode(encode(value), **kw)


def test_data_roundtrips_with_types_and_dtypes():
    value = {
        "a": [1, 2.5, None, True, "s"],
        "t": (np.arange(6, dtype=np.int16).reshape(2, 3), np.float32(1.5)),
        "nan": float("nan"),
        "inf": float("-inf"),
        3: np.array(2 + 3j),
    }
    out = roundtrip(value)
    assert out["a"] == [1, 2.5, None, True, "s"]
    assert isinstance(out["t"], tuple)
    assert out["t"][0].dtype == np.int16 and out["t"][0].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(out["t"][1]) is np.float32 and out["t"][1] == 1.5
    assert np.isnan(out["nan"]) and out["inf"] == float("-inf")
    assert out[3] == 2 + 3j


def test_decoded_arrays_are_writable_copies():
    out = roundtrip(np.zeros(3))
    out += 1
    assert out.tolist() == [1, 1, 1]


def test_non_data_needs_a_handle_and_handles_compare_by_identity():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError):
        encode(AlwaysEqual())
    out = decode(encode([AlwaysEqual()], make_handle=lambda o: {"t": "handle", "id": 7, "type": "AlwaysEqual"}))
    assert isinstance(out[0], Handle) and out[0].id == 7
    assert out[0] != 1 and not (out[0] == Handle(7, "AlwaysEqual"))


def test_subclasses_of_builtin_types_do_not_cross_as_data():
    class SneakyFloat(float):
        def __eq__(self, other):
            return True

    class SneakyArray(np.ndarray):
        pass

    seen = []
    handle = lambda o: seen.append(type(o).__name__) or {"t": "handle", "id": len(seen), "type": type(o).__name__}
    out = decode(encode([SneakyFloat(1.0), np.zeros(2).view(SneakyArray)], make_handle=handle))
    assert seen == ["SneakyFloat", "SneakyArray"]
    assert all(isinstance(x, Handle) for x in out)


def payload_with_blob(header, blob: bytes) -> bytes:
    h = json.dumps(header).encode()
    return len(h).to_bytes(4, "big") + h + len(blob).to_bytes(8, "big") + blob


def test_object_arrays_are_refused_without_unpickling():
    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    buf = io.BytesIO()
    np.save(buf, np.array([Boom()], dtype=object), allow_pickle=True)
    with pytest.raises(ProtocolError):
        decode(payload_with_blob({"t": "array", "i": 0}, buf.getvalue()))


def test_string_dtype_arrays_are_refused():
    buf = io.BytesIO()
    np.save(buf, np.array(["a", "b"]))
    with pytest.raises(ProtocolError, match="dtype"):
        decode(payload_with_blob({"t": "array", "i": 0}, buf.getvalue()))


@pytest.mark.parametrize(
    "value, limits, match",
    [
        (np.zeros(101), MessageLimits(max_array_elements=100), "elements"),
        ("x" * 101, MessageLimits(max_string_chars=100), "string"),
        (list(range(101)), MessageLimits(max_items=100), "items"),
    ],
)
def test_limits_are_enforced(value, limits, match):
    with pytest.raises(ProtocolError, match=match):
        decode(encode(value), limits)


def test_deep_nesting_is_refused():
    value = []
    for _ in range(40):
        value = [value]
    with pytest.raises(ProtocolError, match="nesting"):
        decode(encode(value), MessageLimits(max_depth=32))


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00\x00\x00\x05{oops",
        b"\x00\x00\x00\x02[]",  # untagged list
        b"\x00\x00\x00\x0f{\"t\": \"evil\"}  ",
        payload_with_blob({"t": "array", "i": 3}, b"x"),
        payload_with_blob({"t": "array", "i": 0}, b"not an npy file"),
        b"\x00\x00\x00\x0b{\"t\":\"x\"}" + (99).to_bytes(8, "big") + b"short",
    ],
)
def test_malformed_payloads_raise_protocol_error(payload):
    with pytest.raises(ProtocolError):
        decode(payload)


def test_frames_larger_than_the_limit_are_refused_before_reading():
    import os

    r, w = os.pipe()
    os.write(w, (10**12).to_bytes(8, "big"))
    with pytest.raises(ProtocolError, match="exceeds"):
        protocol.read_frame(r, max_bytes=1000)
    os.close(r)
    os.close(w)


def test_tensors_cross_as_cpu_tensors_and_state_dicts_as_dicts():
    torch = pytest.importorskip("torch")
    model = torch.nn.Linear(3, 2)
    value = {
        "x": torch.arange(6.0, requires_grad=True).reshape(2, 3),
        "half": torch.ones(2, dtype=torch.bfloat16),
        "size": torch.zeros(4, 5).shape,
        "state": model.state_dict(),
        "param": model.weight,
    }
    out = roundtrip(value)
    assert type(out["x"]) is torch.Tensor and not out["x"].requires_grad and out["x"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert out["half"].dtype == torch.float32 and out["size"] == (4, 5) and type(out["size"]) is tuple
    assert type(out["state"]) is dict and list(out["state"]) == ["weight", "bias"]
    assert torch.equal(out["state"]["weight"], model.weight.detach()) and type(out["param"]) is torch.Tensor
    fresh = torch.nn.Linear(3, 2)
    fresh.load_state_dict(out["state"])
    assert torch.equal(fresh.bias, model.bias)


def test_tensor_subclasses_do_not_cross_as_data():
    torch = pytest.importorskip("torch")

    class SneakyTensor(torch.Tensor):
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError):
        encode(torch.zeros(2).as_subclass(SneakyTensor))


def test_bytes_cross_as_bytes_and_must_be_a_flat_uint8_blob():
    raw = bytes(range(256)) * 3
    assert roundtrip({"raw": raw, "empty": b""}) == {"raw": raw, "empty": b""}
    header = {"t": "bytes", "i": 0}
    buf = io.BytesIO()
    np.save(buf, np.zeros((2, 2), dtype=np.uint8), allow_pickle=False)
    with pytest.raises(ProtocolError, match="1-d uint8"):
        decode(payload_with_blob(header, buf.getvalue()))
