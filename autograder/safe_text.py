"""Untrusted text (submission names, student messages, roster cells) made safe for where it is
written: spreadsheet cells and terminals.

- CSV: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  a formula to Excel, LibreOffice and Google Sheets (OWASP, "CSV Injection"); such a cell gets a
  leading ``'``, which spreadsheets show as text and do not evaluate. Numbers (Python ``int`` and
  ``float``, and text that is one plain decimal number such as ``-0.5`` or ``1e-3``) are left as
  they are, so they stay numbers.
- Terminals: control characters (C0, C1, DEL) and the invisible format characters that reorder
  or hide text (Unicode category Cf: bidirectional overrides, zero-width characters) are written
  as Python escapes (``\\x1b``, ``\\u202e``), so no escape sequence (OSC 52 clipboard writes,
  window titles, cursor moves) reaches the terminal or a log.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet cell a formula (OWASP CSV Injection)."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet evaluates (see the module doc); numbers unchanged."""
    if isinstance(value, (int, float)):
        return value
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCSVWriter:
    """``csv.writer`` whose rows pass through ``csv_cell``: every CSV dlgrade writes uses it."""

    def __init__(self, stream, **fmtparams):
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any], trusted: bool = False) -> None:
        """Write ``row``; ``trusted``: a row of dlgrade's own constants and numbers only (Otter's
        ``points-per-question`` row, whose status is ``--``), written as it is."""
        self._writer.writerow(list(row) if trusted else [csv_cell(cell) for cell in row])


def terminal_text(text: str, newlines: bool = True) -> str:
    """``text`` with control and format characters escaped (see the module doc). Newlines are
    kept when ``newlines`` (a message of several lines), else escaped too (a name in a table)."""
    return "".join(
        ch if (ch == "\n" and newlines) or unicodedata.category(ch) not in ("Cc", "Cf") else ascii(ch)[1:-1]
        for ch in text
    )
