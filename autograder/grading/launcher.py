"""How a sandbox process is started: the bubblewrap command line, or no isolation at all.

The sandbox sees a read-only view of the system and of the Python installation, a private
writable ``/tmp`` (tmpfs of ``Limits.tmp_bytes``, and as root at most ``Limits.tmp_inodes``
inodes), its own user, pid, network, ipc, uts and cgroup namespaces (so no
network), and none of the grader's files: the autograder bundle, the reference solutions, the
assignment sources, the data directory and the results folder are not mounted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import autograder
from autograder.bundle import Limits

SANDBOX_MODES = ("bwrap", "uid", "none")
SANDBOX_UID_BASE = 61000
"""Host uid of the first parallel slot's sandbox (slot k runs as SANDBOX_UID_BASE + k)."""

PACKAGE_MOUNT = "/opt/dlgrade"
"""Where the ``autograder`` package (worker and protocol) appears inside the sandbox."""

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc/alternatives", "/etc/ssl", "/etc/fonts")
"""Read-only in every sandbox. /etc/fonts: fontconfig's config, without which matplotlib's
``fc-list`` prints "Fontconfig error: Cannot load default config file" into the student's output."""
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf")
NVIDIA_CONTROL_DEVICES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset")
"""Device nodes every CUDA process needs, besides ``/dev/nvidia<N>`` of its GPU."""


class SandboxUnavailable(RuntimeError):
    """bubblewrap was asked for but is not installed or cannot create namespaces."""


@dataclass(frozen=True)
class Launcher:
    """Builds the command for one sandbox.

    - mode: "bwrap" (isolated), "uid" (where user namespaces are forbidden, as in some
      containers: a plain child process under the limits, as its own uid, with no_new_privs;
      the grader must be root and keep its own files unreadable to that uid) or "none" (a
      plain child process; for machines without bubblewrap, never for real grading).
    - threads: BLAS/OpenMP threads the student's code may use.
    - limits: the assignment's resource limits, set with ``prlimit`` before anything runs
      (hard limits: the student's code cannot raise them).
    - uid: the host uid student code runs as when the grader is root; one per parallel slot,
      so per-uid limits (processes) do not bleed between slots. Without root, bubblewrap's
      user namespace maps the sandbox to uid 65534 instead.
    - gpu: index (``nvidia-smi`` / PCI bus order) of the one GPU the sandbox may use, or None
      for none. The sandbox gets the NVIDIA device nodes and ``CUDA_VISIBLE_DEVICES=<gpu>``;
      without a GPU, ``CUDA_VISIBLE_DEVICES`` is empty, so CUDA sees no device.
    """

    mode: str = "bwrap"
    threads: int = 1
    limits: Limits = field(default_factory=Limits)
    uid: int | None = SANDBOX_UID_BASE
    gpu: int | None = None

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
            *([f"--nproc={lim.processes}"] if self.drops_privileges else []),
            "--",
        ]

    def environment(self) -> dict[str, str] | None:
        """Environment for the launched process (bubblewrap sets the sandbox's own)."""
        if self.mode == "bwrap":
            return None
        env = {k: v for k, v in os.environ.items() if not k.startswith("DLGRADE")}
        env.update(self.device_env(), PYTHONPATH=str(Path(autograder.__file__).resolve().parent.parent))
        return env

    def device_env(self) -> dict[str, str]:
        """Thread caps and the GPU the sandbox's CUDA may see."""
        visible = "" if self.gpu is None else str(self.gpu)
        return {**thread_env(self.threads), "CUDA_DEVICE_ORDER": "PCI_BUS_ID", "CUDA_VISIBLE_DEVICES": visible}

    def command(self, request_fd: int, response_fd: int) -> list[str]:
        """The argv that starts a worker reading requests from ``request_fd`` and answering on
        ``response_fd`` (both inherited)."""
        worker = [sys.executable, "-u", "-m", "autograder.sandbox.worker", str(request_fd), str(response_fd)]
        if self.drops_privileges:  # the worker switches to it before any student code runs
            worker.append(str(self.uid))
            if self.mode == "bwrap":  # and first bounds its private /tmp (never the host's, in uid mode)
                worker.append(str(self.limits.tmp_inodes))
        return self.sandboxed(worker) if self.mode == "bwrap" else self.rlimits() + worker

    @property
    def can_fork_workers(self) -> bool:
        """Whether a warm zygote may serve this launcher's sandboxes: it needs bubblewrap's own
        pid namespace, and a root grader, so that student code runs as another uid than the
        zygote and can write nowhere but ``/tmp`` (which the zygote wipes between submissions)."""
        return self.mode == "bwrap" and self.drops_privileges

    def zygote_command(self, control_fd: int, modules: tuple[str, ...]) -> list[str]:
        """The argv of a warm sandbox (``autograder.sandbox.zygote``) that imports ``modules``
        and forks workers on request over the inherited unix socket ``control_fd``."""
        assert self.can_fork_workers, "a zygote needs bubblewrap and a root grader"
        zygote = [sys.executable, "-u", "-m", "autograder.sandbox.zygote", str(control_fd), str(self.uid),
                  str(self.limits.tmp_inodes), ",".join(modules)]
        return self.sandboxed(zygote)

    def sandboxed(self, argv: list[str]) -> list[str]:
        """``argv`` run under the resource limits inside a new bubblewrap sandbox."""
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
        args = self.rlimits() + [
            bwrap,
            *namespace_args(self.drops_privileges),
            "--die-with-parent",
            "--new-session",
            "--hostname", "sandbox",
            "--proc", "/proc",
            "--dev", "/dev",
            "--perms", "1777", "--size", str(self.limits.tmp_bytes), "--tmpfs", "/tmp",
            "--perms", "0777", "--dir", "/tmp/work",
            "--chdir", "/tmp/work",
            "--clearenv",
            "--setenv", "HOME", "/tmp/work",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
            "--setenv", "PYTHONPATH", PACKAGE_MOUNT,
            "--setenv", "PYTHONNOUSERSITE", "1",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
            "--setenv", "MPLBACKEND", "Agg",
            "--setenv", "MPLCONFIGDIR", "/tmp/work/.matplotlib",
        ]
        for var, value in self.device_env().items():
            args += ["--setenv", var, value]
        if self.gpu is not None:
            for node in (*NVIDIA_CONTROL_DEVICES, f"/dev/nvidia{self.gpu}"):
                args += ["--dev-bind-try", node, node]
            args += ["--ro-bind-try", "/sys", "/sys"]  # the CUDA driver reads PCI topology there
        args += ["--perms", "0755", "--dir", "/etc"]  # bwrap would make it 0700: a dropped uid could not reach /etc/fonts
        for path in SYSTEM_DIRS:
            args += ["--ro-bind-try", path, path]
        for path in SYSTEM_FILES:
            args += ["--ro-bind-try", path, path]
        binds = [(path, path) for path in python_dirs()]
        package_dir = Path(autograder.__file__).resolve().parent
        binds.append((package_dir, Path(PACKAGE_MOUNT) / "autograder"))
        for ancestor in _ancestors([target for _, target in binds]):
            args += ["--perms", "0755", "--dir", str(ancestor)]  # bwrap would make them 0700
        for source, target in binds:
            args += ["--ro-bind", str(source), str(target)]
        for secret in hidden_paths():
            if package_dir in secret.parents:  # also visible through the package mount
                args += ["--tmpfs", f"{PACKAGE_MOUNT}/autograder/{secret.relative_to(package_dir)}"]
            if any(m == secret or m in secret.parents for m in python_dirs()):
                args += ["--tmpfs", str(secret)]
        return args + ["--", *argv]

    @property
    def drops_privileges(self) -> bool:
        """Whether the sandbox runs as its own host uid (the grader runs as root and has a uid)."""
        return self.mode in ("bwrap", "uid") and self.uid is not None and os.geteuid() == 0


