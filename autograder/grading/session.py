"""A running sandbox as seen from the trusted side: start, request/response, limits, kill.

``SandboxSession`` starts the worker (see ``autograder.sandbox.worker``) through a
``Launcher``, sends it requests, and waits for answers no longer than the per-call timeout
and the submission's overall deadline. Student stdout/stderr is captured up to a byte cap.
A sandbox that dies or overruns is killed with its whole process group and reported as a
``SandboxFailure`` with a message written for the student and, when a limit stopped it, the
``LimitHit`` observed here (a timer, the exit signal), never read from what the sandbox says.
"""

from __future__ import annotations

import functools
import os
import select
import subprocess
import tempfile
import threading
import time
from typing import Any

from autograder import protocol
from autograder.grading import live
from autograder.grading.failures import CallError, SandboxFailure, signal_limit, signal_message
from autograder.grading.launcher import Launcher
from autograder.grading.results import LimitHit


class OutputCapture:
    """Drains a pipe on a thread, keeping the first ``max_bytes`` bytes and counting the rest.

    ``section(heading)`` starts a part of the output that ``text()`` shows under that heading
    (the grader's own lines, which the kept bytes do not count), when anything was printed in it;
    the part before the first section gets ``first_heading`` when a later part is shown.
    """

    def __init__(self, fd: int, max_bytes: int, first_heading: str = ""):
        self.max_bytes = max_bytes
        self._first_heading = first_heading
        self.kept = bytearray()
        self.dropped = 0
        self._fd = fd
        self._lock = threading.Lock()
        self._sections: list[tuple[int, str]] = []
        self._thread = threading.Thread(target=self._drain, args=(fd,), daemon=True)
        self._thread.start()

    def _drain(self, fd: int) -> None:
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                with self._lock:
                    room = self.max_bytes - len(self.kept)
                    self.kept += chunk[:room]
                    self.dropped += max(0, len(chunk) - room)

    def section(self, heading: str, settle: float = 0.5) -> None:
        """Put what is printed from now on under ``heading``. Output already in the pipe (the
        worker flushes before it answers) is drained first, waiting at most ``settle`` seconds."""
        end = time.monotonic() + settle
        while time.monotonic() < end and self._thread.is_alive():  # a drained pipe's fd is closed
            try:
                pending = select.select([self._fd], [], [], 0)[0]
            except (OSError, ValueError):  # the pipe is closed: nothing more will come
                break
            if not pending:
                time.sleep(0.01)  # a chunk just read reaches ``kept`` under the lock
                if not select.select([self._fd], [], [], 0)[0]:
                    break
            time.sleep(0.005)
        with self._lock:
            self._sections.append((len(self.kept), heading))

    def text(self) -> str:
        self._thread.join(timeout=1)
        first = self._first_heading if any(self.kept[start:] for start, _ in self._sections) else ""
        bounds = [(0, first)] + self._sections + [(len(self.kept), "")]
        parts = []
        for (start, heading), (stop, _) in zip(bounds, bounds[1:]):
            body = self.kept[start:stop].decode("utf-8", errors="replace")
            if body:
                parts.append(f"{heading}\n{body}" if heading else body)
        out = "".join(p if p.endswith("\n") else p + "\n" for p in parts[:-1]) + (parts[-1] if parts else "")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output were cut]"
        return out


INTERRUPTED = "the grader was interrupted"
"""The reason a session killed by ``live.kill_all`` gives."""


STUDENT_OPS = frozenset({"exec", "call", "getattr", "otter_tests"})
"""Requests whose answer waits on student code (a getattr may run a property)."""


