"""pandas DataFrames and Series across the sandbox boundary, as Arrow IPC streams.

The sandbox writes a DataFrame (a Series as a one-column frame) with
``pyarrow.Table.from_pandas`` into an Arrow IPC stream; the trusted side reads it back with
``pyarrow.ipc.open_stream`` and ``Table.to_pandas``. Arrow IPC is a columnar, schema-first format:
reading it builds arrays from typed buffers and never unpickles or evaluates anything. The
trusted side accepts only flat column types (numbers, booleans, strings, binary, dates, times,
timestamps, durations, decimals, nulls and dictionary-encoded ones, i.e. categoricals) and no
Arrow extension types, and bounds the cells (rows x columns) by the protocol's
``max_array_elements``; the stream itself is bounded by the message size.

Both sides import this module only when a frame is sent or received (pandas and pyarrow are
optional there: without them a frame stays in the sandbox as a handle).
"""

from __future__ import annotations

from typing import Any

FRAME_TAGS = ("dataframe", "series")


class FrameError(ValueError):
    """An Arrow stream the trusted side does not accept (malformed, a type not allowed, too large)."""


def frame_tag(value: Any) -> str | None:
    """"dataframe" or "series" for a pandas DataFrame or Series (exact types), else None.
    Never imports pandas: a frame implies it is loaded."""
    import sys

    pandas = sys.modules.get("pandas")
    if pandas is None:
        return None
    return {pandas.DataFrame: "dataframe", pandas.Series: "series"}.get(type(value))


def frame_to_ipc(value: Any) -> tuple[bytes, dict]:
    """An Arrow IPC stream of a DataFrame or Series, and the node fields that go with it
    ({"unnamed": True} for a Series without a name). Raises ImportError without pyarrow, and
    pyarrow's errors for columns Arrow cannot type (mixed Python objects)."""
    import pyarrow as pa

    extra = {}
    if frame_tag(value) == "series":
        extra = {"unnamed": True} if value.name is None else {}
        value = value.to_frame(name="series" if value.name is None else value.name)
    table = pa.Table.from_pandas(value, preserve_index=True)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes(), extra


def _allowed(pa, arrow_type) -> bool:
    t = pa.types
    if t.is_dictionary(arrow_type):
        return _allowed(pa, arrow_type.index_type) and _allowed(pa, arrow_type.value_type)
    return any(check(arrow_type) for check in (
        t.is_null, t.is_boolean, t.is_integer, t.is_floating, t.is_decimal, t.is_string, t.is_large_string,
        t.is_binary, t.is_large_binary, t.is_date, t.is_time, t.is_timestamp, t.is_duration,
    ))


def frame_from_ipc(data: bytes, tag: str, node: dict, max_cells: int) -> Any:
    """The DataFrame or Series (``tag``) in an Arrow IPC stream. Raises FrameError."""
    import pyarrow as pa

    try:
        reader = pa.ipc.open_stream(pa.py_buffer(data))
        for field in reader.schema:
            if isinstance(field.type, pa.BaseExtensionType) or not _allowed(pa, field.type):
                raise FrameError(f"column {field.name[:100]!r} of Arrow type {str(field.type)[:100]} is not accepted")
        table = reader.read_all()
    except FrameError:
        raise
    except Exception as exc:
        raise FrameError(f"invalid Arrow stream: {type(exc).__name__}: {exc}") from None
    if table.num_rows * max(1, table.num_columns) > max_cells:
        raise FrameError(f"a frame of {table.num_rows} x {table.num_columns} cells exceeds the limit of {max_cells}")
    try:
        frame = table.to_pandas()
    except Exception as exc:
        raise FrameError(f"invalid pandas metadata: {type(exc).__name__}: {exc}") from None
    if tag == "dataframe":
        return frame
    if frame.shape[1] != 1:
        raise FrameError("a Series must travel as one column")
    series = frame.iloc[:, 0]
    return series.rename(None) if node.get("unnamed") is True else series
