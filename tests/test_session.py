"""The sandbox session: per-call faults cost one test, output is capped, handles stay remote."""

from __future__ import annotations

import time

import numpy as np
import pytest

from autograder.bundle import Bundle, Limits
from autograder.grading.grade import grade_submission
from autograder.grading.launcher import Launcher
from autograder.grading.proxy import Remote, StudentNamespace, UntrustedModule
from autograder.grading.failures import CallError, SandboxFailure
from autograder.grading.session import SandboxSession
from autograder.protocol import MAX_ERROR_CHARS
from conftest import DOUBLE, code_notebook, notebook_from, options, scores_by_test, tiny_bundle

SOFTMAX_DEF = "def softmax(X):\n"


def test_a_crash_or_hang_inside_one_call_costs_only_that_test(built, fast_bundle, sandbox_mode, tmp_path):
    """softmax dies on the 64-row input of one hidden test and hangs on the 32-row input of another."""
    sabotage = (
        "_real_softmax = softmax\n"
        "def softmax(X):\n"
        "    import os, time\n"
        "    if len(X) == 64:\n"
        "        os._exit(7)\n"
        "    if len(X) == 32:\n"
        "        time.sleep(10**9)\n"
        "    return _real_softmax(X)\n"
    )
    path = notebook_from(built.solution_notebook, tmp_path / "sabotage.ipynb", extra_cells=[sabotage])
    result = grade_submission(path, Bundle.load(fast_bundle), options(sandbox_mode))
    tests = {t.name: t for t in result.tests}
    assert "exit code 7" in tests["softmax.test_values_against_reference"].output
    assert "did not finish within the 5 s limit" in tests["softmax.test_stable_for_logits_of_1000"].output
    assert tests["softmax.test_rows_are_distributions"].score == 1
    # tests after the crashes ran in a restarted sandbox
    assert tests["gradients.test_numerical_gradient_check"].score == 2
    assert tests["train.test_one_full_batch_step_from_zero"].score == 2


def test_output_floods_are_capped(built, fast_bundle, sandbox_mode, tmp_path):
    path = notebook_from(built.solution_notebook, tmp_path / "flood.ipynb", extra_cells=["for i in range(200000):\n    print('spam' * 20)"])
    result = grade_submission(path, Bundle.load(fast_bundle), options(sandbox_mode))
    assert len(result.stdout.encode()) < 70 * 1024
    assert "more bytes of output were cut" in result.stdout
    assert scores_by_test(result)["softmax.test_values_against_reference"] == 1


@pytest.fixture
def session(sandbox_mode):
    s = SandboxSession(Launcher(sandbox_mode), deadline=time.monotonic() + 60, call_timeout=10)
    yield s
    s.close()


def test_objects_stay_in_the_sandbox_behind_handles(session):
    session.request("exec", cells=[[0, (
        "import numpy as np\n"
        "class Model:\n"
        "    def __init__(self, w): self.w = np.asarray(w, dtype=float)\n"
        "    def predict(self, x): return x @ self.w\n"
        "    def __eq__(self, other): return True\n"
        "def boom(): raise ValueError('nope')\n"
    )]])
    env = StudentNamespace(session, fixtures={"rng": "trusted"})
    Model = env.get("Model")
    assert isinstance(Model, Remote)
    model = Model([1.0, 2.0])
    assert isinstance(model, Remote) and (model == 1) is False  # no rigged __eq__ on this side
    assert np.array_equal(model.predict(np.eye(2)), [1.0, 2.0])
    assert np.array_equal(model.w, [1.0, 2.0])
    with pytest.raises(AttributeError):
        model.__array_interface__  # dunder probes never reach student code
    with pytest.raises(ValueError, match="^nope$") as raised:  # the student's own exception type, as under Otter
        env.get("boom")()
    assert isinstance(raised.value, CallError) and raised.value.type_name == "ValueError"
    assert env.get("rng") == "trusted"  # fixtures win over student names
    assert env.get("np") is np  # an allowlisted module resolves to the grader's own import
    assert env.get("missing") is None


def test_torch_models_stay_in_the_sandbox_and_tensors_and_state_dicts_cross(session):
    """Issue 5's boundary: tensors both ways as CPU tensors, a module as a handle, its
    state_dict as a dict of tensors that loads into the grader's own copy of the architecture."""
    import torch

    session.request("exec", cells=[[0, (
        "import torch\n"
        "torch.manual_seed(0)\n"
        "model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))\n"
        "def double(t):\n"
        "    assert isinstance(t, torch.Tensor), type(t)\n"
        "    return 2 * t\n"
    )]])
    env = StudentNamespace(session, fixtures={})
    x = torch.randn(5, 3)
    assert torch.equal(env.get("double")(x), 2 * x)
    model = env.get("model")
    assert isinstance(model, Remote)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    mine = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    mine.load_state_dict(state)
    assert torch.allclose(model(x), mine(x))
    assert model.training is True and model.eval() is not None and model.training is False


