"""The ``dlgrade`` command line (click): ``build``, ``grade``, ``validate``, ``check``, ``demo``
and ``export`` (``canvas``, ``otter``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from autograder.bundle import Bundle, BundleError
from autograder.grading.batch import EXECUTORS, ResultsWriteError, collect_submissions, default_workers, grade_to_folder
from autograder.grading.grade import GradeOptions
from autograder.grading.launcher import SANDBOX_MODES, SandboxUnavailable, check_sandbox, detect_gpus
from autograder.grading.results import SubmissionResult

DATA_DIR_HELP = "Folder holding the datasets (mnist/, tinyshakespeare/, airline-passengers/, cifar-10-batches-py/). Default: $DLGRADE_DATA_DIR."
sandbox_option = click.option(
    "--sandbox", type=click.Choice(SANDBOX_MODES), default="bwrap", show_default=True,
    help="Isolation for student code. 'none' runs it as a plain child process: only for trusted notebooks.",
)
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="DLGRADE_DATA_DIR", help=DATA_DIR_HELP
)



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
        click.secho(
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
    click.echo(f"student notebook: {out.student_notebook}\nautograder:       {out.autograder_zip}")
    if out.solution_result:
        click.echo(
            f"verified: reference {out.solution_result.score:g}/{out.solution_result.max_score:g}, "
            f"untouched stub {out.stub_result.score:g}/{out.stub_result.max_score:g}"
        )


@main.command()
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

    Exits 0 when the batch finished, even if submissions failed; non-zero only when the
    grader itself could not run. Running the same command again resumes an interrupted batch:
    submissions already graded with the same autograder are kept unless --regrade.
    """
    _sandbox_or_exit(sandbox)
    try:
        bundle = Bundle.load(autograder_zip)
    except BundleError as exc:
        raise click.ClickException(str(exc))
    _check_data(bundle.config.data, data_dir)
    if tests_in_sandbox and bundle.otter is None:
        raise click.ClickException("--tests-in-sandbox is for plain otter assign zips; dlgrade bundles' tests need the trusted side")
    named = collect_submissions(list(submissions))
    if not named:
        raise click.ClickException("no .ipynb or .zip submissions found")
    workers = min(workers or default_workers(), len(named))
    options = _options(sandbox, data_dir, workers, timeout=timeout, gpus=_gpus(device, gpus), warm=not cold, tests_in_sandbox=tests_in_sandbox)
    if scheduler and executor != "dask":
        raise click.BadParameter("--scheduler needs --executor dask", param_hint="--scheduler")
    results = _grade_with_progress(autograder_zip, named, out_dir, options, workers, regrade, executor, scheduler)
    _print_table(results, out_dir)


def _check_data(datasets: list[str], data_dir: Path | None) -> None:
    """Exit with a clear message when a dataset the hidden tests need is not in ``data_dir``."""
    from reference.datasets import DATASET_FILES, DATASET_TITLES, missing_files

    for name in datasets:
        if name not in DATASET_FILES:
            raise click.ClickException(f"unknown dataset {name!r}; known: {', '.join(DATASET_FILES)}")
        missing = missing_files(name, data_dir)
        if missing:
            raise click.ClickException(
                f"the hidden tests need {DATASET_TITLES[name]}: pass --data-dir (or set DLGRADE_DATA_DIR) to a folder holding "
                + ", ".join(missing)
            )


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
        click.echo(f"{counts['kept']} submissions were already graded with this autograder and were kept (--regrade to redo them)")
    return results


def _print_table(results: list[SubmissionResult], out_dir: Path) -> None:
    width = max([len(r.submission) for r in results] + [10])
    click.echo(f"\n{'submission':<{width}}  {'score':>11}  time")
    for r in sorted(results, key=lambda r: r.submission):
        note = f"  {r.error.splitlines()[0][:70]}" if r.error else ""
        click.echo(f"{r.submission:<{width}}  {r.score:>5g}/{r.max_score:<5g}  {r.execution_time:5.1f}s{note}")
    click.echo(
        f"\nreports: {out_dir}/<submission>/feedback.html   class: {out_dir / 'summary.html'}   "
        f"grades: {out_dir / 'grades.csv'}, final_grades.csv"
    )


