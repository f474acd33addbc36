"""The autograder bundle (``autograder.zip``): what ``build`` writes and ``grade`` reads.

Layout::

    dlgrade.json          assignment id, seed, limits, data needs (see ``BundleConfig``)
    tests/<question>.py   Otter test files (exception-based or OK format), public and hidden cases
    assignment/<name>.py  the assignment's reference solution (``solution.py``) and grader-only
                          helpers, which the tests import as ``assignment`` (see
                          ``autograder.assignment_package``); never sent to a sandbox

An Otter autograder zip without ``dlgrade.json`` is read with the default config.
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from otter.test_files import ExceptionTestFile, OKTestFile
from otter.test_files.abstract_test import TestCase

from autograder.assignment_package import PACKAGE, ModulePackage
from autograder.otter_compat import REQUIREMENTS_NAME, OtterConfig, case_name, preload_modules

CONFIG_NAME = "dlgrade.json"
MAX_TEST_FILE_BYTES = 2**20


class BundleError(Exception):
    """The autograder zip is unreadable or inconsistent."""


@dataclass(frozen=True)
class Limits:
    """Per-submission limits, each reported to the student in plain words when hit.

    - timeout: wall clock for the whole submission, seconds.
    - call_timeout: one call into the student's code (or all cells together), seconds.
    - max_output_bytes: captured stdout+stderr, bytes.
    - memory_bytes: address space of the sandboxed process (RLIMIT_AS), bytes; importing
      torch alone needs about 1 GiB.
    - cpu_seconds: CPU time of the sandboxed process (RLIMIT_CPU), seconds.
    - file_bytes: size of any one file it writes (RLIMIT_FSIZE), bytes.
    - open_files: file descriptors it may hold (RLIMIT_NOFILE).
    - tmp_bytes: size of its private, writable /tmp, bytes.
    - tmp_inodes: files, folders and links its private /tmp may hold at once (the tmpfs's
      ``nr_inodes``; each costs the kernel about 1 KiB that ``tmp_bytes`` does not count);
      applied when the grader runs as root.
    - processes: processes and threads its uid may have (RLIMIT_NPROC; applied when the
      grader runs as root and gives each slot its own uid).
    - attachment_bytes: size of one file submitted with the notebook (see
      ``BundleConfig.attachments``), bytes.
    - time_margin: how many times the reference solution's measured time a test (or the cells)
      may take, for a loaded machine or slower student code (see ``autograder.grading.budget``).
    """

    timeout: float = 300.0
    call_timeout: float = 60.0
    max_output_bytes: int = 64 * 1024
    memory_bytes: int = 4 * 2**30
    cpu_seconds: int = 600
    file_bytes: int = 256 * 2**20
    open_files: int = 256
    tmp_bytes: int = 512 * 2**20
    tmp_inodes: int = 16384
    processes: int = 256
    attachment_bytes: int = 64 * 2**20
    time_margin: float = 5.0


@dataclass(frozen=True)
class LatePolicy:
    """A late-submission penalty (``[late]`` in ``assignment.toml``), applied when scores are
    exported (``dlgrade export ... --timestamps CSV``); ``result.json`` keeps the raw score.

    - deadline: ISO-8601 date and time with a UTC offset (``2025-03-01T23:59:00-05:00``).
    - percent_per_day: points taken off, in percent of the score, per day late.
    - max_days: the last day late work is accepted; a submission later than that scores 0.
      None: no cut-off (the penalty stops at 100 %).

    Days late = ceil(hours after the deadline / 24): one second late is one day late,
    exactly 24 h late is one day, 24 h and one second is two.
    """

    deadline: str
    percent_per_day: float
    max_days: int | None = None

    def __post_init__(self) -> None:
        deadline = self.deadline_time  # raises ValueError when unreadable or without an offset
        object.__setattr__(self, "deadline", deadline.isoformat())
        if not 0 <= float(self.percent_per_day) <= 100:
            raise ValueError(f"late.percent_per_day must be between 0 and 100, got {self.percent_per_day!r}")
        object.__setattr__(self, "percent_per_day", float(self.percent_per_day))
        if self.max_days is not None:
            if isinstance(self.max_days, bool) or int(self.max_days) != self.max_days or self.max_days < 0:
                raise ValueError(f"late.max_days must be a whole number of days >= 0, got {self.max_days!r}")
            object.__setattr__(self, "max_days", int(self.max_days))

    @property
    def deadline_time(self) -> datetime:
        return parse_time(self.deadline, what="late.deadline")

    def days_late(self, submitted: datetime) -> int:
        """Whole days after the deadline, rounded up; 0 when on time. ``submitted`` must be aware."""
        seconds = (submitted - self.deadline_time).total_seconds()
        return 0 if seconds <= 0 else math.ceil(seconds / 86400)

    def penalty_percent(self, days_late: int) -> float:
        """Percent of the score taken off for ``days_late`` days."""
        if days_late <= 0:
            return 0.0
        if self.max_days is not None and days_late > self.max_days:
            return 100.0
        return min(100.0, days_late * self.percent_per_day)

    @classmethod
    def from_json(cls, data: dict) -> "LatePolicy":
        """From ``[late]`` in assignment.toml (deadline may be a TOML datetime) or dlgrade.json.
        Raises ValueError naming the bad field."""
        unknown = set(data) - {"deadline", "percent_per_day", "max_days"}
        if unknown:
            raise ValueError(f"unknown late-policy field(s): {', '.join(sorted(unknown))}")
        if "deadline" not in data or "percent_per_day" not in data:
            raise ValueError("the late policy needs 'deadline' and 'percent_per_day'")
        deadline = data["deadline"]
        if isinstance(deadline, datetime):
            if deadline.tzinfo is None:
                raise ValueError(f"late.deadline {deadline.isoformat()} has no UTC offset (write e.g. 2025-03-01T23:59:00-05:00)")
            deadline = deadline.isoformat()
        percent = data["percent_per_day"]
        if isinstance(percent, bool) or not isinstance(percent, (int, float)):
            raise ValueError(f"late.percent_per_day must be a number, got {percent!r}")
        return cls(str(deadline), percent, data.get("max_days"))


def parse_time(text: str, what: str = "timestamp") -> datetime:
    """An ISO-8601 date and time that carries a UTC offset (``Z`` allowed). Raises ValueError."""
    value = str(text).strip()
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an ISO-8601 date and time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{what} {value!r} has no UTC offset (write e.g. 2025-03-01T23:59:00-05:00 or ...Z)")
    return parsed


@dataclass(frozen=True)
class BundleConfig:
    """What ``dlgrade.json`` holds.

    - id: assignment id (``mnist-softmax``).
    - seed: assignment seed; each test's ``rng`` fixture is seeded from (seed, test name).
    - data: datasets the hidden tests read from the grader's data dir (``["mnist"]``).
    - attachments: plain file names a student submits with the notebook (a trained
      ``state_dict``, say): in the same ``.zip``, or beside a notebook that is alone in its folder.
    - preload: modules a warm sandbox imports once for all the submissions it serves
      (``["numpy", "torch"]``; see ``autograder.grading.warm``).
    - late: the late-submission penalty applied on export (``LatePolicy``), or None.
    - environment: the grading environment the bundle was built and verified in, package name ->
      version (``{"python": "3.11.9", "numpy": "2.1.3", "torch": "2.5.1"}``); empty when unknown.
    - reference_seconds: what the reference solution's code took when ``dlgrade build`` verified
      the bundle, seconds: test name -> time spent in its calls into the notebook; empty when not
      measured. Each test's time budget is derived from it (``autograder.grading.budget``).
    - reference_cells_seconds: what running the reference notebook's cells took, seconds (None:
      not measured).
    - questions: the questions in notebook order; test files are listed in this order (then by
      name for any not in it). Empty: by file name.
    - zip_files: every file of a ``.zip`` submission goes to the notebook's folder, by its path
      in the zip, not only ``attachments``: Otter's semantics (it extracts the whole submission
      zip there), set for plain Otter zips, never read from ``dlgrade.json``.
    """

    id: str = "assignment"
    seed: int = 0
    data: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    attachments: list[str] = field(default_factory=list)
    preload: list[str] = field(default_factory=lambda: ["numpy"])
    late: LatePolicy | None = None
    environment: dict[str, str] = field(default_factory=dict)
    reference_seconds: dict[str, float] = field(default_factory=dict)
    reference_cells_seconds: float | None = None
    questions: list[str] = field(default_factory=list)
    zip_files: bool = False

    @property
    def zip_extra_bytes(self) -> int:
        """Bytes a ``.zip`` submission may carry beyond its notebook: one ``attachment_bytes``
        per attachment, or one for all its files with ``zip_files``."""
        return self.limits.attachment_bytes * (1 if self.zip_files else len(self.attachments))

    @classmethod
    def from_json(cls, data: dict) -> "BundleConfig":
        return cls(
            late=LatePolicy.from_json(data["late"]) if data.get("late") else None,
            id=str(data.get("id", "assignment")),
            seed=int(data.get("seed", 0)),
            data=list(data.get("data", [])),
            limits=Limits(**data.get("limits", {})),
            attachments=list(data.get("attachments", [])),
            preload=list(data.get("preload", ["numpy"])),
            environment={str(k): str(v) for k, v in dict(data.get("environment", {})).items()},
            reference_seconds={str(k): float(v) for k, v in dict(data.get("reference_seconds", {})).items()},
            reference_cells_seconds=None if data.get("reference_cells_seconds") is None else float(data["reference_cells_seconds"]),
            questions=[str(q) for q in data.get("questions", [])],
        )


@dataclass
class Bundle:
    """A loaded autograder bundle: config, parsed test files, the zip's sha256 (hex) and the
    assignment's modules (``ModulePackage``), importable as ``assignment`` inside ``modules()``."""

    config: BundleConfig
    test_files: list[ExceptionTestFile]
    sha256: str
    otter: OtterConfig | None = None
    """Set for a plain ``otter assign`` zip: grade it with Otter's semantics (``otter_compat``)."""
    package: ModulePackage = field(default_factory=lambda: ModulePackage(PACKAGE, {}, "autograder.zip/assignment"))
    sources: dict[str, str] = field(default_factory=dict)
    """Test file name (``q1.py``, its ``TestFile.path``) -> source, for ``--tests-in-sandbox``."""

    def modules(self):
        """Context manager: the assignment's modules importable as ``assignment`` (run the
        bundle's test cases inside it)."""
        return self.package.installed()

    @property
    def test_cases(self) -> list[tuple[ExceptionTestFile, TestCase]]:
        """Every test case with the file it comes from, in file order."""
        return [(f, tc) for f in self.test_files for tc in f.test_cases]

    @property
    def test_names(self) -> list[str]:
        return [tc.name for _, tc in self.test_cases]

    @classmethod
    def load(cls, path: Path) -> "Bundle":
        """Read an autograder zip. Raises BundleError when it is not one."""
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                config, otter = BundleConfig(), None
                sources, modules = ({
                    n[len(folder):]: zf.read(n).decode()
                    for n in sorted(names)
                    if n.startswith(folder) and n.endswith(".py") and "/" not in n[len(folder):]
                    and zf.getinfo(n).file_size <= MAX_TEST_FILE_BYTES
                } for folder in ("tests/", f"{PACKAGE}/"))
                if CONFIG_NAME in names:
                    config = BundleConfig.from_json(json.loads(zf.read(CONFIG_NAME)))
                else:
                    otter = OtterConfig.from_zip(zf)
                    requirements = zf.read(REQUIREMENTS_NAME).decode() if REQUIREMENTS_NAME in names else ""
                    config = BundleConfig(preload=preload_modules(sources, requirements), zip_files=True)
        except (OSError, zipfile.BadZipFile, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise BundleError(f"{path}: not a readable autograder zip ({exc})") from None
        if not sources:
            raise BundleError(f"{path}: holds no tests/*.py test files")
        bundle = cls.from_sources(config, sources, digest, {n.removesuffix(".py"): s for n, s in modules.items()})
        return replace(bundle, otter=otter)

    @classmethod
    def from_sources(cls, config: BundleConfig, sources: dict[str, str], sha256: str = "", modules: dict[str, str] | None = None) -> "Bundle":
        """A bundle from test file sources (file name -> Python source), in the order of
        ``config.questions`` (notebook order), then by name, and the
        assignment's modules (module name -> source).

        Each file is an Otter exception-based or OK-format (doctest) test file, told apart as
        Otter does (``otter.test_files.create_test_file``: the file's ``OK_FORMAT``). Raises
        BundleError for a file that is neither.
        """
        package = ModulePackage(PACKAGE, modules or {}, "autograder.zip/assignment")
        order = {f"{q}.py": i for i, q in enumerate(config.questions)}
        test_files = []
        for name, source in sorted(sources.items(), key=lambda item: (order.get(item[0], len(order)), item[0])):
            with package.installed():  # test files may import the assignment's modules at the top
                test_file = read_test_file(name, source)
            test_file.test_cases = [replace(tc, name=case_name(test_file, i)) for i, tc in enumerate(test_file.test_cases)]
            test_files.append(test_file)
        return cls(config, test_files, sha256, package=package, sources=dict(sources))


def read_test_file(name: str, source: str) -> ExceptionTestFile | OKTestFile:
    """One test file of the zip, run as Otter runs it to read it (the instructor's code, on the
    trusted side). Raises BundleError when it does not define ``OK_FORMAT`` or does not parse."""
    env: dict = {}
    try:
        exec(compile(source, name, "exec"), env)
        if "OK_FORMAT" not in env:
            raise BundleError(f"{name}: not an Otter test file (it does not define OK_FORMAT)")
        if env["OK_FORMAT"]:
            return OKTestFile.from_spec(env["test"], path=name)
        return ExceptionTestFile.from_string(source, path=name)
    except BundleError:
        raise
    except Exception as exc:
        raise BundleError(f"{name}: unreadable Otter test file ({type(exc).__name__}: {exc})") from None


def config_json(config: BundleConfig) -> str:
    """``dlgrade.json``'s text for ``config``."""
    data = asdict(config)
    if data["late"] is None:  # bundles without a late policy stay as they were (same sha256)
        del data["late"]
    return json.dumps(data, indent=2)


def write_bundle(path: Path, config: BundleConfig, test_files: dict[str, str], modules: dict[str, str] | None = None) -> None:
    """Write an autograder zip. test_files: file name (``softmax.py``) -> source; modules: the
    assignment's modules, module name (``solution``) -> source."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(CONFIG_NAME, config_json(config))
        for name, source in sorted(test_files.items()):
            zf.writestr(f"tests/{name}", source)
        for name, source in sorted((modules or {}).items()):
            zf.writestr(f"{PACKAGE}/{name}.py", source)


def rewrite_config(path: Path, config: BundleConfig) -> None:
    """Replace the ``dlgrade.json`` of the autograder zip at ``path`` with ``config``, keeping
    every other member (through a temporary zip beside it and a rename). Raises BundleError
    when ``path`` is not a readable zip."""
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    try:
        with zipfile.ZipFile(path) as old, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as new:
            new.writestr(CONFIG_NAME, config_json(config))
            for info in old.infolist():
                if info.filename != CONFIG_NAME:
                    new.writestr(info, old.read(info))
    except (OSError, zipfile.BadZipFile) as exc:
        tmp.unlink(missing_ok=True)
        raise BundleError(f"{path}: cannot rewrite its {CONFIG_NAME} ({exc})") from None
    tmp.replace(path)
