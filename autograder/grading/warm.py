"""Warm sandboxes: one zygote per grading process and sandbox configuration, which has
imported the assignment's heavy modules (numpy, torch) once and forks a fresh worker for each
submission (see ``autograder.sandbox.zygote``), so a slot pays for ``import torch`` once, not
once per submission.

Isolation between the submissions one zygote serves: each worker is a new process (module
patches, threads and memory die with it) running as the slot's uid, which is not the
zygote's, in an IPC namespace of its own (System V objects, POSIX message queues); after
each submission the zygote kills every process left in the sandbox (which ends that IPC
namespace) and deletes every file under ``/tmp``. A zygote that cannot do so,
or stops answering, is killed and replaced. Zygotes are used only where
``Launcher.can_fork_workers`` (bubblewrap, grader running as root); elsewhere every
submission gets a new sandbox.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
from collections import OrderedDict

from autograder.grading import live
from autograder.grading.launcher import Launcher

START_TIMEOUT = 180.0
"""Seconds a zygote may take to start and import its modules."""
ANSWER_TIMEOUT = 60.0
"""Seconds a zygote may take to fork a worker or to reset."""
MAX_ZYGOTES = 2
"""Zygotes one grading process keeps alive (least recently used ones are stopped)."""


class ZygoteError(RuntimeError):
    """A zygote did not start or did not answer; it has been killed."""


class Zygote:
    """One warm sandbox. ``modules``: what it imports before forking (``("numpy", "torch")``).

    Raises ZygoteError when it does not start within ``START_TIMEOUT``.
    """

    def __init__(self, launcher: Launcher, modules: tuple[str, ...]):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._log = tempfile.TemporaryFile()
        self._sock = ours
        self.dead = False
        self._proc = subprocess.Popen(
            launcher.zygote_command(theirs.fileno(), modules),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            pass_fds=(theirs.fileno(),), start_new_session=True,
        )
        theirs.close()
        live.register(self, self.kill)
        self._expect(b"ready", START_TIMEOUT)

    @property
    def alive(self) -> bool:
        return not self.dead and self._proc.poll() is None

    def fork(self, fds: list[int]) -> None:
        """Fork a worker on (request read end, response write end, output write end, status
        write end). Raises ZygoteError when the zygote does not answer."""
        try:
            socket.send_fds(self._sock, [b"fork"], fds)
        except OSError as exc:
            self.kill()
            raise ZygoteError(f"the warm sandbox is gone: {exc}") from None
        self._expect(b"forked", ANSWER_TIMEOUT)

    def reset(self) -> None:
        """Kill the worker and all it left running, wipe its files; kill the zygote instead
        when it does not confirm."""
        try:
            self._sock.send(b"reset")
            self._expect(b"clean", ANSWER_TIMEOUT)
        except (OSError, ZygoteError):
            self.kill()

    def _expect(self, answer: bytes, timeout: float) -> None:
        self._sock.settimeout(timeout)
        try:
            got = self._sock.recv(64)
        except OSError:
            got = b""
        if got != answer:
            self.kill()
            self._log.seek(0)
            log = self._log.read()[-2000:].decode(errors="replace").strip()
            raise ZygoteError(f"the warm sandbox did not answer {answer.decode()!r}" + (f": {log}" if log else ""))

    def kill(self) -> None:
        """Stop the zygote and everything in its sandbox (once: a later call does nothing)."""
        if self.dead:
            return
        self.dead = True
        live.unregister(self)
        live.kill_group(self._proc)
        self._sock.close()


_ZYGOTES: OrderedDict[tuple[Launcher, tuple[str, ...]], Zygote] = OrderedDict()
_FAILED: set[tuple[Launcher, tuple[str, ...]]] = set()
"""Configurations whose zygote did not start (a module that does not import, say): this
process grades them in new sandboxes instead of trying again for every submission."""


def zygote_for(launcher: Launcher, modules: tuple[str, ...]) -> Zygote | None:
    """This process's live zygote for ``launcher`` and ``modules``, started if needed; None
    where zygotes cannot be used (see ``Launcher.can_fork_workers``) or it failed to start."""
    if not launcher.can_fork_workers:
        return None
    key = (launcher, tuple(modules))
    if key in _FAILED:
        return None
    zygote = _ZYGOTES.pop(key, None)
    if zygote is None or not zygote.alive:
        try:
            zygote = Zygote(launcher, key[1])
        except ZygoteError:
            _FAILED.add(key)
            return None
    _ZYGOTES[key] = zygote
    while len(_ZYGOTES) > MAX_ZYGOTES:
        _ZYGOTES.popitem(last=False)[1].kill()
    return zygote


def stop_zygotes() -> None:
    """Stop every zygote this process keeps (the next submission starts a new one)."""
    while _ZYGOTES:
        _ZYGOTES.popitem()[1].kill()
