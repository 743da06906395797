"""The step benchmark still runs end to end (on a short chain), so its figures can always be reproduced.
Timings are not asserted: speed is measured by running the script, not by tests."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "engine_steps.py"


def test_engine_steps_bench_runs_on_a_short_chain():
    done = subprocess.run([sys.executable, str(BENCH), "--tasks", "4", "--runs", "1"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for line in ("(a) SpiffWorkflow in memory", "(b) LIF complete_task, SQLite", "(c) LIF JSON API, SQLite",
                 "target 1:", "target 2:", "SPEC aim:"):
        assert line in done.stdout
