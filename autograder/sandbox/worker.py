"""Sandbox worker: executes a submission's code cells, then serves calls from the grader.

Run inside the sandbox as ``python -m autograder.sandbox.worker REQUEST_FD RESPONSE_FD [UID TMP_INODES]``
(a root grader passes the uid to drop to and the bound on ``/tmp``'s inodes).
Requests arrive on the first inherited file descriptor and responses leave on the second,
one ``autograder.protocol`` frame each; the student's stdout and stderr are the process's own and are captured by the grader.

Requests are dicts with an ``op``:

- ``exec``: ``cells`` = [[cell_index, source], ...] and optional ``files`` = {relative path:
  bytes}, the student's own attachments, written to the working folder first, and
  ``support_files`` = {relative path: bytes}, the assignment's own (Otter's ``files/``),
  written after them (as Otter copies them over the submission's files); runs the cells
  in order in one namespace and answers [{"cell": index, "error": None | {type, message,
  traceback}}, ...]. A cell that raises does not stop the ones after it.
- ``lookup``: ``name``; answers {"kind": "missing" | "module" | "callable" | "data"} with
  ``module`` (the module's name), ``handle`` or ``value``.
- ``names``: answers the list of the notebook's global names (dunder names left out).
- ``call``: ``target`` (a handle), optional ``attr``, ``args``, ``kwargs``; answers the result.
- ``getattr``: ``target``, ``attr``; answers the attribute's value.
- ``otter_tests``: ``sources`` = {test file name: source}; runs Otter's own test runner on the
  notebook's globals (``--tests-in-sandbox``, see ``otter_runner``) and answers its outcomes.

Every answer is {"ok": True, "value": ...} or {"ok": False, "error": {...}}. Values that are
not data stay here and go back as handles (see ``autograder.protocol``).
"""

from __future__ import annotations

import builtins
import linecache
import os
import sys
import traceback
import types
from typing import Any

from autograder import protocol

CELL_FILENAME = "<cell {}>"
REAL_MEMORY_ERROR = builtins.MemoryError
"""Taken before any student code runs: a class the student names MemoryError is not it."""


class Worker:
    def __init__(self, request_fd: int, response_fd: int) -> None:
        self.request_fd, self.response_fd = request_fd, response_fd
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.handles: dict[int, Any] = {}

    # ------------------------------------------------------------------ handles

    def make_handle(self, obj: Any) -> dict:
        key = id(obj)
        self.handles[key] = obj
        return {"t": "handle", "id": key, "type": type(obj).__name__}

    def resolve(self, value: Any) -> Any:
        """Replace the grader's Handle references with the objects they name."""
        if isinstance(value, protocol.Handle):
            if value.id not in self.handles:
                raise LookupError("unknown handle")
            return self.handles[value.id]
        if type(value) in (list, tuple):
            return type(value)(self.resolve(v) for v in value)
        if type(value) is dict:
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    # ------------------------------------------------------------------ ops

    def op_exec(self, cells: list, files: dict | None = None, support_files: dict | None = None) -> list:
        for name, data in [*(files or {}).items(), *(support_files or {}).items()]:  # Otter's order: support files win
            os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
            with open(name, "wb") as f:
                f.write(data)
        results = []
        for index, source in cells:
            error = None
            filename = CELL_FILENAME.format(index)
            # tracebacks quote the offending line of the cell (mtime None: linecache keeps it)
            linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
            try:
                code = compile(source, filename, "exec")
                exec(code, self.namespace)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt from a cell too
                error = describe_error(exc)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            results.append({"cell": index, "error": error})
        return results

    def op_lookup(self, name: str) -> dict:
        if name not in self.namespace:
            return {"kind": "missing"}
        obj = self.namespace[name]
        if isinstance(obj, types.ModuleType):
            return {"kind": "module", "module": obj.__name__}
        if callable(obj):
            return {"kind": "callable", "handle": obj}
        return {"kind": "data", "value": obj}

    def op_names(self) -> list:
        """The notebook's global names, dunder names left out."""
        return [str(n) for n in self.namespace if not (str(n).startswith("__") and str(n).endswith("__"))]

    def op_call(self, target: Any, attr: str | None = None, args=(), kwargs=None) -> Any:
        func = getattr(target, attr) if attr else target
        try:
            return func(*args, **(kwargs or {}))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()

    def op_getattr(self, target: Any, attr: str) -> Any:
        return getattr(target, attr)

    def op_otter_tests(self, sources: dict) -> list:
        from autograder.sandbox.otter_runner import run_otter_tests

        try:
            return run_otter_tests(sources, self.namespace)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()

    def handle(self, request: dict) -> dict:
        op = request.get("op")
        args = self.resolve({k: v for k, v in request.items() if k != "op"})
        method = getattr(self, f"op_{op}", None)
        if method is None:
            return {"ok": False, "error": {"type": "ProtocolError", "message": f"unknown op {op!r}", "traceback": ""}}
        try:
            return {"ok": True, "value": method(**args)}
        except BaseException as exc:
            return {"ok": False, "error": describe_error(exc)}

    def serve(self) -> None:
        while True:
            try:
                request = protocol.decode(protocol.read_frame(self.request_fd))
            except EOFError:
                return
            response = self.handle(request)
            try:
                payload = protocol.encode(response, make_handle=self.make_handle)
            except BaseException as exc:
                payload = protocol.encode({"ok": False, "error": describe_error(exc)})
            protocol.write_frame(self.response_fd, payload)


