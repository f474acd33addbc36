"""The ``dlgrade`` command line (click): ``build``, ``grade``, ``validate``, ``check``, ``demo``,
``export`` (``canvas``, ``otter``) and ``data fetch``. Each command parses its options and calls
the module that does the work; everything printed goes through ``autograder.console.echo``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.bundle import Bundle, BundleError
from autograder.console import echo, echo_line, echo_lines, verbatim
from autograder.data_fetch import FETCHABLE, MIRROR_ENV
from autograder.datasets import DataError, check_data
from autograder.exports.cli import export
from autograder.grading.batch import ResultsWriteError, grade_to_folder
from autograder.grading.executors import EXECUTORS
from autograder.grading.executors.local import default_workers
from autograder.grading.grade import GradeOptions
from autograder.grading.launcher import SANDBOX_MODES, SandboxUnavailable, check_sandbox, detect_gpus
from autograder.grading.results import SubmissionResult, results_table
from autograder.submissions import IDENTITY_RULE, collect_submissions

DATA_DIR_HELP = "Folder holding the datasets (mnist/, tinyshakespeare/, airline-passengers/, cifar-10-batches-py/). Default: $DLGRADE_DATA_DIR."
sandbox_option = click.option(
    "--sandbox", type=click.Choice(SANDBOX_MODES), default="bwrap", show_default=True,
    help="Isolation for student code. 'none' runs it as a plain child process: only for trusted notebooks.",
)
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="DLGRADE_DATA_DIR", help=DATA_DIR_HELP
)


EXIT_NOT_GRADED = 3
"""``dlgrade grade``'s exit status when the batch finished but some submissions were not graded:
files refused at collection (symbolic links, FIFOs, several files claiming one student) or
submissions the grader itself failed on (``state="grader_error"``), each listed on stderr."""


def device_options(command):
    """``--device`` and ``--gpus``: which GPUs student code may use."""
    command = click.option(
        "--gpus", default=None, metavar="0,1,...",
        help="GPU indices (nvidia-smi numbering) to share out between parallel slots. Default: all found.",
    )(command)
    return click.option(
        "--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
        help="cuda: each sandbox gets one GPU (CUDA_VISIBLE_DEVICES); cpu: none; auto: cuda where a GPU is found.",
    )(command)


def _gpus(device: str, gpus: str | None) -> tuple[int, ...]:
    """The GPU indices grading may use, from --device and --gpus."""
    if device == "cpu":
        return ()
    try:
        chosen = tuple(int(g) for g in gpus.split(",")) if gpus else tuple(detect_gpus())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated GPU indices, got {gpus!r}", param_hint="--gpus")
    if device == "cuda" and not chosen:
        raise click.ClickException("--device cuda: no NVIDIA GPU found (nvidia-smi lists none); use --device cpu")
    return chosen


@click.group()
@click.version_option(package_name="dlgrade")
def main() -> None:
    """dlgrade: build, check and grade deep-learning assignments with student code sandboxed."""


def _sandbox_or_exit(mode: str) -> None:
    try:
        check_sandbox(mode)
    except SandboxUnavailable as exc:
        raise click.ClickException(f"{exc}. Install bubblewrap, or pass --sandbox none for trusted notebooks only.")
    if mode == "none":
        echo(
            "WARNING: --sandbox none: student code runs unisolated, with your user's rights and network. "
            "Never use it for real submissions.", fg="red", bold=True, err=True,
        )


ONE_OFF_THREADS = 1
"""BLAS/OpenMP threads for the one-off gradings of ``build`` and ``check``, which often run beside
other work (a test suite, an editor): torch's spinning OpenMP threads on busy shared cores slow
training down tenfold or more, while one thread costs little on the reference and public tests."""


def _options(sandbox: str, data_dir: Path | None, workers: int = 1, threads: int | None = None, **kw) -> GradeOptions:
    """Grading options with the CPU cores shared out between ``workers`` sandboxes, unless
    ``threads`` (BLAS/OpenMP threads per sandbox) is given."""
    threads = threads or max(1, default_workers() // max(1, workers))
    return GradeOptions(sandbox=sandbox, data_dir=str(data_dir) if data_dir else None, threads=threads, **kw)


@main.command()
@click.argument("assignment_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", "dist", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@data_dir_option
@sandbox_option
@click.option("--no-verify", is_flag=True, help="Skip grading the reference and the stub.")
def build(assignment_dir: Path, dist: Path, data_dir: Path | None, sandbox: str, no_verify: bool) -> None:
    """Build ASSIGNMENT_DIR into DIST/student/<id>.ipynb and DIST/autograder.zip.

    Unless --no-verify, the build fails if the reference does not score full marks or the
    untouched student notebook scores on any hidden test.
    """
    from autograder.build.assign import BuildError, build as build_assignment
    from autograder.build.spec import AssignmentSpec, SpecError

    options = None
    if not no_verify:
        _sandbox_or_exit(sandbox)
        try:
            _check_data(AssignmentSpec.load(assignment_dir).config.data, data_dir)
        except SpecError as exc:
            raise click.ClickException(str(exc))
        options = _options(sandbox, data_dir, threads=ONE_OFF_THREADS)
    try:
        out = build_assignment(assignment_dir, dist, options)
    except (BuildError, SpecError) as exc:
        raise click.ClickException(str(exc))
    echo(f"student notebook: {out.student_notebook}\nautograder:       {out.autograder_zip}")
    if out.solution_result:
        echo(
            f"verified: reference {out.solution_result.score:g}/{out.solution_result.max_score:g}, "
            f"untouched stub {out.stub_result.score:g}/{out.stub_result.max_score:g}"
        )


@main.command(epilog=verbatim(IDENTITY_RULE))
@click.argument("autograder_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Results folder.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel sandboxes. Default: CPU cores.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Seconds per submission (default: the assignment's, 300).")
@click.option("--regrade", is_flag=True, help="Grade again submissions already graded with this autograder.")
@click.option(
    "--cold", is_flag=True,
    help="A new sandbox for every submission, instead of forking each from a warm one that imported numpy/torch once.",
)
@click.option(
    "--executor", type=click.Choice(EXECUTORS), default="local", show_default=True,
    help="local: a process pool here. dask: a Dask cluster (a LocalCluster of --workers processes unless --scheduler).",
)
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None, help="Address of an existing Dask scheduler (with --executor dask).")
@click.option(
    "--tests-in-sandbox", is_flag=True,
    help="Plain Otter zips: run the tests with Otter's own runner inside the sandbox (exact Otter semantics; "
         "students can read and forge the tests, results are marked forgeable).",
)
@data_dir_option
@sandbox_option
@device_options
def grade(autograder_zip: Path, submissions: tuple[Path, ...], out_dir: Path, workers: int | None,
          timeout: float | None, regrade: bool, cold: bool, executor: str, scheduler: str | None, data_dir: Path | None,
          sandbox: str, device: str, gpus: str | None, tests_in_sandbox: bool = False) -> None:
    """Grade SUBMISSIONS (.ipynb or .zip files, or folders of them) with AUTOGRADER_ZIP into OUT_DIR.

    Running the same command again resumes an interrupted batch: submissions already graded
    with the same autograder are kept unless --regrade (those the grader failed on are graded
    again).

    \b
    Exit status:
      0  every submission was graded (a notebook intake refused is graded 0: its own doing)
      1  the batch could not run or finish: unreadable autograder zip, missing data or
         sandbox, results not writable, interrupted
      2  usage error (bad options)
      3  the batch finished, but some submissions were not graded: files refused at
         collection (links, FIFOs, two files claiming one student), or the grader itself
         failed on them (their result.json has state "grader_error"; run the same command
         again); each is listed
    """
    _sandbox_or_exit(sandbox)
    try:
        bundle = Bundle.load(autograder_zip)
    except BundleError as exc:
        raise click.ClickException(str(exc))
    _check_data(bundle.config.data, data_dir)
    if tests_in_sandbox and bundle.otter is None:
        raise click.ClickException("--tests-in-sandbox is for plain otter assign zips; dlgrade bundles' tests need the trusted side")
    collection = collect_submissions(list(submissions))
    named = collection.submissions
    if not named:
        _list_refused(collection.refused)
        raise click.ClickException("no .ipynb or .zip submissions found that can be graded")
    workers = min(workers or default_workers(), len(named))
    options = _options(sandbox, data_dir, workers, timeout=timeout, gpus=_gpus(device, gpus), warm=not cold, tests_in_sandbox=tests_in_sandbox)
    if scheduler and executor != "dask":
        raise click.BadParameter("--scheduler needs --executor dask", param_hint="--scheduler")
    results = _grade_with_progress(autograder_zip, named, out_dir, options, workers, regrade, executor, scheduler)
    echo_lines(results_table(results, out_dir))
    _list_refused(collection.refused)
    failed = sorted(r.submission for r in results if r.state == "grader_error")
    if failed:
        echo(f"the grader failed on {len(failed)} submission(s), not graded: {', '.join(failed)}", fg="red", err=True)
    if collection.refused or failed:
        sys.exit(EXIT_NOT_GRADED)


def _list_refused(refused: dict[Path, str]) -> None:
    if refused:
        echo(f"\n{len(refused)} files were not graded (see the identity rule: dlgrade grade --help):", err=True, fg="red")
        for path, reason in refused.items():
            echo(f"  {path}: {reason}", err=True)


def _check_data(datasets: list[str], data_dir: Path | None) -> None:
    """Exit with a clear message when a dataset the hidden tests need is not in ``data_dir``."""
    try:
        check_data(datasets, data_dir)
    except DataError as exc:
        raise click.ClickException(str(exc))


def _grade_with_progress(bundle_path, named, out_dir, options, workers, regrade, executor="local", scheduler=None) -> list[SubmissionResult]:
    from tqdm import tqdm

    counts = {"kept": 0, "not full marks": 0}
    with tqdm(total=len(named), unit="submission", desc="grading", file=sys.stderr) as bar:
        def advance(result: SubmissionResult, kept: bool) -> None:
            counts["kept"] += kept
            counts["not full marks"] += result.score < result.max_score
            bar.set_postfix(counts)
            bar.update()

        try:
            results = grade_to_folder(bundle_path, named, out_dir, options, workers, advance, regrade, executor, scheduler)
        except KeyboardInterrupt:
            bar.close()
            raise click.ClickException(
                f"interrupted: the results graded so far are kept in {out_dir} (grades.csv updated); "
                "run the same command again to grade the rest"
            )
        except ResultsWriteError as exc:
            bar.close()
            raise click.ClickException(f"{exc}. Results written so far are kept; free space and run the same command again")
    if counts["kept"]:
        echo(f"{counts['kept']} submissions were already graded with this autograder and were kept (--regrade to redo them)")
    return results


@main.command()
@click.argument("assignment_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@data_dir_option
@sandbox_option
@device_options
@click.option("--mutate", is_flag=True, help="Mutation-test the hidden tests instead: grade generated first-order mutants of the reference.")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="With --mutate: grade this many mutants, drawn at random.")
@click.option("--seed", type=int, default=0, show_default=True, help="With --sample: the draw's seed.")
def validate(assignment_dirs: tuple[Path, ...], data_dir: Path | None, sandbox: str, device: str, gpus: str | None,
             mutate: bool, sample: int | None, seed: int) -> None:
    """Prove each assignment's hidden tests tell right from wrong.

    The reference must score full marks, the untouched stub must pass no hidden test, and each
    known-buggy variant in mutants/ must fail a hidden test whose message points at the bug.
    Prints a table per assignment; exits non-zero on any failure.

    With --mutate: the mutation score of the hidden tests and every surviving mutant (see
    autograder/build/mutate.py); exits non-zero when a score is under 95%.
    """
    from autograder.build.assign import BuildError
    from autograder.build.spec import AssignmentSpec, SpecError
    from autograder.build.validate import MutantError, validate as validate_assignment

    _sandbox_or_exit(sandbox)
    failures = 0
    if mutate:
        from autograder.build.mutate import TARGET, format_report, mutation_test

        workers = default_workers()
        for folder in assignment_dirs:
            try:
                _check_data(AssignmentSpec.load(folder).config.data, data_dir)
                options = _options(sandbox, data_dir, workers, gpus=_gpus(device, gpus))
                report = mutation_test(folder, options, workers, sample, seed)
            except (SpecError, BuildError, MutantError, RuntimeError, ValueError) as exc:
                raise click.ClickException(f"{folder}: {exc}")
            click.echo(format_report(report))
            failures += report.score < TARGET
        if failures:
            raise click.ClickException(f"{failures} assignment(s) under the {TARGET:.0%} mutation score")
        return
    for folder in assignment_dirs:
        try:
            _check_data(AssignmentSpec.load(folder).config.data, data_dir)
            workers = default_workers()
            report = validate_assignment(folder, _options(sandbox, data_dir, workers, gpus=_gpus(device, gpus)), workers)
        except (SpecError, BuildError, MutantError) as exc:
            raise click.ClickException(f"{folder}: {exc}")
        echo_lines(report.table())
        failures += not report.ok
    if failures:
        raise click.ClickException(f"{failures} assignment(s) failed validation")


@main.command()
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--autograder", "autograder_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="The course's autograder zip: run its public tests, on the trusted side, as grading does (for graders "
    "checking a student's notebook).",
)
@click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Seconds for the whole check (default 300).")
@sandbox_option
def check(notebook: Path, autograder_zip: Path | None, timeout: float | None, sandbox: str) -> None:
    """Run the public tests on NOTEBOOK (an .ipynb, or the .zip of a notebook and the files
    submitted with it) and print a table; warn about a file the assignment wants submitted
    with the notebook that is missing.

    Without --autograder, the tests stored in NOTEBOOK (the ones grader.check runs) run in the
    sandbox together with its cells: nothing from the notebook runs outside it. With
    --autograder ZIP, that zip's public tests run outside the sandbox exactly as grading runs
    them. Exits 0 when every public test passes, 1 otherwise. The hidden tests are not in your
    notebook: passing here does not promise full marks.
    """
    from autograder.check import (
        CheckError, attachment_lines, check_own_notebook, environment_lines, public_tests_of, recorded_attachments, report_lines,
    )
    from autograder.grading.grade import grade_submission

    _sandbox_or_exit(sandbox)
    options = _options(sandbox, None, threads=ONE_OFF_THREADS, timeout=timeout)
    try:
        if autograder_zip is None:
            echo_lines(environment_lines(notebook) + attachment_lines(notebook, recorded_attachments(notebook)))
            result = check_own_notebook(notebook, options)
        else:
            bundle = public_tests_of(Bundle.load(autograder_zip))
            echo_lines(environment_lines(notebook) + attachment_lines(notebook, bundle.config.attachments))
            result = grade_submission(notebook, bundle, options)
    except (CheckError, BundleError) as exc:
        raise click.ClickException(str(exc))
    echo_lines(report_lines(notebook, result))
    if result.score < result.max_score or result.error or not all(t.graded for t in result.tests):
        sys.exit(1)


@main.command()
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("dlgrade-demo"), show_default=True)
@data_dir_option
@sandbox_option
def demo(out: Path, data_dir: Path | None, sandbox: str) -> None:
    """Build mnist-softmax, write three example submissions, grade them, print the scores."""
    from autograder.build.assign import BuildError, build as build_assignment
    from autograder.demo import write_example_submissions
    from autograder.resources import assignments_dir
    from autograder.datasets import mnist_available

    _sandbox_or_exit(sandbox)
    fallback = not mnist_available(data_dir)
    if fallback:
        echo(
            "MNIST not found (no --data-dir / DLGRADE_DATA_DIR with mnist/): using scikit-learn's 8x8 digits, "
            "upsampled to 28x28, as a small stand-in.", fg="yellow", err=True,
        )
    options = _options(sandbox, data_dir, default_workers(), allow_fallback_data=fallback)
    echo("building mnist-softmax (and verifying its tests on the reference and the stub) ...")
    try:
        built = build_assignment(assignments_dir() / "mnist-softmax", out / "dist", options)
    except BuildError as exc:
        raise click.ClickException(str(exc))
    named = write_example_submissions(built.solution_notebook, built.student_notebook, out / "submissions")
    echo(f"grading {len(named)} example submissions from {out / 'submissions'} ...")
    results = _grade_with_progress(
        built.autograder_zip, named, out / "results", options, min(default_workers(), len(named)), regrade=True
    )
    echo_lines(results_table(results, out / "results"))


# ------------------------------------------------------------------------------ data


@main.group()
def data() -> None:
    """Get the datasets the hidden tests read (see autograder/datasets.py)."""


@data.command("fetch")
@click.argument("names", nargs=-1, type=click.Choice(FETCHABLE))
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=Path), envvar="DLGRADE_DATA_DIR", required=True,
              help="The data directory to fill (then pass it as --data-dir). Default: $DLGRADE_DATA_DIR.")
@click.option("--mirror", metavar="URL", envvar=MIRROR_ENV, default=None,
              help=f"Base URL of a copy of a whole data directory, used instead of the public sources. Default: ${MIRROR_ENV}.")
def data_fetch(names: tuple[str, ...], to: Path, mirror: str | None) -> None:
    """Download NAMES (default: all) into TO from their public sources, checking every file's
    SHA-256; files already there with the right checksum are kept.

    CIFAR-10 is not fetched: unpack cifar-10-python.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) into TO.
    """
    from autograder.data_fetch import FetchError, fetch

    try:
        files = fetch(names, to, mirror, notify=echo_line)
    except FetchError as exc:
        raise click.ClickException(str(exc))
    echo(f"{len(files)} files in {to}; pass --data-dir {to} (or set DLGRADE_DATA_DIR)")


main.add_command(export)


@main.command("gradescope")
@click.argument("autograder_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Gradescope zip to write.")
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="dlgrade wheel to install on Gradescope (default: built from this source checkout).")
def gradescope(autograder_zip: Path, output: Path, wheel: Path | None) -> None:
    """Write a Gradescope autograder zip (setup.sh, run_autograder) that grades each submission
    with AUTOGRADER_ZIP in dlgrade's sandbox (see autograder/gradescope.py)."""
    from autograder.gradescope import GradescopeError, write_autograder

    try:
        write_autograder(autograder_zip, output, wheel)
    except GradescopeError as exc:
        raise click.ClickException(str(exc))
    echo(f"wrote {output}: upload it in Gradescope's Configure Autograder > Zip file upload")

if __name__ == "__main__":
    main()
