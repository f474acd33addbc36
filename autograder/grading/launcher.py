"""How a sandbox process is started: the bubblewrap command line, or no isolation at all.

The sandbox sees a read-only view of the system and of the Python installation, a private
writable ``/tmp`` (tmpfs), its own user, pid, network, ipc, uts and cgroup namespaces (so no
network), and none of the grader's files: the autograder bundle, the reference solutions, the
assignment sources, the data directory and the results folder are not mounted.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import autograder
from autograder.bundle import Limits

SANDBOX_MODES = ("bwrap", "none")
PACKAGE_MOUNT = "/opt/dlgrade"
"""Where the ``autograder`` package (worker and protocol) appears inside the sandbox."""

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc/alternatives", "/etc/ssl")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf")


class SandboxUnavailable(RuntimeError):
    """bubblewrap was asked for but is not installed or cannot create namespaces."""


@dataclass(frozen=True)
class Launcher:
    """Builds the command for one sandbox.

    - mode: "bwrap" (isolated) or "none" (a plain child process; for machines without
      bubblewrap, never for real grading).
    - threads: BLAS/OpenMP threads the student's code may use.
    - limits: the assignment's resource limits, set with ``prlimit`` before anything runs
      (hard limits: the student's code cannot raise them).
    """

    mode: str = "bwrap"
    threads: int = 1
    limits: Limits = field(default_factory=Limits)

    def rlimits(self) -> list[str]:
        """The ``prlimit`` prefix applying ``limits`` to the sandbox and all it starts."""
        lim = self.limits
        return [
            "prlimit",
            f"--as={lim.memory_bytes}",
            f"--cpu={lim.cpu_seconds}:{lim.cpu_seconds + 5}",  # SIGXCPU at the soft limit, SIGKILL 5 s later
            f"--fsize={lim.file_bytes}",
            f"--nofile={lim.open_files}",
            "--core=0",
            "--",
        ]

    def environment(self) -> dict[str, str] | None:
        """Environment for the launched process (bubblewrap sets the sandbox's own)."""
        if self.mode != "none":
            return None
        env = {k: v for k, v in os.environ.items() if not k.startswith("DLGRADE")}
        env.update(thread_env(self.threads), PYTHONPATH=str(Path(autograder.__file__).resolve().parent.parent))
        return env

    def command(self, request_fd: int, response_fd: int) -> list[str]:
        """The argv that starts a worker reading requests from ``request_fd`` and answering on
        ``response_fd`` (both inherited)."""
        worker = [sys.executable, "-u", "-m", "autograder.sandbox.worker", str(request_fd), str(response_fd)]
        if self.mode == "none":
            return self.rlimits() + worker
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
        args = self.rlimits() + [
            bwrap,
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--uid", "65534", "--gid", "65534",
            "--hostname", "sandbox",
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", str(self.limits.tmp_bytes), "--tmpfs", "/tmp",
            "--dir", "/tmp/work",
            "--chdir", "/tmp/work",
            "--clearenv",
            "--setenv", "HOME", "/tmp/work",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
            "--setenv", "PYTHONPATH", PACKAGE_MOUNT,
            "--setenv", "PYTHONNOUSERSITE", "1",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        ]
        for var, value in thread_env(self.threads).items():
            args += ["--setenv", var, value]
        args += ["--setenv", "MPLBACKEND", "Agg", "--setenv", "MPLCONFIGDIR", "/tmp/work/.matplotlib"]
        for path in SYSTEM_DIRS:
            args += ["--ro-bind-try", path, path]
        for path in SYSTEM_FILES:
            args += ["--ro-bind-try", path, path]
        for path in python_dirs():
            args += ["--ro-bind", str(path), str(path)]
        args += ["--ro-bind", str(Path(autograder.__file__).parent), f"{PACKAGE_MOUNT}/autograder"]
        package_dir = Path(autograder.__file__).parent.resolve()
        for secret in hidden_paths():
            if package_dir in secret.parents:  # also visible through the package mount
                args += ["--tmpfs", f"{PACKAGE_MOUNT}/autograder/{secret.relative_to(package_dir)}"]
            if any(m == secret or m in secret.parents for m in python_dirs()):
                args += ["--tmpfs", str(secret)]
        return args + ["--", *worker]


def check_sandbox(mode: str) -> None:
    """Raise SandboxUnavailable unless ``mode`` can start processes here.

    For "bwrap", runs ``true`` in the same namespaces grading uses, so a host that forbids
    user namespaces is caught before the batch starts.
    """
    if mode not in SANDBOX_MODES:
        raise SandboxUnavailable(f"unknown sandbox mode {mode!r}; choose one of {', '.join(SANDBOX_MODES)}")
    if mode == "none":
        return
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed; on Debian/Ubuntu: apt-get install bubblewrap")
    probe = subprocess.run(
        [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        raise SandboxUnavailable(f"bubblewrap cannot create namespaces here: {probe.stderr.strip()}")


def thread_env(threads: int) -> dict[str, str]:
    """Variables that cap BLAS/OpenMP threads (and torch's intra-op pool) at ``threads``."""
    return {var: str(threads) for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def python_dirs() -> list[Path]:
    """Directories the sandbox's Python needs: its prefix, the venv and site-packages."""
    candidates = {Path(sys.base_prefix), Path(sys.prefix)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        candidates.add(Path(sysconfig.get_paths()[key]))
    candidates = {p.resolve() for p in candidates if p.exists()}
    # Keep only the outermost directories; nested binds are redundant.
    return sorted(p for p in candidates if not any(q != p and q in p.parents for q in candidates))


def hidden_paths() -> list[Path]:
    """Grader-only directories inside the mounted dirs, each covered by an empty tmpfs.

    These are every copy of the ``reference`` package and of the packaged assignment sources
    (``autograder/_resources``) that an installed dlgrade puts in site-packages, plus those of
    the ``autograder`` package in use (mounted at ``PACKAGE_MOUNT``).
    """
    from autograder.resources import packaged_resource_dirs

    found = [p.resolve() for p in packaged_resource_dirs()]
    spec = importlib.util.find_spec("reference")
    if spec is not None and spec.submodule_search_locations:
        found += [Path(p).resolve() for p in spec.submodule_search_locations]
    for key in ("purelib", "platlib"):
        site = Path(sysconfig.get_paths()[key])
        found += [(site / "reference").resolve(), (site / "autograder" / "_resources").resolve()]
    return sorted({p for p in found if p.exists()})
