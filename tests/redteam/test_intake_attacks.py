"""Bad input at intake: each gets a clear message and a 0, the rest of the batch is graded."""

from __future__ import annotations

import json
import stat
import zipfile

import nbformat
import pytest

from autograder.grading.batch import grade_to_folder
from autograder.intake import IntakeError, read_submission
from autograder.submissions import collect_submissions
from conftest import DOUBLE, code_notebook, options, tiny_bundle


def notebook_bytes(*cells: str) -> bytes:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])).encode()


def make_zip(path, entries: dict[str, bytes], symlinks: dict[str, str] = {}):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in symlinks.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


@pytest.mark.parametrize(
    "entries, symlinks, message",
    [
        ({"hw.ipynb": b" " * (60 * 2**20)}, {}, "inflates beyond"),
        ({"../../evil.ipynb": notebook_bytes(DOUBLE)}, {}, "outside its own folder"),
        ({"/etc/evil.ipynb": notebook_bytes(DOUBLE)}, {}, "outside its own folder"),
        ({"C:/evil.ipynb": notebook_bytes(DOUBLE)}, {}, "outside its own folder"),
        ({"hw.ipynb": notebook_bytes(DOUBLE)}, {"data": "/etc/passwd"}, "symbolic link"),
        ({"a.ipynb": notebook_bytes(DOUBLE), "b.ipynb": notebook_bytes(DOUBLE)}, {}, "exactly one .ipynb"),
        ({"notes.txt": b"hi"}, {}, "exactly one .ipynb"),
        ({f"f{i}.txt": b"" for i in range(150)}, {}, "limit is 100"),
    ],
    ids=["zip-bomb", "traversal", "absolute", "drive-letter", "symlink", "two-notebooks", "no-notebook", "too-many-files"],
)
def test_hostile_zips_are_refused_with_a_reason(tmp_path, entries, symlinks, message):
    path = make_zip(tmp_path / "submission.zip", entries, symlinks)
    with pytest.raises(IntakeError, match=message):
        read_submission(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["submission.zip"]  # nothing was extracted


def test_a_file_named_zip_that_is_not_one(tmp_path):
    path = tmp_path / "hw.zip"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(IntakeError, match="cannot be read"):
        read_submission(path)


def test_a_200_mb_notebook_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.ipynb"
    with path.open("wb") as f:
        f.truncate(200 * 2**20)  # sparse: costs no disk
    with pytest.raises(IntakeError, match="200 MB"):
        read_submission(path)


def test_a_batch_of_bad_and_good_input_grades_every_good_one(tmp_path, sandbox_mode):
    subs = tmp_path / "subs"
    (subs / "a").mkdir(parents=True)
    (subs / "b").mkdir()
    make_zip(subs / "zipped ok – élève.zip", {"folder/hw.ipynb": notebook_bytes(DOUBLE), "__MACOSX/._hw.ipynb": b"junk"})
    make_zip(subs / "bomb.zip", {"hw.ipynb": b"{" * (60 * 2**20)})
    code_notebook(subs / "a" / "same.ipynb", DOUBLE)
    code_notebook(subs / "b" / "same.ipynb", "def double(x):\n    return x")
    (subs / "v3.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}))
    (subs / "latin1.ipynb").write_bytes("{\"cells\": [\"é\"]}".encode("latin-1"))
    named = collect_submissions([subs]).submissions  # a/ and b/ are students' folders: their names
    assert set(named) == {"zipped ok – élève", "bomb", "a", "b", "v3", "latin1"}

    results = {r.submission: r for r in grade_to_folder(tiny_bundle(tmp_path), named, tmp_path / "out", options(sandbox_mode), workers=1)}
    assert results["zipped ok – élève"].score == 3 and results["a"].score == 3 and results["b"].score == 0
    assert "inflates beyond" in results["bomb"].error
    assert "nbformat = 3" in results["v3"].error and "not UTF-8" in results["latin1"].error
    for name in ("bomb", "v3", "latin1"):
        assert results[name].score == 0 and (tmp_path / "out" / name / "feedback.html").is_file()
