"""Recurring starts: a bundle whose ``process_model.json`` says ``"repeat_every": "P2Y"`` is started by hand once;
the scheduler starts the next cycle two years later, exactly once, and schedules the one after."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .conftest import START
from .notifications_kit import sweep_in_threads

TWO_YEARS_ON = datetime(2028, 12, 10, 10, 0, tzinfo=UTC)


def _open_starts(room):
    return [(d.due_at, d.payload["process_key"]) for d in room.due(kind="process_start", open_only=True)]


def test_the_next_cycle_starts_two_years_on_exactly_once(deploy, room, clock):
    deploy("notif_recurring")
    first = room.start("notif_recurring", now=START)
    assert _open_starts(room) == [(TWO_YEARS_ON, "notif_recurring")]

    clock.move_to(TWO_YEARS_ON - timedelta(minutes=1))
    assert room.sweep(TWO_YEARS_ON - timedelta(minutes=1))["process_start"] == 0
    assert len(room.instances_of("notif_recurring")) == 1

    at = TWO_YEARS_ON + timedelta(minutes=1)
    clock.move_to(at)
    assert room.sweep(at)["process_start"] == 1
    cycles = room.instances_of("notif_recurring")
    assert [(i.business_key, i.status, i.started_by) for i in cycles] == [
        ("NOTIF-RECURRING-2026-0001", "active", "cora"), ("NOTIF-RECURRING-2028-0001", "active", "scheduler")]
    assert cycles[0].id == first
    assert _open_starts(room) == [(at.replace(year=2030), "notif_recurring")]  # two years after it started
    second_task = room.task_id(cycles[1].id)
    # P21D lands on Sunday 31 Dec 2028; New Year's Day is a bank holiday: due Tuesday 2 Jan 2029, same time
    assert room.task(second_task).due_at == at.replace(year=2029, month=1, day=2)
    assert sorted(n.entry for n in room.notes(task_id=second_task)) == [("new_task", "cora", "email"),
                                                                         ("new_task", "cora", "inapp")]

    later = at + timedelta(days=1)
    clock.move_to(later)
    assert room.sweep(later)["process_start"] == 0
    assert len(room.instances_of("notif_recurring")) == 2
    assert [a.details["due_at"] for a in room.actions(action="cycle.scheduled")] == [
        TWO_YEARS_ON.isoformat(), at.replace(year=2030).isoformat()]


def test_a_second_hand_start_replaces_the_schedule(deploy, room, clock):
    deploy("notif_recurring")
    room.start("notif_recurring", now=START)
    again = START + timedelta(days=30)
    clock.move_to(again)
    room.start("notif_recurring", now=again)
    assert _open_starts(room) == [(datetime(2029, 1, 9, 10, 0, tzinfo=UTC), "notif_recurring")]


def test_the_next_cycle_still_starts_after_this_one_has_finished(deploy, room, clock):
    """A Section 11 cycle takes months, not two years: finishing it must not cancel the next one."""
    deploy("notif_recurring")
    first = room.start("notif_recurring", now=START)
    done = START + timedelta(days=20)
    clock.move_to(done)
    room.complete(room.task_id(first), now=done)
    assert room.instances_of("notif_recurring")[0].status == "completed"
    assert _open_starts(room) == [(TWO_YEARS_ON, "notif_recurring")]
    at = TWO_YEARS_ON + timedelta(minutes=1)
    clock.move_to(at)
    assert room.sweep(at)["process_start"] == 1
    assert len(room.instances_of("notif_recurring")) == 2


def test_two_schedulers_start_the_cycle_once(deploy, room, clock, db_url):
    deploy("notif_recurring")
    room.start("notif_recurring", now=START)
    at = TWO_YEARS_ON + timedelta(minutes=1)
    clock.move_to(at)
    results = sweep_in_threads(db_url, room.config, at, ["scheduler-1", "scheduler-2"])
    assert sum(r["process_start"] for r in results) == 1
    assert len(room.instances_of("notif_recurring")) == 2
    assert len(_open_starts(room)) == 1