def describe_error(exc: BaseException) -> dict:
    """Type, message, a traceback trimmed to the student's own cells, and ``memory``: whether
    it is an instance of the interpreter's own MemoryError (what a failed allocation under
    RLIMIT_AS raises, also as numpy's subclass), by class identity, never by name."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell ")]
    lines = traceback.format_list(frames) if frames else []
    try:
        message = str(exc)
    except BaseException:
        message = "<unprintable exception>"
    return {
        "type": type(exc).__name__,
        "memory": isinstance(exc, REAL_MEMORY_ERROR),
        "message": message[: protocol.MAX_ERROR_CHARS],
        "traceback": "".join(lines)[-protocol.MAX_ERROR_CHARS :],
    }


def bound_tmp_inodes(count: int) -> None:
    """Remount the sandbox's private ``/tmp`` (bubblewrap's tmpfs) with ``nr_inodes=count``, so
    creating files there fails with ENOSPC past ``count`` and the kernel memory they cost is
    bounded. Needs CAP_SYS_ADMIN in the sandbox (a root grader's, before ``drop_privileges``).
    Raises OSError when the remount fails."""
    import ctypes

    MS_NOSUID, MS_NODEV, MS_REMOUNT = 2, 4, 32  # keep bubblewrap's nosuid,nodev
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"none", b"/tmp", None, MS_REMOUNT | MS_NOSUID | MS_NODEV, f"nr_inodes={count}".encode()) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"remounting /tmp with nr_inodes={count} failed: {os.strerror(errno)}")


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (and gid ``uid``) for good, with no way back: no supplementary groups,
    real, effective and saved ids all set, and no_new_privs so setuid binaries cannot elevate."""
    import ctypes

    PR_SET_NO_NEW_PRIVS = 38
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not drop privileges")


def main() -> None:
    """``python -m autograder.sandbox.worker REQUEST_FD RESPONSE_FD [UID [TMP_INODES]]``: with a
    uid, become it (after bounding the private /tmp's inodes, when given: bubblewrap's /tmp only,
    never the host's in ``--sandbox uid``)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    request_fd, response_fd = (int(a) for a in sys.argv[1:3])
    if len(sys.argv) > 4:
        bound_tmp_inodes(int(sys.argv[4]))
    if len(sys.argv) > 3:
        drop_privileges(int(sys.argv[3]))
    Worker(request_fd, response_fd).serve()


if __name__ == "__main__":
    main()
