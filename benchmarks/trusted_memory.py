"""Peak memory of the trusted grader on the boundary attacks of issue 11: decoding an amplifying
reply (``protocol.decode``) and loading a deflate-bomb checkpoint (``testing.load_state_dict``).

Each case runs in a fresh Python process that first imports what the grader imports (numpy,
torch, dlgrade), records its peak RSS, handles the attack, and reports the peak RSS after it
(``ru_maxrss``), in MiB. The attacks are the red-team tests' own
(``tests/redteam/test_boundary_round2.py``). Usage:

    python benchmarks/trusted_memory.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from redteam.test_boundary_round2 import deflate_bomb  # noqa: E402

MEASURE = """
import json, resource, sys
import numpy, torch
from autograder import protocol
from autograder.testing import load_state_dict
kind, data = sys.argv[1], sys.stdin.buffer.read()
payload = len(data).to_bytes(4, "big") + data  # the frame as the grader holds it
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    if kind == "reply":
        protocol.decode(payload)
    else:
        load_state_dict({"tinyvgg_mnist.pt": data}, "tinyvgg_mnist.pt")
    outcome = "accepted"
except (protocol.ProtocolError, AssertionError) as exc:
    outcome = f"refused: {str(exc)[:70]}"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before": before / 1024, "after": after / 1024, "outcome": outcome}))
"""

CASES = {
    "reply: 64 MiB header [[],[],...]": ("reply", lambda: b"[" + b"[]," * (64 * 2**20 // 3) + b"[]]"),
    "reply: 15 MiB header [[],[],...]": ("reply", lambda: b"[" + b"[]," * (15 * 2**20 // 3) + b"[]]"),
    "reply: most lists accepted (299,999)": ("reply", lambda: b"[" + b"[]," * 299_999 + b"[]]"),
    "reply: most strings accepted (599,999)": ("reply", lambda: b"[" + b'"\\ud83d\\ude00",' * 599_999 + b'"x"]'),
    "attachment: 2 GiB deflate bomb .pt": ("attachment", deflate_bomb),
}


def main() -> None:
    print(f"{'case':40} {'bytes':>12} {'RSS before':>11} {'peak after':>11} {'grown':>8}  outcome")
    for name, (kind, make) in CASES.items():
        data = make()
        run = subprocess.run([sys.executable, "-c", MEASURE, kind], input=data, cwd=REPO, capture_output=True, timeout=600)
        if run.returncode:
            print(f"{name:40} failed: {run.stderr.decode()[-300:]}")
            continue
        m = json.loads(run.stdout)
        print(f"{name:40} {len(data):>12,} {m['before']:>8.0f} MiB {m['after']:>7.0f} MiB {m['after'] - m['before']:>4.0f} MiB  {m['outcome']}")


if __name__ == "__main__":
    main()
