"""Review of issue 14: defects shown by failing tests."""
from __future__ import annotations

from engine.store.db import transaction
from engine.work import deadline_changes

from .test_compliance_deadlines import YEAR_2026, drill, referred, report


def test_a_case_still_paused_past_its_deadline_is_not_counted_late(run):
    case = referred(run, "2026-12-01")  # notification due 8 December
    with transaction(run.factory) as s:
        deadline_changes.pause_instance(s, case, "Criminal proceedings", actor=run.coordinator, now=run.now)
    run.move_to("2026-12-15")  # still paused: the clock has stood still since 1 December
    found = report(run, *YEAR_2026)["notification_within_5wd"]
    _, rows = drill(run, "notification_within_5wd", *YEAR_2026)
    assert (found.numerator, found.denominator) == (0, 0), [(r.met, r.due_on, r.paused_days) for r in rows]
