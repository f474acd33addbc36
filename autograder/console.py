"""What the command line prints: ``Line`` (a line of text, its colour, its stream) as the
modules behind ``dlgrade``'s commands return it, and ``echo``, which prints with control
characters escaped (``autograder.safe_text.terminal_text``): names and messages come from
submissions, so nothing reaches the terminal any other way."""

from __future__ import annotations

from typing import Iterable, NamedTuple

import click

from autograder.safe_text import terminal_text


class Line(NamedTuple):
    """One line (or paragraph) to print: ``fg`` a click colour name or None, ``err`` True for
    stderr."""

    text: str
    fg: str | None = None
    err: bool = False


def warning(text: str) -> Line:
    """A warning: yellow, on stderr."""
    return Line(text, "yellow", err=True)


def echo(message: str = "", err: bool = False, **style) -> None:
    """``click.secho`` with control characters escaped."""
    click.secho(terminal_text(message), err=err, **style)


def echo_line(line: Line | str) -> None:
    """Print one line (a plain string goes to stdout, uncoloured)."""
    line = Line(line) if isinstance(line, str) else line
    echo(line.text, err=line.err, fg=line.fg)


def echo_lines(lines: Iterable[Line | str]) -> None:
    """Print each line, as ``echo_line``."""
    for line in lines:
        echo_line(line)


def verbatim(text: str) -> str:
    """``text`` for a click help or epilog, every paragraph kept as written (click's ``\\b``)."""
    return "\n\n".join("\b\n" + paragraph for paragraph in text.split("\n\n"))