@main.command()
@click.argument("assignment_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@data_dir_option
@sandbox_option
@device_options
def validate(assignment_dirs: tuple[Path, ...], data_dir: Path | None, sandbox: str, device: str, gpus: str | None) -> None:
    """Prove each assignment's hidden tests tell right from wrong.

    The reference must score full marks, the untouched stub must pass no hidden test, and each
    known-buggy variant in mutants/ must fail a hidden test whose message points at the bug.
    Prints a table per assignment; exits non-zero on any failure.
    """
    from autograder.build.assign import BuildError
    from autograder.build.spec import AssignmentSpec, SpecError
    from autograder.build.validate import MutantError, validate as validate_assignment

    _sandbox_or_exit(sandbox)
    failures = 0
    for folder in assignment_dirs:
        try:
            _check_data(AssignmentSpec.load(folder).config.data, data_dir)
            workers = default_workers()
            report = validate_assignment(folder, _options(sandbox, data_dir, workers, gpus=_gpus(device, gpus)), workers)
        except (SpecError, BuildError, MutantError) as exc:
            raise click.ClickException(f"{folder}: {exc}")
        click.echo(f"\n{report.assignment}")
        width = max(len(c.submission) for c in report.checks)
        for check in report.checks:
            mark = "ok  " if check.ok else "FAIL"
            score = f"{check.result.score:g}/{check.result.max_score:g}"
            click.echo(f"  {mark} {check.submission:<{width}}  {score:>7}  expected {check.expectation}; {check.detail}".rstrip("; "))
        failures += not report.ok
    if failures:
        raise click.ClickException(f"{failures} assignment(s) failed validation")


@main.command()
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Seconds for the whole check (default 300).")
@sandbox_option
def check(notebook: Path, timeout: float | None, sandbox: str) -> None:
    """Run the public tests on NOTEBOOK the way the grader runs them, and print a table.

    Exits 0 when every public test passes, 1 otherwise. The hidden tests are not in your
    notebook: passing here does not promise full marks.
    """
    from autograder.check import CheckError, public_bundle
    from autograder.grading.grade import grade_submission

    _sandbox_or_exit(sandbox)
    try:
        bundle = public_bundle(notebook)
    except CheckError as exc:
        raise click.ClickException(str(exc))
    result = grade_submission(notebook, bundle, _options(sandbox, None, threads=ONE_OFF_THREADS, timeout=timeout))
    if result.error:
        click.secho(result.error, fg="red")
    for error in result.cell_errors:
        click.secho(f"cell {error.cell} raised {error.type}: {error.message}", fg="yellow")
    width = max(len(t.name) for t in result.tests)
    click.echo(f"\n{'public test':<{width}}  status  points")
    for test in result.tests:
        click.echo(f"{test.name:<{width}}  {test.status:<6}  {test.score:g}/{test.max_score:g}")
        if test.status != "passed":
            click.echo("    " + test.output.replace("\n", "\n    "))
    click.echo(f"\n{result.score:g}/{result.max_score:g} on the public tests ({result.execution_time:.1f} s)")
    if result.score < result.max_score:
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
    from reference.datasets import mnist_available

    _sandbox_or_exit(sandbox)
    fallback = not mnist_available(data_dir)
    if fallback:
        click.secho(
            "MNIST not found (no --data-dir / DLGRADE_DATA_DIR with mnist/): using scikit-learn's 8x8 digits, "
            "upsampled to 28x28, as a small stand-in.", fg="yellow", err=True,
        )
    options = _options(sandbox, data_dir, default_workers(), allow_fallback_data=fallback)
    click.echo("building mnist-softmax (and verifying its tests on the reference and the stub) ...")
    try:
        built = build_assignment(assignments_dir() / "mnist-softmax", out / "dist", options)
    except BuildError as exc:
        raise click.ClickException(str(exc))
    named = write_example_submissions(built.solution_notebook, built.student_notebook, out / "submissions")
    click.echo(f"grading {len(named)} example submissions from {out / 'submissions'} ...")
    results = _grade_with_progress(
        built.autograder_zip, named, out / "results", options, min(default_workers(), len(named)), regrade=True
    )
    _print_table(results, out / "results")


# ------------------------------------------------------------------------------ export


@main.group()
def export() -> None:
    """Export the grades of a results folder (written by `dlgrade grade`) to other systems.

    Late policy: when the autograder's assignment.toml has a [late] table (deadline,
    percent_per_day, max_days) and --timestamps CSV is given (columns submission,timestamp;
    ISO-8601 times with a UTC offset), the exported score is the raw score less
    percent_per_day % per day late, where days late = ceil(hours after the deadline / 24);
    past max_days the score is 0. result.json and grades.csv keep the raw scores.
    """


results_dir_argument = click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
timestamps_option = click.option(
    "--timestamps", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="CSV with columns submission,timestamp (ISO-8601 with a UTC offset): apply the assignment's late policy.",
)
autograder_option = click.option(
    "--autograder", "autograder_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Take the late policy (and test -> question map) from this autograder zip instead of RESULTS_DIR/assignment.json.",
)


def _export_inputs(results_dir: Path, autograder_zip: Path | None, timestamps: Path | None):
    """(results, AssignmentInfo, late outcomes or None) for an export; prints what it must."""
    from autograder.exports import AssignmentInfo, ExportError, late_outcomes, read_assignment_info, read_timestamps
    from autograder.grading.batch import read_results

    results = read_results(results_dir)
    if not results:
        raise click.ClickException(f"{results_dir} holds no <submission>/result.json: grade into it first")
    try:
        info = read_assignment_info(results_dir)
    except ExportError as exc:
        raise click.ClickException(str(exc))
    if autograder_zip is not None:
        try:
            bundle = Bundle.load(autograder_zip)
        except BundleError as exc:
            raise click.ClickException(str(exc))
        from_bundle = AssignmentInfo.from_bundle(bundle, {})
        from_bundle.files = info.files if info else {}
        info = from_bundle
    if info is None:
        info = AssignmentInfo(id=results_dir.resolve().name)
        click.secho(f"{results_dir}/assignment.json not found (graded by an older dlgrade?): pass --autograder ZIP "
                    "for the late policy and question names", fg="yellow", err=True)
    late = None
    if timestamps is not None:
        if info.late is None:
            raise click.ClickException("--timestamps given, but the assignment has no late policy ([late] in assignment.toml)")
        try:
            times, unknown = read_timestamps(timestamps, [r.submission for r in results], info.files)
        except ExportError as exc:
            raise click.ClickException(str(exc))
        if unknown:
            click.secho(f"{len(unknown)} timestamp rows name no graded submission: {', '.join(unknown)}", fg="yellow", err=True)
        untimed = sorted(r.submission for r in results if r.submission not in times)
        if untimed:
            click.secho(f"{len(untimed)} submissions have no timestamp and get no late penalty: {', '.join(untimed)}",
                        fg="yellow", err=True)
        late = late_outcomes(results, info.late, times)
        penalized = sorted((o.days_late, n) for n, o in late.items() if o.days_late)
        click.echo(
            f"late policy: deadline {info.late.deadline}, {info.late.percent_per_day:g}% per day"
            + (f", nothing after {info.late.max_days} days" if info.late.max_days is not None else "")
            + f"; {len(penalized)} late submissions"
        )
    elif info.late is not None:
        click.secho("the assignment has a late policy but no --timestamps were given: raw scores exported", fg="yellow", err=True)
    return results, info, late


@export.command("otter")
@results_dir_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write.")
@timestamps_option
@autograder_option
def export_otter(results_dir: Path, output: Path, timestamps: Path | None, autograder_zip: Path | None) -> None:
    """Write Otter's final_grades.csv for RESULTS_DIR to OUTPUT, with the late policy applied.

    `dlgrade grade` already writes RESULTS_DIR/final_grades.csv with raw scores. Columns: file,
    points per question, total_points_earned, percent_correct, grading_status; with
    --timestamps also submitted, days_late, late_penalty_percent and raw_total_points.
    """
    from autograder.exports import final_grades_csv

    results, info, late = _export_inputs(results_dir, autograder_zip, timestamps)
    output.write_text(final_grades_csv(results, info, late))
    click.echo(f"wrote {output} ({len(results)} submissions)")


@export.command("otter-results")
@results_dir_argument
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write.")
def export_otter_results(results_dir: Path, output: Path) -> None:
    """Otter's per-question results.json (as `otter run` writes it) for each submission in
    RESULTS_DIR, as OUTPUT/<submission>/results.json, for graders who upload results themselves."""
    from autograder.gradescope import otter_results_json

    results, info, _ = _export_inputs(results_dir, None, None)
    for result in results:
        (output / result.submission).mkdir(parents=True, exist_ok=True)
        (output / result.submission / "results.json").write_text(json.dumps(otter_results_json(result, info.questions), indent=2))
    click.echo(f"wrote {len(results)} results.json files under {output}")


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
    click.echo(f"wrote {output}: upload it in Gradescope's Configure Autograder > Zip file upload")


@export.command("canvas")
@results_dir_argument
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The course's Canvas gradebook export (Grades > Export > Export Entire Gradebook, CSV).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write.")
@click.option("--column", default=None,
              help="Gradebook column: 'Title (Canvas assignment id)', or a title that matches one roster column "
                   "'Title (id)'. A name in no roster column makes Canvas create a new assignment. Default: the assignment id.")
@click.option("--pattern", default=None, metavar="REGEX",
              help="Match by this regular expression's group named 'key', searched in each submission name.")
@click.option("--key", "keys", multiple=True, type=click.Choice(["SIS Login ID", "SIS User ID", "ID"]),
              help="Roster column(s) submission names are matched against (repeatable). Default: all three.")
@click.option("--points-possible", type=click.FloatRange(min=0), default=None,
              help="Scale scores to this many points (default: the autograder's points, unscaled).")
@timestamps_option
@autograder_option
def export_canvas(results_dir: Path, roster: Path, output: Path, column: str | None, pattern: str | None,
                  keys: tuple[str, ...], points_possible: float | None, timestamps: Path | None,
                  autograder_zip: Path | None) -> None:
    """Write a Canvas gradebook import CSV for RESULTS_DIR to OUTPUT.

    Columns Student, ID, SIS User ID, SIS Login ID, Section, then the assignment's column
    ("<title> (<Canvas assignment id>)"); a Points Possible row; a row per student of ROSTER in
    its order. Every submission is matched to a roster student by the rule below; submissions
    that match no student (or several), students matched by several submissions, and students
    without a submission are all listed, never silently dropped; their grades stay empty.
    Upload OUTPUT in Canvas under Grades > Import.

    \b
    Matching rule, for each submission name (its folder in RESULTS_DIR: the
    submitted file's name without its extension):
    1. with --pattern REGEX: the group named 'key' of the first match in the
       name, compared with the roster's key columns (case-insensitively);
    2. else a name in the form of Canvas's "Download Submissions",
       <lastnamefirstname>[_LATE]_<Canvas user ID>_<submission ID>_<file>:
       the student whose ID is <Canvas user ID>;
    3. else the longest start of the name that ends at its end or before a
       '_', '-', '.' or ' ' and equals a key column of a student
       (case-insensitively): jdoe3, jdoe3_hw2 and jdoe3-final all go to the
       student whose SIS Login ID is jdoe3.
    Key columns: --key (repeatable); default SIS Login ID, SIS User ID, ID.
    """
    import re

    from autograder.exports import KEY_COLUMNS, ExportError, canvas_column, canvas_csv, match_submissions, read_roster

    if pattern is not None:
        try:
            if "key" not in re.compile(pattern).groupindex:
                raise click.BadParameter("needs a group named 'key', e.g. '^(?P<key>[a-z0-9]+)_'", param_hint="--pattern")
        except re.error as exc:
            raise click.BadParameter(f"not a regular expression: {exc}", param_hint="--pattern")
    results, info, late = _export_inputs(results_dir, autograder_zip, timestamps)
    try:
        table = read_roster(roster)
        column = canvas_column(table, column or info.id)
    except ExportError as exc:
        raise click.ClickException(str(exc))
    matching = match_submissions([r.submission for r in results], table, pattern, keys or KEY_COLUMNS)

    max_score = max(r.max_score for r in results)
    scale = points_possible / max_score if points_possible is not None and max_score else 1.0
    scores = {r.submission: (late[r.submission].score if late else r.score) * scale for r in results}
    roster_points = table.points_possible.get(column, "")
    exported_points = points_possible if points_possible is not None else max_score
    try:
        if roster_points and abs(float(roster_points) - exported_points) > 1e-9:
            click.secho(f"the gradebook's {column!r} is worth {roster_points} points but the scores are out of "
                        f"{exported_points:g}: pass --points-possible {roster_points} to scale them", fg="yellow", err=True)
    except ValueError:
        pass
    output.write_text(canvas_csv(table, column, scores, matching, exported_points))

    click.echo(f"wrote {output}: column {column!r}, {len(matching.matched)} of {len(table.students)} students graded")
    problems = 0
    if matching.no_student:
        problems += len(matching.no_student)
        click.secho(f"{len(matching.no_student)} submissions match no student (not exported):", fg="red", err=True)
        for name in matching.no_student:
            click.echo(f"  {name}", err=True)
    if matching.ambiguous:
        problems += len(matching.ambiguous)
        click.secho(f"{len(matching.ambiguous)} submissions match several students (not exported):", fg="red", err=True)
        for name, students in matching.ambiguous.items():
            click.echo(f"  {name}: {'; '.join(students)}", err=True)
    if matching.conflicts:
        problems += len(matching.conflicts)
        click.secho(f"{len(matching.conflicts)} students match several submissions (grade left empty):", fg="red", err=True)
        by_id = {s["ID"]: s for s in table.students}
        for student_id, names in matching.conflicts.items():
            click.echo(f"  {by_id[student_id]['Student']} (ID {student_id}): {', '.join(names)}", err=True)
    if matching.no_submission:
        click.secho(f"{len(matching.no_submission)} students have no submission (grade left empty):", fg="yellow", err=True)
        for student in matching.no_submission:
            click.echo(f"  {student['Student']} (ID {student['ID']})", err=True)


if __name__ == "__main__":
    main()
