"""How a sandbox's failures reach the trusted side: the student's own exceptions
(``CallError``, typed after the student's exception) and a sandbox that died or overran
(``SandboxFailure``), with the sentences written for the student about signals and memory.
"""

from __future__ import annotations

import builtins
import functools
import signal

from autograder import protocol
from autograder.bundle import Limits
from autograder.grading.results import LimitHit


class SandboxFailure(Exception):
    """The sandbox timed out, crashed or spoke nonsense. ``str()`` is shown to the student;
    ``limit``: the limit that stopped it, or None."""

    def __init__(self, message: str, limit: LimitHit | None = None):
        super().__init__(message)
        self.limit = limit


class CallError(Exception):
    """The student's code raised. Attributes: type_name, message, traceback (all str), and
    limit: a memory ``LimitHit`` when it was a real ``MemoryError`` (see ``real_memory_error``).

    ``from_report`` returns an instance of ``student_error_class(type_name)``: named after the
    student's exception and, for a built-in one, also an instance of it, so a test's
    ``except ValueError`` and a doctest's expected ``ValueError: message`` traceback match as they
    do under Otter, where tests and notebook share one process. ``str()`` is the message alone,
    as for the student's own exception.
    """

    def __init__(self, type_name: str, message: str, traceback: str, limit: LimitHit | None = None):
        super().__init__(message)
        self.type_name, self.message, self.traceback, self.limit = type_name, message, traceback, limit

    def __str__(self) -> str:
        return self.message

    @classmethod
    def from_report(cls, error: dict, limits: Limits) -> "CallError":
        """The error the worker reported (``sandbox.worker.describe_error``'s dict, as received:
        any field may be missing or of any type), each text cut to ``protocol.MAX_ERROR_CHARS``;
        a real MemoryError's message says so and carries its limit (``limits``: the resource
        limits it ran under)."""
        cut = protocol.MAX_ERROR_CHARS
        type_name, message, trace = (str(error.get(k, ""))[:cut] for k in ("type", "message", "traceback"))
        memory = real_memory_error(error, limits)
        error_class = student_error_class(type_name)
        return error_class(type_name, f"{message} {memory.message}".strip() if memory else message, trace, memory)


@functools.lru_cache(maxsize=256)
def student_error_class(type_name: str) -> type[CallError]:
    """The ``CallError`` subclass for an exception the student's code raised, by its class name
    (``type_name``: untrusted text from the sandbox).

    Named ``type_name`` in module ``builtins``, so ``traceback.format_exception_only`` (what
    doctest compares) writes ``ValueError: message``; a subclass of the built-in exception of that
    name as well, when there is one (``Exception`` subclasses only: never ``SystemExit`` or
    ``KeyboardInterrupt``). A name that is not an identifier, or a built-in whose constructor
    cannot take a message alone (``UnicodeDecodeError``...), gives plain ``CallError``.
    """
    if not type_name.isidentifier():
        return CallError
    builtin = getattr(builtins, type_name, None)
    bases = (CallError, builtin) if isinstance(builtin, type) and issubclass(builtin, Exception) else (CallError,)
    try:
        error_class = type(type_name, bases, {"__module__": "builtins", "__qualname__": type_name})
        error_class(type_name, "", "")
    except Exception:  # the built-in's own constructor wants more arguments
        return CallError
    return error_class


def signal_message(signum: int, limits: Limits) -> str:
    """Why a process killed by ``signum`` died, in plain words for the student."""
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    plain = {
        "SIGXCPU": f"your code used up its {limits.cpu_seconds} s of CPU time and was stopped",
        "SIGXFSZ": f"your code wrote a file larger than the limit of {limits.file_bytes / 2**20:.0f} MiB",
        "SIGSEGV": "your code crashed the Python process (segmentation fault)",
        "SIGKILL": (
            "your code's process was killed by signal SIGKILL (it killed itself, exceeded its CPU time, "
            f"or ran out of its {limits.memory_bytes / 2**30:.1f} GiB of memory)"
        ),
    }
    return plain.get(name, f"your code's process was killed by signal {name}")


SIGNAL_LIMITS = {"SIGXCPU": "cpu", "SIGXFSZ": "file_size", "SIGKILL": "killed"}
"""``LimitHit.kind`` of a worker that died of these signals (as its wait status says)."""


def signal_limit(signum: int) -> str | None:
    """The limit kind a death by ``signum`` stands for, or None (a crash)."""
    try:
        return SIGNAL_LIMITS.get(signal.Signals(signum).name)
    except ValueError:
        return None


def memory_message(limits: Limits) -> str:
    """The sentence a real MemoryError adds to the student's error message."""
    return f"Your code ran out of memory: the sandbox allows {limits.memory_bytes / 2**30:.1f} GiB."


def real_memory_error(error: dict, limits: Limits) -> LimitHit | None:
    """A memory ``LimitHit`` when the worker's error report says the exception was the real
    ``builtins.MemoryError`` or a subclass (``"memory": true``, set by class identity, not by
    name: a student class called MemoryError does not count), else None. The sandbox can still
    claim this for an exception it raised itself; that only changes its own feedback's wording."""
    if error.get("memory") is True:
        return LimitHit("memory", memory_message(limits))
    return None
