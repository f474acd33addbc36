"""``dlgrade export`` (``otter``, ``otter-results``, ``canvas``): options parsed here, the work done by the modules
of ``autograder.exports``. Registered on ``dlgrade`` by ``autograder.cli``."""

from __future__ import annotations

import re
from pathlib import Path

import click

from autograder.console import echo_line, echo_lines, verbatim
from autograder.exports.canvas import KEY_COLUMNS, MATCHING_RULE, write_canvas_import
from autograder.exports.info import ExportError
from autograder.exports.inputs import ExportInputs, export_inputs
from autograder.exports.otter import write_final_grades, write_otter_results
from autograder.grading.batch import read_results


@click.group()
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


def _export_inputs(results_dir: Path, autograder_zip: Path | None, timestamps: Path | None) -> ExportInputs:
    """``export_inputs`` of RESULTS_DIR, printing its warnings as they come."""
    try:
        return export_inputs(results_dir, read_results(results_dir), autograder_zip, timestamps, echo_line)
    except ExportError as exc:
        raise click.ClickException(str(exc))


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
    echo_lines(write_final_grades(output, _export_inputs(results_dir, autograder_zip, timestamps)))


@export.command("otter-results")
@results_dir_argument
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write.")
def export_otter_results(results_dir: Path, output: Path) -> None:
    """Otter's per-question results.json (as `otter run` writes it) for each submission in
    RESULTS_DIR, as OUTPUT/<submission>/results.json, for graders who upload results themselves
    (raw scores)."""
    echo_lines(write_otter_results(output, _export_inputs(results_dir, None, None)))


@export.command("canvas", epilog=verbatim(MATCHING_RULE))
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
    Upload OUTPUT in Canvas under Grades > Import. The matching rule follows.
    """
    if pattern is not None:
        try:
            if "key" not in re.compile(pattern).groupindex:
                raise click.BadParameter("needs a group named 'key', e.g. '^(?P<key>[a-z0-9]+)_'", param_hint="--pattern")
        except re.error as exc:
            raise click.BadParameter(f"not a regular expression: {exc}", param_hint="--pattern")
    inputs = _export_inputs(results_dir, autograder_zip, timestamps)
    try:
        echo_lines(write_canvas_import(output, inputs, roster, column, pattern, keys or KEY_COLUMNS, points_possible))
    except ExportError as exc:
        raise click.ClickException(str(exc))
