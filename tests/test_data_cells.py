"""The student notebooks' data cells (issue 14, item 8): a truncated or damaged download is
detected by its SHA-256 and fetched again, instead of failing with EOFError on every run."""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

import pytest

from autograder.build.spec import AssignmentSpec
from conftest import REPO, data_dir

DOWNLOADING = sorted(p.parent.name for p in (REPO / "assignments").glob("*/assignment.toml") if "urlretrieve" in p.read_text())


def data_cell(assignment: str) -> str:
    return next(c.code for c in AssignmentSpec.load(REPO / "assignments" / assignment).cells if c.code and "urlretrieve" in c.code)


def imports() -> dict:
    """What the notebooks' earlier cells have imported when the data cell runs."""
    import numpy as np
    import torch

    return {"np": np, "torch": torch, "nn": torch.nn}


def test_every_downloading_assignment_is_checked():
    assert len(DOWNLOADING) >= 6 and "torch-cnn-mnist" in DOWNLOADING


@pytest.mark.parametrize("assignment", DOWNLOADING)
def test_a_truncated_download_is_fetched_again(assignment, tmp_path, monkeypatch):
    shared = data_dir()
    if shared is None:
        pytest.skip("the datasets are not here: set DLGRADE_DATA_DIR")
    code = data_cell(assignment)
    fetched = []

    def urlretrieve(url, filename):  # the "mirror": the grader's own copy of the file
        source = next(Path(shared).rglob(url.rsplit("/", 1)[-1]))
        fetched.append(url)
        shutil.copyfile(source, filename)

    monkeypatch.setattr(urllib.request, "urlretrieve", urlretrieve)
    monkeypatch.setenv("DLGRADE_DATA_DIR", str(tmp_path))
    exec(compile(code, f"{assignment}-data-cell", "exec"), imports())  # a first, whole download
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files and len(fetched) == len(files) and not list(tmp_path.rglob("*.part"))
    for path in files:  # an interrupted download, as left behind by a Ctrl-C or a dropped connection
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    fetched.clear()
    exec(compile(code, f"{assignment}-data-cell", "exec"), imports())  # no EOFError: fetched again, whole
    assert len(fetched) == len(files)
    exec(compile(code, f"{assignment}-data-cell", "exec"), imports())
    assert len(fetched) == len(files)  # whole files are not fetched again
