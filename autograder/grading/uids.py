"""Sandbox uids unique per running grading process, on this host.

A root grader runs student code as an unprivileged host uid, so per-uid kernel state (the
process limit ``RLIMIT_NPROC``, keyrings, signals between processes of one uid) must never be
shared by two submissions graded at the same time, even by two graders started separately.
Each grading process therefore claims one uid for itself: it takes an exclusive POSIX record
lock (``fcntl.lockf``) on ``LOCK_DIR/<uid>.lock`` for the first uid of the range that no live
process holds, and keeps the lock open for its lifetime. The kernel drops the lock when the
process exits, however it ends (a crash, SIGKILL), so a dead grader's uid is free again at
once; no stale-lock cleanup is needed. POSIX locks are not inherited by forked children, so a
pool worker forked from a process that holds a uid claims its own.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_DIR = Path("/run/dlgrade/sandbox-uids")
"""Where the lock files live: under /run (root only, cleared at boot), never a world-writable place."""
UID_RANGE = 1000
"""How many uids, from the requested base, a claim may try."""

_claims: dict[tuple[int, int, str], tuple[int, int]] = {}
"""(pid, base, lock dir) -> (uid, open lock fd), for this process's claims."""


class NoFreeUid(RuntimeError):
    """Every uid of the range is held by a live grading process."""


def claim_uid(base: int, lock_dir: Path | None = None, count: int = UID_RANGE) -> int:
    """The uid this process runs sandboxes as: the first of ``base .. base + count - 1`` whose
    lock no live process holds, claimed for the rest of this process's life (the same uid on
    every call with the same ``base``).

    Raises NoFreeUid when all are held, OSError when ``lock_dir`` (default ``LOCK_DIR``)
    cannot be created.
    """
    lock_dir = Path(lock_dir or LOCK_DIR)
    key = (os.getpid(), base, str(lock_dir))
    if key in _claims:
        return _claims[key][0]
    lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    held = {uid for (pid, _, folder), (uid, _) in _claims.items() if pid == key[0] and folder == key[2]}
    for uid in range(base, base + count):
        if uid in held:  # this process's own claim for another base: POSIX locks would let it in twice
            continue
        fd = os.open(lock_dir / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _claims[key] = (uid, fd)
        return uid
    raise NoFreeUid(f"all {count} sandbox uids from {base} are in use by running graders (locks in {lock_dir})")