def check_sandbox(mode: str) -> None:
    """Raise SandboxUnavailable unless ``mode`` can start processes here.

    For "bwrap", runs ``true`` in the same namespaces grading uses, so a host that forbids
    user namespaces is caught before the batch starts.
    """
    if mode not in SANDBOX_MODES:
        raise SandboxUnavailable(f"unknown sandbox mode {mode!r}; choose one of {', '.join(SANDBOX_MODES)}")
    if mode == "none":
        return
    if mode == "uid":
        if os.geteuid() != 0:
            raise SandboxUnavailable("--sandbox uid runs student code as another uid: the grader must run as root")
        return
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed; on Debian/Ubuntu: apt-get install bubblewrap")
    probe = subprocess.run(
        [bwrap, *namespace_args(os.geteuid() == 0), "--die-with-parent", "--ro-bind", "/", "/", "true"],
        capture_output=True, text=True,
    )
    if probe.returncode != 0:
        raise SandboxUnavailable(f"bubblewrap cannot create namespaces here: {probe.stderr.strip()}")


def detect_gpus() -> list[int]:
    """Indices of the NVIDIA GPUs on this machine, as ``nvidia-smi`` numbers them (PCI bus
    order); empty without ``nvidia-smi`` or a working driver."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        out = subprocess.run([smi, "--query-gpu=index", "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [int(line) for line in out.stdout.split() if line.isdigit()] if out.returncode == 0 else []


def namespace_args(as_root: bool) -> list[str]:
    """bubblewrap's namespace options. As root: new pid, net, ipc, uts and cgroup namespaces
    but no user namespace, since the worker drops to a real unprivileged uid itself; otherwise
    everything including a user namespace that maps the sandbox to uid 65534."""
    if as_root:
        return ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    return ["--unshare-all", "--uid", "65534", "--gid", "65534"]


def _ancestors(targets: list[Path]) -> list[Path]:
    """Directories above the bind targets that bwrap would create, outermost first; those
    already provided (system dirs and what is under them, /tmp itself) are left out. A venv
    under /tmp (``/tmp/ci/main/.venv``) needs its parents made 0755 inside the sandbox's /tmp,
    or code that has dropped to the slot's uid cannot import from it."""
    provided = [Path(p) for p in SYSTEM_DIRS]
    found: list[Path] = []
    for target in targets:
        for parent in reversed(Path(target).parents):
            if parent in (Path("/"), Path("/tmp")) or any(p == parent or p in parent.parents for p in provided):
                continue
            if parent not in found:
                found.append(parent)
    return found


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

    These are every copy of the packaged assignment sources (``autograder/_resources``, which
    hold the reference solutions) that an installed dlgrade puts in site-packages, plus those
    of the ``autograder`` package in use (mounted at ``PACKAGE_MOUNT``).
    """
    from autograder.resources import packaged_resource_dirs

    found = [p.resolve() for p in packaged_resource_dirs()]
    for key in ("purelib", "platlib"):
        site = Path(sysconfig.get_paths()[key])
        found.append((site / "autograder" / "_resources").resolve())
    return sorted({p for p in found if p.exists()})
