"""Class-level files and grade exports from a results folder.

Written by ``grade_to_folder`` at the end of every batch (also an interrupted or resumed one),
from every ``result.json`` of the batch's submissions (``otter.write_class_files``):

- ``grades.csv`` (``autograder.grading.results``): a column of points per test;
- ``final_grades.csv`` (``otter.py``): Otter's format (``otter grade``): ``file``, one column of
  points per question (sorted by name), ``total_points_earned``, ``percent_correct`` (a
  fraction, 4 digits), ``grading_status`` (``Completed`` or why the submission could not be
  graded); the first row, ``points-per-question``, holds the points possible;
- ``summary.html``: the class dashboard (``autograder.dashboard``);
- ``assignment.json`` (``info.py``): what exports need later without the autograder zip
  (assignment id, test -> question, submission -> file name, the late policy).

Exports (``dlgrade export``), each from ``inputs.export_inputs``: the Canvas gradebook import
CSV (``canvas.py``) and ``final_grades.csv`` with a late policy applied (``late.py``).
``result.json`` always keeps the raw score; late penalties exist only in the exported files.

This package's public names, importable from ``autograder.exports``, are listed in ``__all__``.
"""

from autograder.exports.canvas import (
    KEY_COLUMNS, MATCHING_RULE, Matching, Roster, canvas_column, canvas_csv, match_submissions, read_roster,
    write_canvas_import,
)
from autograder.exports.info import ASSIGNMENT_INFO, AssignmentInfo, ExportError, read_assignment_info
from autograder.exports.inputs import ExportInputs, export_inputs
from autograder.exports.late import LateOutcome, late_outcomes, read_timestamps
from autograder.exports.otter import POINTS_POSSIBLE_LABEL, final_grades_csv, write_class_files, write_final_grades

__all__ = [
    "ASSIGNMENT_INFO", "AssignmentInfo", "ExportError", "ExportInputs", "KEY_COLUMNS", "LateOutcome", "MATCHING_RULE",
    "Matching", "POINTS_POSSIBLE_LABEL", "Roster", "canvas_column", "canvas_csv", "export_inputs", "final_grades_csv",
    "late_outcomes", "match_submissions", "read_assignment_info", "read_roster", "read_timestamps",
    "write_canvas_import", "write_class_files", "write_final_grades",
]
