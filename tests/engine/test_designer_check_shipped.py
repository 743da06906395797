"""The shipped bundles, checked by running with the default seeds, report no problem: every element reached, no
dead end, no failing script, every form submittable. One runs in the fast suite; all of them in ``make test-ci``."""
from __future__ import annotations

import pytest

from engine.bundles.parsing import read_bundle_dir
from engine.designer import checking
from tests.conftest import NOW, REPO

SHIPPED = sorted(p.name for p in (REPO / "workflows").iterdir() if (p / "process_model.json").exists())
FAST = "case_audit_programme"


def check_shipped(session, key):
    report = checking.check_bundle(session, key, read_bundle_dir(REPO / "workflows" / key), now=NOW)
    assert report.runs == 8
    assert [(p.kind, p.element, p.message) for p in report.problems] == []
    return report


def test_a_shipped_bundle_reports_no_problem(session, partnership):
    report = check_shipped(session, FAST)
    assert "audit_month" in report.reached  # its timer fired: the clock moved


@pytest.mark.slow
@pytest.mark.parametrize("key", [k for k in SHIPPED if k != FAST])
def test_every_shipped_bundle_reports_no_problem(session, partnership, key):
    check_shipped(session, key)
