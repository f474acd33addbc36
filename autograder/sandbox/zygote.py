"""A warm sandbox: imports the heavy modules once, then forks a fresh worker per submission.

Run inside a bubblewrap sandbox with its own pid and ipc namespaces, by a grader running as
root, as ``python -m autograder.sandbox.zygote CONTROL_FD UID TMP_INODES MODULE,MODULE...``
(``TMP_INODES``: the bound on ``/tmp``'s inodes, see ``worker.bound_tmp_inodes``). The zygote
itself runs no student code; each child it forks drops to ``UID`` (see ``worker.drop_privileges``)
before it serves as a ``Worker`` for one submission.

Control messages arrive on the unix socket ``CONTROL_FD`` (SOCK_SEQPACKET), from the trusted
side only:

- ``fork`` with four file descriptors (request read end, response write end, output write end,
  status write end): the child's stdout and stderr go to the output fd; it enters a new IPC
  namespace of its own (so System V objects and POSIX message queues it creates die with its
  processes); when the child exits, its wait status is written to the status fd as 4
  big-endian bytes. Answers ``forked``.
- ``reset``: SIGKILL the child and every process left in the sandbox (which frees its IPC
  namespace) and delete every file under ``/tmp``, so nothing of one submission reaches the
  next. Answers ``clean``, or exits when something survives (the grader then starts a new
  sandbox).

The zygote answers ``ready`` once the modules are imported. It is made non-dumpable, so its
children (another uid anyway) cannot ptrace it or read its memory.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

from autograder.sandbox.worker import Worker, bound_tmp_inodes, drop_privileges

WORK_DIR = Path("/tmp/work")
RESET_SECONDS = 10.0
"""Seconds a reset may spend killing what a submission left running before it gives up."""
CLONE_NEWIPC = 0x08000000
"""unshare(2) flag: a new IPC namespace (System V objects and POSIX message queues)."""


def serve(control: socket.socket, uid: int) -> None:
    """Answer ``fork`` and ``reset`` messages on ``control`` until the trusted side closes it.
    Before each fork the previous submission is reset, so a worker always starts clean."""
    child = status_fd = None
    while True:
        message, fds, _, _ = socket.recv_fds(control, 64, 4)
        if not message:
            return
        if message == b"fork" and len(fds) == 4:
            child, status_fd = _reset(child, status_fd)
            WORK_DIR.mkdir(mode=0o777)
            WORK_DIR.chmod(0o777)
            child, status_fd = fork_worker(fds, uid, control), fds[3]
            control.send(b"forked")
        elif message == b"reset":
            for fd in fds:
                os.close(fd)
            child, status_fd = _reset(child, status_fd)
            control.send(b"clean")


def fork_worker(fds: list[int], uid: int, control: socket.socket) -> int:
    request_fd, response_fd, output_fd, status_fd = fds
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            control.close()
            os.close(status_fd)
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            os.close(output_fd)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.chdir(WORK_DIR)
            new_ipc_namespace()
            drop_privileges(uid)
            Worker(request_fd, response_fd).serve()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    for fd in (request_fd, response_fd, output_fd):
        os.close(fd)
    return pid


def new_ipc_namespace() -> None:
    """Move this process into a new, empty IPC namespace (needs CAP_SYS_ADMIN, which the zygote
    of a root grader has until the worker drops to its uid). Raises OSError when it cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWIPC) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWIPC) failed: {os.strerror(errno)}")


def _reset(child: int | None, status_fd: int | None) -> tuple[None, None]:
    """Kill the child and everything else, report the child's status, wipe what it wrote."""
    if child is not None:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(child, 0)
        try:
            os.write(status_fd, status.to_bytes(4, "big"))
        except OSError:
            pass
        os.close(status_fd)
    deadline = time.monotonic() + RESET_SECONDS
    while True:
        try:
            os.kill(-1, signal.SIGKILL)  # every process in this pid namespace but us and its init
        except ProcessLookupError:
            pass  # none left
        _reap()
        if not _others_alive():
            break
        if time.monotonic() > deadline:
            sys.exit("a process survived the reset")
        time.sleep(0.005)  # SIGKILLed processes take a moment to exit
    _wipe("/tmp", os.lstat("/tmp").st_dev)
    return None, None


def _wipe(path: str, device: int) -> bool:
    """Delete everything under ``path`` on ``device`` (the /tmp tmpfs), leaving mount points
    (the read-only Python installation may be mounted under /tmp) and the directories that
    hold them. Returns whether ``path`` is now empty."""
    empty = True
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.stat(follow_symlinks=False).st_dev != device:
                empty = False
            elif entry.is_dir(follow_symlinks=False):
                if _wipe(entry.path, device):
                    os.rmdir(entry.path)
                else:
                    empty = False
            else:
                os.unlink(entry.path)
    return empty


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _others_alive() -> bool:
    """Whether any process but this one and pid 1 is still running (zombies do not count)."""
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, me):
            try:
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z":
                return True
    return False


def main() -> None:
    """``python -m autograder.sandbox.zygote CONTROL_FD UID TMP_INODES MODULES``."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    control_fd, uid, tmp_inodes, modules = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if os.getpid() != 2 or os.getppid() != 1:
        sys.exit("the zygote must run as the first process of its own pid namespace")
    bound_tmp_inodes(tmp_inodes)
    PR_SET_DUMPABLE = 4
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    for module in filter(None, modules.split(",")):
        importlib.import_module(module)
    control = socket.socket(fileno=control_fd)
    control.send(b"ready")
    serve(control, uid)


if __name__ == "__main__":
    main()