def test_untrusted_modules_do_not_resolve_to_grader_imports(session):
    session.request("exec", cells=[[0, "import os as np\nimport subprocess"]])
    env = StudentNamespace(session, fixtures={})
    np_, subprocess_ = env.get("np"), env.get("subprocess")
    assert isinstance(np_, UntrustedModule) and isinstance(subprocess_, UntrustedModule)  # never os, numpy or subprocess
    with pytest.raises(AttributeError, match="`np` is the module `os` your notebook imported"):
        np_.system
    with pytest.raises(TypeError, match="not callable"):
        subprocess_()
    assert len(env.not_carried) == 1  # the attribute read leaves its test not graded; a call is a plain failure


def test_a_dead_sandbox_fails_every_later_call_with_the_reason(session):
    with pytest.raises(SandboxFailure, match="exit code 5"):
        session.request("exec", cells=[[0, "import os\nos._exit(5)"]])
    with pytest.raises(SandboxFailure, match="exit code 5"):
        session.request("lookup", name="x")


def test_the_submission_deadline_bounds_every_call(sandbox_mode):
    with SandboxSession(Launcher(sandbox_mode), deadline=time.monotonic() + 3, call_timeout=60) as s:
        started = time.monotonic()
        with pytest.raises(SandboxFailure, match="time limit"):
            s.request("exec", cells=[[0, "import time\ntime.sleep(100)"]])
        assert time.monotonic() - started < 10


def test_unsandboxed_mode_still_runs_student_code_in_another_process():
    import os

    with SandboxSession(Launcher("none"), deadline=time.monotonic() + 30) as s:
        s.request("exec", cells=[[0, "import os\npid = os.getpid()"]])
        assert StudentNamespace(s, {}).get("pid") != os.getpid()


def test_a_sandbox_that_stops_reading_requests_cannot_block_the_grader():
    """The request write is bounded by the call's time limit too, not only the answer's read."""
    import sys

    class DeafLauncher(Launcher):
        def command(self, request_fd, response_fd):
            return [sys.executable, "-c", "import time; time.sleep(1000)"]

    with SandboxSession(DeafLauncher("none"), deadline=time.monotonic() + 60, call_timeout=2) as s:
        started = time.monotonic()
        with pytest.raises(SandboxFailure, match="did not finish"):
            s.request("exec", cells=[[0, "x = 1\n" * 5_000_000]])  # 30 MB: far more than a pipe buffer
        assert time.monotonic() - started < 10


def test_error_reports_are_cut_to_one_length_wherever_they_are_read(tmp_path):
    """A cell's error and a called function's error are cut to ``protocol.MAX_ERROR_CHARS`` on
    the trusted side, however long the student makes them."""
    huge = "raise ValueError('x' * 100_000)"
    nb = code_notebook(
        tmp_path / "long.ipynb", huge, DOUBLE.replace("return 2 * x", "if x == 2:\n        " + huge + "\n    return 2 * x")
    )
    result = grade_submission(nb, Bundle.load(tiny_bundle(tmp_path)), options("none"))
    (cell,) = result.cell_errors
    assert cell.type == "ValueError" and len(cell.message) == MAX_ERROR_CHARS
    public = next(t for t in result.tests if t.name.endswith("test_public"))
    first_line = public.output.splitlines()[0]
    assert first_line == "Your code raised ValueError: " + "x" * MAX_ERROR_CHARS


def test_a_forged_error_report_is_cut_and_typed_on_the_trusted_side():
    """What the worker reports is read the same way for a call and for a cell
    (``CallError.from_report``): any field of any type, cut, and a real MemoryError's limit."""
    limits = Limits()
    forged = CallError.from_report({"type": ["not", "text"], "message": "m" * 10**6, "traceback": 7}, limits)
    assert (forged.type_name, forged.traceback, forged.limit) == ("['not', 'text']", "7", None)
    assert forged.message == "m" * MAX_ERROR_CHARS
    memory = CallError.from_report({"type": "MemoryError", "message": "", "memory": True}, limits)
    assert memory.limit.kind == "memory" and memory.message == memory.limit.message
    assert CallError.from_report({"memory": "yes"}, limits).limit is None  # only a real `true` counts


def test_a_reported_error_is_an_instance_of_the_builtin_it_names_and_nothing_more():
    """The student's ValueError reaches tests as a ValueError (``except ValueError`` and doctest
    tracebacks match, as under Otter); a forged name cannot make it a SystemExit or
    KeyboardInterrupt, nor create classes with arbitrary names."""
    import traceback

    def report(type_name):
        return CallError.from_report({"type": type_name, "message": "bad n"}, Limits())

    value = report("ValueError")
    assert isinstance(value, ValueError) and isinstance(value, CallError) and str(value) == "bad n"
    assert traceback.format_exception_only(type(value), value) == ["ValueError: bad n\n"]
    assert isinstance(report("ZeroDivisionError"), ArithmeticError)
    for name in ("SystemExit", "KeyboardInterrupt", "GeneratorExit", "BaseException"):
        error = report(name)
        assert not isinstance(error, (SystemExit, KeyboardInterrupt, GeneratorExit)) and type(error).__mro__[1:3] == (CallError, Exception)
    custom = report("ShapeMismatch")  # the student's own class: named, a CallError only
    assert type(custom).__mro__[1:3] == (CallError, Exception)
    assert traceback.format_exception_only(type(custom), custom) == ["ShapeMismatch: bad n\n"]
    assert type(report("x; import os")) is CallError and type(report("UnicodeDecodeError")) is CallError
