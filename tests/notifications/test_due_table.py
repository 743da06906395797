"""The due table: every deadline rung, BPMN timer and recurring start is a ``due_item`` row, and the sweep reads
only the rows whose time has come (never every instance), so its cost follows the work that is due."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from engine.cases.due import select_due
from engine.store.db import transaction
from engine.store.models import HumanTask
from engine.work import deadline_changes
from notifications.sweep import DUE_KINDS

from .conftest import START
from .notifications_kit import stamp

POLICE = {"lead_agency": "police"}


def test_deadlines_reminders_timers_and_recurring_starts_are_due_rows(deploy, room):
    for bundle in ("notif_agency", "intermediate_timer", "notif_recurring"):
        deploy(bundle)
    agency = room.start("notif_agency", now=START, data=POLICE)
    timer = room.start("intermediate_timer", now=START)
    recurring = room.start("notif_recurring", now=START)

    agency_task = room.task_id(agency)
    assert [(d.kind, d.task_id, d.payload["rung"], stamp(d.due_at)) for d in room.due(instance_id=agency)] == [
        ("ladder", agency_task, "reminder", "2026-12-15 09:00"),
        ("ladder", agency_task, "reminder", "2026-12-22 09:00"),
        ("ladder", agency_task, "overdue", "2026-12-24 23:59"),
        ("ladder", agency_task, "escalation", "2026-12-29 09:00"),
    ]
    assert [d.payload["repeat"] for d in room.due(instance_id=agency)] == [None, None, None, 7]
    assert [(d.kind, d.due_at) for d in room.due(instance_id=timer)] == [("timer", START + timedelta(days=2))]

    # P21D from Thursday 10 Dec 10:00: due Thursday 31 Dec 10:00; the escalation skips New Year's Day
    choose = room.task_id(recurring)
    assert room.task(choose).due_at == START + timedelta(days=21)
    assert [(d.kind, d.payload.get("rung"), stamp(d.due_at)) for d in room.due(instance_id=recurring)] == [
        ("ladder", "reminder", "2026-12-18 09:00"),
        ("ladder", "reminder", "2026-12-29 09:00"),
        ("ladder", "overdue", "2026-12-31 10:00"),
        ("ladder", "escalation", "2027-01-04 09:00"),
        ("process_start", None, "2028-12-10 10:00"),
    ]
    [start_row] = room.due(kind="process_start")
    assert start_row.payload == {"process_key": "notif_recurring", "after": "NOTIF-RECURRING-2026-0001"}
    assert start_row.due_at == datetime(2028, 12, 10, 10, 0, tzinfo=UTC)


def test_a_bpmn_timer_fires_once_when_due(deploy, room, restore_every_step):
    deploy("intermediate_timer")
    instance_id = room.start("intermediate_timer", now=START)
    due = START + timedelta(days=2)
    assert room.sweep(due - timedelta(seconds=1))["timer"] == 0
    assert room.instances_of("intermediate_timer")[0].status == "active"
    result = room.sweep(due + timedelta(minutes=1))
    assert result["timer"] == 1
    follow_up = room.task_id(instance_id, "follow_up")
    assert room.due(instance_id=instance_id, kind="timer", open_only=True) == []
    assert room.sweep(due + timedelta(days=1))["timer"] == 0
    assert len(room.actions(instance_id, "task.ready")) == 1
    assert sorted(n.entry for n in room.notes(task_id=follow_up)) == [("new_task", "cora", "email"),
                                                                      ("new_task", "cora", "inapp")]


def test_only_due_rows_are_selected(deploy, room, clock):
    deploy("notif_agency")
    deploy("intermediate_timer")
    early = room.start("intermediate_timer", now=START)
    clock.move_to(START + timedelta(days=1))
    for _ in range(5):
        room.start("intermediate_timer", now=START + timedelta(days=1))
        room.start("notif_agency", now=START, data=POLICE)
    moment = START + timedelta(days=2, minutes=1)  # only the first timer; no rung before Tuesday 15 Dec
    with transaction(room.factory) as s:
        ids = select_due(s, moment, DUE_KINDS)
    assert [(d.kind, d.instance_id) for d in room.due(open_only=True) if d.id in ids] == [("timer", early)]


def test_a_sweep_with_nothing_due_reads_only_the_due_and_outbox_tables(deploy, room, db):
    """Its statements never touch instances or tasks, and their number does not grow with the cases."""
    deploy("notif_agency")
    deploy("intermediate_timer")
    room.start("intermediate_timer", now=START)
    room.start("notif_agency", now=START, data=POLICE)
    quiet = START + timedelta(hours=1)
    room.sweep(quiet)  # delivers the new-task e-mails

    def statements_of_a_sweep() -> list[str]:
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement.lower())
        event.listen(db, "before_cursor_execute", record)
        try:
            assert not any(room.sweep(quiet).values())
        finally:
            event.remove(db, "before_cursor_execute", record)
        return seen

    few = statements_of_a_sweep()
    for _ in range(10):
        room.start("intermediate_timer", now=START)
        room.start("notif_agency", now=START, data=POLICE)
    room.sweep(quiet)
    many = statements_of_a_sweep()
    assert len(few) == len(many)
    touched = [s for s in many if s.startswith(("select", "update", "insert", "delete"))]
    assert touched and all(("due_item" in s or "notification" in s or "scheduler_sweep" in s)  # and its record
                           for s in touched), touched
    assert not any("process_instance" in s or "human_task" in s for s in many)


def test_a_paused_case_holds_its_bpmn_timers(deploy, room, clock, restore_every_step):
    deploy("intermediate_timer")
    instance_id = room.start("intermediate_timer", now=START)  # a 2-day timer: due Saturday 12 Dec, 10:00
    paused = START + timedelta(hours=2)
    clock.move_to(paused)
    room.call(deadline_changes.pause_instance, instance_id, "Criminal proceedings", now=paused)
    for moment in (START + timedelta(days=2, minutes=1), START + timedelta(days=4)):
        clock.move_to(moment)
        assert room.sweep(moment)["timer"] == 0
    assert room.due(instance_id=instance_id, kind="timer", open_only=True)
    with transaction(room.factory) as s:
        assert s.query(HumanTask).filter_by(instance_id=instance_id).count() == 0


def test_resume_moves_a_waiting_bpmn_timer_on_by_the_working_days_paused(deploy, room, clock, restore_every_step):
    """Paused Thursday 10 Dec, resumed Tuesday 15 Dec (3 working days: 11, 14, 15 Dec): the 2-day timer, due
    Saturday 12 Dec, should then fall due 3 working days on (Wednesday 16 Dec), not at once."""
    deploy("intermediate_timer")
    instance_id = room.start("intermediate_timer", now=START)
    paused = START + timedelta(hours=2)
    clock.move_to(paused)
    room.call(deadline_changes.pause_instance, instance_id, "Criminal proceedings", now=paused)
    resumed = START + timedelta(days=5, hours=2)  # Tuesday 15 Dec, 12:00
    clock.move_to(resumed)
    room.call(deadline_changes.resume_instance, instance_id, "Trial concluded", now=resumed)
    for hours in (1, 2, 12):
        clock.move_to(resumed + timedelta(hours=hours))
        room.sweep(resumed + timedelta(hours=hours))
    assert room.instances_of("intermediate_timer")[0].status == "active"
    with transaction(room.factory) as s:
        assert s.query(HumanTask).filter_by(instance_id=instance_id).count() == 0
    due = room.due(instance_id=instance_id, kind="timer", open_only=True)
    assert len(due) == 1
    fires_at = due[0].due_at
    assert fires_at.astimezone(UTC).date().isoformat() == "2026-12-16"
    clock.move_to(fires_at + timedelta(seconds=1))
    room.sweep(fires_at + timedelta(seconds=1))
    with transaction(room.factory) as s:
        assert s.query(HumanTask).filter_by(instance_id=instance_id).count() == 1
