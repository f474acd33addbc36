"""The sandboxes this grading process has running, so that none outlives it.

Every sandbox process the trusted side starts (a ``SandboxSession``'s worker, a warm
``Zygote``) registers here with how to kill it, and unregisters once it is dead;
``kill_all`` kills whatever is still registered (a pool worker does so on the grader's
Ctrl-C, then exits). ``kill_group`` is how each of them ends its process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Callable

_LIVE: dict[object, Callable[[], None]] = {}
"""Registered owner (compared by identity) -> the call that kills its processes."""


def register(owner: object, kill: Callable[[], None]) -> None:
    """Track ``owner``'s running processes; ``kill()`` must stop them and call ``unregister``."""
    _LIVE[owner] = kill


def unregister(owner: object) -> None:
    """Stop tracking ``owner`` (its processes are dead). Unknown owners are ignored."""
    _LIVE.pop(owner, None)


def kill_all() -> None:
    """Kill every registered sandbox, oldest first: a zygote before the sessions forked from
    it, whose processes die with its sandbox (they then skip the zygote's reset)."""
    for kill in list(_LIVE.values()):
        kill()


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL ``proc``'s process group (it was started with ``start_new_session=True``) and
    reap ``proc``. A group already gone is not an error."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
