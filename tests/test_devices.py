"""GPU assignment: which device a sandbox may use, per slot, and how that reaches tests.

CI has no GPU: these tests check the CPU path for real and the GPU wiring by its command
line; the GPU path itself is exercised on a machine with one (see the README)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from autograder.bundle import Bundle, BundleConfig, write_bundle
from autograder.cli import main
from autograder.grading.grade import grade_submission
from autograder.grading.launcher import Launcher, detect_gpus
from conftest import code_notebook, options, tiny_bundle

DEVICE_TEST_FILE = """
from otter.test_files import test_case

OK_FORMAT = False
name = "env"


@test_case(points=1, hidden=True)
def test_device_fixture_matches_what_the_sandbox_sees(cuda_seen, device):
    assert device == ("cuda" if cuda_seen() else "cpu"), f"device fixture {device}, sandbox sees cuda: {cuda_seen()}"
"""


def test_without_a_gpu_the_sandbox_sees_no_cuda_device_and_tests_get_cpu(sandbox_mode, tmp_path):
    bundle = tmp_path / "env.zip"
    write_bundle(bundle, BundleConfig(id="env"), {"env.py": DEVICE_TEST_FILE})
    nb = code_notebook(
        tmp_path / "nb.ipynb",
        "import os, torch\n"
        "def cuda_seen():\n"
        "    assert os.environ['CUDA_VISIBLE_DEVICES'] == ''\n"
        "    return torch.cuda.is_available()\n",
    )
    result = grade_submission(nb, Bundle.load(bundle), options(sandbox_mode))
    assert result.score == 1, result.tests[0].output
    assert result.device == "cpu" and result.to_json()["extra_data"]["device"] == "cpu"


def test_a_slot_with_a_gpu_gets_its_device_nodes_and_only_its_index_visible():
    command = Launcher("bwrap", gpu=1).command(3, 4)
    joined = " ".join(command)
    assert "--dev-bind-try /dev/nvidia1 /dev/nvidia1" in joined and "/dev/nvidia0" not in joined
    assert "--dev-bind-try /dev/nvidiactl /dev/nvidiactl" in joined
    assert "--setenv CUDA_VISIBLE_DEVICES 1" in joined
    cpu_only = Launcher("bwrap").command(3, 4)
    assert not any("nvidia" in arg for arg in cpu_only)
    assert cpu_only[cpu_only.index("CUDA_VISIBLE_DEVICES") + 1] == ""  # CUDA sees no device


def test_parallel_slots_share_out_the_gpus_in_turn():
    base = options("bwrap", gpus=(0, 2))
    assert [base.for_slot(k).gpus for k in range(4)] == [(0,), (2,), (0,), (2,)]
    assert {base.for_slot(k).uid for k in range(3)} == {base.uid}  # uids are claimed per process (test_sandbox_round2)
    assert options("bwrap").for_slot(3).gpus == ()


def test_asking_for_cuda_without_a_gpu_is_a_clear_error(tmp_path):
    if detect_gpus():
        pytest.skip("this machine has a GPU")
    bundle = tiny_bundle(tmp_path)
    nb = code_notebook(tmp_path / "nb.ipynb", "x = 1")
    run = CliRunner().invoke(main, ["grade", str(bundle), str(nb), "-o", str(tmp_path / "out"), "--device", "cuda", "--sandbox", "none"])
    assert run.exit_code != 0 and "no NVIDIA GPU found" in run.output
    run = CliRunner().invoke(main, ["grade", str(bundle), str(nb), "-o", str(tmp_path / "out"), "--gpus", "a,b", "--sandbox", "none"])
    assert run.exit_code != 0 and "GPU indices" in run.output
