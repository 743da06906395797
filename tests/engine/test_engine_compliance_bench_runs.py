"""The compliance report's benchmark still runs end to end (on a few cases), so its figures can always be reproduced.
Timings are not asserted: speed is measured by running the script, not by tests."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "compliance_report.py"


def test_compliance_report_bench_runs_on_a_few_cases():
    done = subprocess.run([sys.executable, str(BENCH), "--cases", "200", "--actions", "500", "--repeat", "1",
                           "--postgres", ""], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "SQLite: compliance report, last 12 months, 200 cases and 500 actions: median" in done.stdout
    assert "notification_within_5wd:" in done.stdout and "case_audit_grades:" in done.stdout
