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
    {"file": name, "index": case index, "passed": bool, "message": Otter's message (str),
    "name": the case's name, "points": its points, "hidden": bool, "missing": names its file
    asked for that the notebook does not define}. The trusted side keeps its
    own copy of names and points where it has one (``--tests-in-sandbox``); ``dlgrade check``
    on a student's own notebook has none and shows these."""
    from otter.test_files import ExceptionTestFile, OKTestFile

    from autograder.otter_compat import case_name

    out = []
    for name, source in sorted(sources.items()):
        spec: dict = {}
        exec(compile(source, name, "exec"), spec)
        test_file = OKTestFile.from_spec(spec["test"], path=name) if spec.get("OK_FORMAT") else ExceptionTestFile.from_string(source, path=name)
        asked = Recording(env)
        test_file.run(asked)
        cases = test_file.test_cases
        out += [{"file": name, "index": i, "passed": bool(r.passed), "message": str(r.message),
                 "name": case_name(test_file, i), "points": float(cases[i].points or 0.0), "hidden": bool(cases[i].hidden),
                 "missing": sorted(asked.missing)}
                for i, r in enumerate(test_file.test_case_results)]
    return out


class Recording(dict):
    """The notebook's globals as Otter's ``env``, recording the names a test file asked for with
    ``get`` that the notebook does not define (``missing``): a failure after asking for one is
    reported as that name missing, not as the ``NoneType`` error that follows."""

    def __init__(self, env: dict[str, Any]):
        super().__init__(env)
        self.missing: set[str] = set()

    def get(self, key: Any, default: Any = None) -> Any:
        if key not in self and isinstance(key, str):
            self.missing.add(key)
        return super().get(key, default)
