"""Chasing every overdue agency leaves a paused case alone: its clock stands still, and the reminder ladder skips
it too."""
from __future__ import annotations

from engine.store.db import transaction
from engine.work import deadline_changes

from .test_web_chasing import _chasers, overdue  # noqa: F401


def test_chase_all_leaves_a_paused_case_alone(as_user, overdue, factory, partnership, now):  # noqa: F811
    first, other = overdue
    with transaction(factory) as s:
        deadline_changes.pause_instance(s, first.instance_id, "Criminal proceedings", actor=partnership["coordinator"],
                                        now=now)
    page = as_user("cora").get("/cases/chase").get_data(as_text=True)
    assert first.business_key not in page, "the paused case's agency is offered a chaser"
