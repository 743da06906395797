"""The step benchmark still runs end to end (on a short chain), so its figures can always be reproduced.
Timings are not asserted: speed is measured by running the script, not by tests."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "engine_steps.py"


@pytest.mark.slow  # the benchmark script end to end: make test-ci
def test_engine_steps_bench_runs_on_a_short_chain():
    done = subprocess.run([sys.executable, str(BENCH), "--tasks", "4", "--runs", "1"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for line in ("(a) SpiffWorkflow in memory", "(b) LIF complete_task, SQLite", "(c) LIF JSON API, SQLite",
                 "target 1:", "target 2:", "SPEC aim:"):
        assert line in done.stdout


@pytest.mark.slow  # it plays the whole demo first
def test_reports_bench_runs_on_a_few_copies():
    done = subprocess.run([sys.executable, str(BENCH.parent / "reports.py"), "--cases", "80", "--actions", "400",
                           "--rounds", "1"], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    for line in ("400 actions", "action register, first page (coordinator)", "learning log, first page",
                 "compliance report, last 12 months", "CPU median"):
        assert line in done.stdout, done.stdout
