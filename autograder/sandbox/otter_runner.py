"""Otter's own test runner, run inside the sandbox (``--tests-in-sandbox``).

Each test file is read as Otter reads it (``otter.test_files.create_test_file``: the file's
``OK_FORMAT`` picks ``OKTestFile`` or ``ExceptionTestFile``) and run with ``TestFile.run`` on the
notebook's own globals: exactly Otter's semantics, and, as in Otter, student code runs in the
same process as the tests and can forge their outcome.
"""

from __future__ import annotations

from typing import Any


def run_otter_tests(sources: dict[str, str], env: dict[str, Any]) -> list[dict]:
    """Run each test file (name -> source) on ``env``. Returns, per test case in file order,
    {"file": name, "index": case index, "passed": bool, "message": Otter's message (str)}."""
    from otter.test_files import ExceptionTestFile, OKTestFile

    out = []
    for name, source in sorted(sources.items()):
        spec: dict = {}
        exec(compile(source, name, "exec"), spec)
        test_file = OKTestFile.from_spec(spec["test"], path=name) if spec.get("OK_FORMAT") else ExceptionTestFile.from_string(source, path=name)
        test_file.run(env)
        out += [{"file": name, "index": i, "passed": bool(r.passed), "message": str(r.message)}
                for i, r in enumerate(test_file.test_case_results)]
    return out