class SandboxSession:
    """One sandboxed worker process.

    - launcher: how to start it.
    - deadline: ``time.monotonic()`` value after which every call fails (the submission's
      wall-clock limit).
    - call_timeout: default seconds one request may take.
    - max_output_bytes: captured stdout+stderr, bytes.
    - message_limits: bounds on what is accepted from the sandbox (``protocol.MessageLimits``;
      the resource limits are the launcher's ``bundle.Limits``).
    - zygote: a warm sandbox (``autograder.grading.warm.Zygote``) to fork the worker from,
      instead of starting a new sandbox; ending the session resets the zygote, which kills
      everything the submission started and deletes what it wrote. Raises ``ZygoteError``
      when the zygote cannot fork.
    """

    def __init__(
        self,
        launcher: Launcher,
        deadline: float,
        call_timeout: float = 60.0,
        max_output_bytes: int = 64 * 1024,
        message_limits: protocol.MessageLimits = protocol.DEFAULT_MESSAGE_LIMITS,
        zygote=None,
    ):
        self.deadline = deadline
        self._via_bwrap = launcher.mode == "bwrap"
        self.resource_limits = launcher.limits
        self.call_timeout = call_timeout
        self.message_limits = message_limits
        self.dead_reason: str | None = None
        self.dead_limit: LimitHit | None = None
        """The limit that ended the sandbox, when one did."""
        self.student_seconds = 0.0
        """Wall time spent waiting for requests that run student code (exec, call, getattr), seconds."""
        self.cells_timeout: float | None = None
        """Seconds an ``exec`` of cells may take, when not ``call_timeout``."""
        self.budget_end: float | None = None
        """While a test with a time budget runs: the ``time.monotonic()`` value its calls must
        finish by, instead of each having ``call_timeout`` (set by the runner)."""
        self.stopped_by_budget = False
        """Whether the last request's limit was the test's budget (``budget_end``)."""
        self.running: str | None = None
        """The name of the notebook function last called (set by ``proxy.Remote``), for messages."""
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        self._zygote, self._proc, self._workdir, self._status_r = zygote, None, None, None
        self._released = False
        try:
            if zygote is None:
                self._workdir = tempfile.TemporaryDirectory(prefix="dlgrade-sandbox-")
                if launcher.mode == "uid" and launcher.drops_privileges:  # the student's uid works there
                    os.chown(self._workdir.name, launcher.uid, launcher.uid)
                self._proc = subprocess.Popen(
                    launcher.command(req_r, resp_w),
                    stdin=subprocess.DEVNULL,
                    stdout=out_w,
                    stderr=out_w,
                    pass_fds=(req_r, resp_w),
                    start_new_session=True,
                    cwd=self._workdir.name,
                    env=launcher.environment(),
                )
            else:
                self._status_r, status_w = os.pipe()
                try:
                    zygote.fork([req_r, resp_w, out_w, status_w])
                finally:
                    os.close(status_w)
        except BaseException:
            for fd in (self._req_w, self._resp_r, out_r, self._status_r):
                if fd is not None:
                    os.close(fd)
            raise
        finally:
            for fd in (req_r, resp_w, out_w):
                os.close(fd)
        os.set_blocking(self._req_w, False)  # writes wait in select(), bounded by the call's time limit
        self.output = OutputCapture(out_r, max_output_bytes, "── printed while your notebook's cells ran ──")
        live.register(self, functools.partial(self.kill, INTERRUPTED))

    # -------------------------------------------------------------------- requests

    def request(self, op: str, timeout: float | None = None, **fields: Any) -> Any:
        """Send one request and return its decoded ``value``.

        Raises CallError when the student's code raised, SandboxFailure when the sandbox timed
        out, died or sent a malformed answer (the sandbox is then dead for good).
        """
        if self.dead_reason:
            raise self.failure()
        now = time.monotonic()
        per_call = timeout or (self.cells_timeout if op == "exec" and self.cells_timeout else self.call_timeout)
        by_budget = False
        if self.budget_end is not None:  # a test's budget covers all its calls (autograder.grading.budget),
            left = self.budget_end - now  # never less than a limit the test gave one call (with_timeout)
            by_budget = not timeout or left >= timeout
            per_call = left if by_budget else timeout
        limit = min(per_call, self.deadline - now)
        self.stopped_by_budget = by_budget and limit < self.deadline - now
        if limit <= 0:
            whole = not self.stopped_by_budget
            self.kill("the submission's time limit was used up" if whole else "this test's time limit was used up",
                      "timeout" if whole else "call_timeout")
            raise self.failure()
        start = time.monotonic()
        end = start + limit
        try:
            protocol.write_frame(self._req_w, protocol.encode({"op": op, **fields}), write=self._writer(end))
            payload = protocol.read_frame(self._resp_r, self.message_limits.max_message_bytes, read=self._reader(end))
            response = protocol.decode(payload, self.message_limits)
        except TimeoutError:
            whole = end >= self.deadline
            what = ("the submission's time limit" if whole else "this test's time limit" if self.stopped_by_budget
                    else f"the {limit:.0f} s limit for one call")
            self.kill(f"your code did not finish within {what} and was stopped", "timeout" if whole else "call_timeout")
            raise self.failure() from None
        except (EOFError, BrokenPipeError):
            self._record_death()
            raise self.failure() from None
        except protocol.ProtocolError as exc:
            self.kill(f"your code sent back something the grader cannot accept: {exc}")
            raise self.failure() from None
        finally:
            if op in STUDENT_OPS:
                self.student_seconds += time.monotonic() - start
        if type(response) is not dict or "ok" not in response:
            self.kill("the sandbox answered with a malformed message")
            raise self.failure()
        if response["ok"]:
            return response.get("value")
        error = response.get("error")
        error = error if type(error) is dict else {}
        raise CallError.from_report(error, self.resource_limits)

    def failure(self) -> SandboxFailure:
        """The SandboxFailure of this dead sandbox: its reason and the limit that ended it."""
        return SandboxFailure(self.dead_reason, self.dead_limit)

    def _writer(self, end: float):
        def write(fd: int, data: memoryview) -> int:
            wait = end - time.monotonic()
            if wait <= 0 or not select.select([], [fd], [], wait)[1]:
                raise TimeoutError
            try:
                return os.write(fd, data[: 1 << 20])
            except BlockingIOError:
                return 0

        return write

    def _reader(self, end: float):
        def read(fd: int, n: int) -> bytes:
            chunks, remaining = [], n
            while remaining:
                wait = end - time.monotonic()
                if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                    raise TimeoutError
                chunk = os.read(fd, min(remaining, 1 << 20))
                if not chunk:
                    raise EOFError
                chunks.append(chunk)
                remaining -= len(chunk)
            return b"".join(chunks)

        return read

    def _exit_code(self) -> int | None:
        """The worker's exit code (negative: killed by that signal), None if it is still running."""
        if self._zygote is not None:
            self._release()  # the zygote reaps the worker and reports its wait status
            if not select.select([self._status_r], [], [], 5)[0]:
                return None
            status = os.read(self._status_r, 4)
            return os.waitstatus_to_exitcode(int.from_bytes(status, "big")) if len(status) == 4 else None
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None
        if self._via_bwrap and code > 128:
            code = 128 - code  # bubblewrap reports a child killed by signal N as exit code 128 + N
        return code

    def _record_death(self) -> None:
        """Kill the sandbox with the reason its exit status gives (a signal: maybe a limit)."""
        code = self._exit_code()
        if code is not None and code < 0:
            self.kill(signal_message(-code, self.resource_limits), signal_limit(-code))
        elif code is not None:
            self.kill(f"your code ended the Python process (exit code {code})")
        else:
            self.kill("your code closed the grader's channel")

    # -------------------------------------------------------------------- teardown

    def kill(self, reason: str, limit: str | None = None) -> None:
        """Kill the sandbox and everything it started; later requests fail with ``reason``.
        limit: the ``LimitHit.kind`` that ended it, if any."""
        if self.dead_reason is None:
            self.dead_reason = reason
            self.dead_limit = LimitHit(limit, reason) if limit else None
        live.unregister(self)
        if self._zygote is not None:
            self._release()
        else:
            live.kill_group(self._proc)
            self._workdir.cleanup()
        for fd in (self._req_w, self._resp_r, self._status_r):
            try:
                if fd is not None:
                    os.close(fd)
            except OSError:
                pass
        self._req_w = self._resp_r = self._status_r = None

    def _release(self) -> None:
        """Warm sessions: have the zygote kill this submission's processes and wipe its files,
        once (a zygote that fails to is killed, with everything in its sandbox)."""
        if not self._released:
            self._released = True
            self._zygote.reset()

    def close(self) -> str:
        """Stop the sandbox and return its captured output."""
        self.kill(self.dead_reason or "closed")
        return self.output.text()

    def __enter__(self) -> "SandboxSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

