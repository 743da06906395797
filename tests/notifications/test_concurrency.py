"""Two schedulers sweeping the same database at the same moment (two threads, and two processes started with
the spawn method, each with its own engine), on SQLite and on PostgreSQL: every notification is written once
(unique idempotency keys) and received once by the SMTP server, and every BPMN timer fires once. A scheduler
process killed after claiming work leaves it to go out exactly once after a restart."""
from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.store.db import transaction
from engine.store.models import HumanTask
from notifications import delivery

from . import workers_kit
from .conftest import START
from .notifications_kit import delivered, london, sweep_in_threads

POLICE = {"lead_agency": "police"}
MORNING = london(2026, 12, 15, 9, 5)  # Tuesday 15 Dec: the 7-day reminders are due, and the 2-day timers
RETURNS, TIMERS = 8, 4
SPAWN = multiprocessing.get_context("spawn")


def _busy_morning(deploy, room) -> tuple[list[str], list[str]]:
    deploy("notif_agency")
    deploy("intermediate_timer")
    returns = [room.start("notif_agency", now=START, data=POLICE) for _ in range(RETURNS)]
    timers = [room.start("intermediate_timer", now=START) for _ in range(TIMERS)]
    return returns, timers


def _check_everything_happened_once(room, smtp, returns, timers, results) -> None:
    totals = Counter()
    for result in results:
        totals.update(result)
    assert (totals["timer"], totals["ladder"], totals["sent"], totals["failed"]) == (TIMERS, RETURNS,
                                                                                     2 * RETURNS + TIMERS, 0)
    notes = room.notes()
    # new task and reminder for each return (pat), new task after each timer (cora); in-app and e-mail each
    assert len(notes) == 2 * (2 * RETURNS + TIMERS)
    assert Counter(n.entry for n in notes) == {("new_task", "pat", "inapp"): RETURNS,
                                               ("new_task", "pat", "email"): RETURNS,
                                               ("reminder", "pat", "inapp"): RETURNS,
                                               ("reminder", "pat", "email"): RETURNS,
                                               ("new_task", "cora", "inapp"): TIMERS,
                                               ("new_task", "cora", "email"): TIMERS}
    emails = [n for n in notes if n.channel == "email"]
    assert {n.state for n in emails} == {"sent"} and {n.attempts for n in emails} == {1}
    assert len(delivered(room, smtp)) == len(emails)
    assert sorted(smtp.keys()) == sorted(n.key for n in emails)  # each once: no duplicate arrived
    for instance_id in timers:  # each timer advanced its instance once
        with transaction(room.factory) as s:
            assert s.scalar(select(func.count()).select_from(HumanTask).where(
                HumanTask.instance_id == instance_id)) == 1
        assert [a.details["name"] for a in room.actions(instance_id, "task.ready")] == ["follow_up"]
        assert room.due(instance_id=instance_id, kind="timer", open_only=True) == []
    for instance_id in returns:
        assert len(room.notes(task_id=room.task_id(instance_id), kind="reminder")) == 2
    later = room.sweep(MORNING + timedelta(minutes=1))
    assert not any(later.values()), later
    assert len(delivered(room, smtp)) == len(emails)  # the later sweep sent nothing again


def test_two_scheduler_threads(deploy, room, clock, smtp, db_url, restore_every_step):
    returns, timers = _busy_morning(deploy, room)
    clock.move_to(MORNING)
    results = sweep_in_threads(db_url, room.config, MORNING, ["thread-1", "thread-2"])
    _check_everything_happened_once(room, smtp, returns, timers, results)


@pytest.mark.slow  # two real scheduler processes: make test-ci
def test_two_scheduler_processes(deploy, room, clock, smtp, db_url):
    returns, timers = _busy_morning(deploy, room)
    clock.move_to(MORNING)
    barrier, answers = SPAWN.Barrier(2), SPAWN.Queue()
    children = [SPAWN.Process(target=workers_kit.sweep_once, args=(db_url, smtp.port, MORNING.isoformat(), barrier,
                                                               answers, f"process-{n}")) for n in (1, 2)]
    for child in children:
        child.start()
    try:
        results = [answers.get(timeout=120) for _ in children]
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
    problems = [answer for _, answer in results if not isinstance(answer, dict)]
    assert not problems, "\n".join(problems)
    assert sorted(name for name, _ in results) == ["process-1", "process-2"]
    assert all(child.exitcode == 0 for child in children)
    _check_everything_happened_once(room, smtp, returns, timers, [answer for _, answer in results])


def _kill_when(signal, child) -> None:
    try:
        assert signal.wait(timeout=120), "the child never got as far as claiming"
    finally:
        child.kill()
        child.join(timeout=30)


def test_a_process_killed_while_sending_leaves_the_e_mail_to_go_out_once(deploy, room, clock, smtp, db_url):
    """The child leases the pending e-mail and is killed inside the send: nothing arrives; the lease keeps
    other schedulers off it until it expires, and then the next sweep sends it, once."""
    deploy("notif_agency")
    room.start("notif_agency", now=START, data=POLICE)
    [row] = room.notes(channel="email")
    signal = SPAWN.Event()
    child = SPAWN.Process(target=workers_kit.die_while_sending, args=(db_url, smtp.port, START.isoformat(), signal))
    child.start()
    _kill_when(signal, child)
    claimed = room.note(row.id)
    assert (claimed.state, claimed.lease_owner, claimed.lease_until) == ("pending", "doomed-sender",
                                                                         START + delivery.LEASE)
    assert smtp.messages == []

    assert room.sweep(START + timedelta(minutes=1))["sent"] == 0  # "restarted", but the lease still holds
    assert room.sweep(START + delivery.LEASE + timedelta(minutes=1))["sent"] == 1
    assert room.sweep(START + delivery.LEASE + timedelta(minutes=2))["sent"] == 0
    assert len(delivered(room, smtp)) == 1 and smtp.keys() == [row.key]
    sent = room.note(row.id)
    assert (sent.state, sent.attempts, sent.lease_owner) == ("sent", 1, None)


def test_a_process_killed_while_running_a_due_row_leaves_it_to_run_once(deploy, room, clock, smtp, db_url):
    """The child claims the due reminder (a row lock on PostgreSQL, a lease on SQLite) and is killed in the
    middle: it wrote nothing; after the restart the reminder goes out once."""
    deploy("notif_agency")
    instance_id = room.start("notif_agency", now=START, data=POLICE)
    task_id = room.task_id(instance_id)
    room.sweep(START)  # the new-task e-mail is out of the way
    reminder = room.due(task_id=task_id, kind="ladder")[0]
    at = reminder.due_at + timedelta(minutes=5)
    clock.move_to(at)
    signal = SPAWN.Event()
    child = SPAWN.Process(target=workers_kit.die_while_running_due, args=(db_url, smtp.port, at.isoformat(), signal))
    child.start()
    _kill_when(signal, child)
    assert room.notes(kind="reminder") == []

    result = room.sweep(at + timedelta(minutes=1))
    if db_url.startswith("sqlite"):  # the lease outlives the process; PostgreSQL dropped the lock with it
        assert result["ladder"] == 0
    later = at + timedelta(minutes=10)
    room.sweep(later)
    room.sweep(later + timedelta(minutes=1))
    assert sorted(n.entry for n in room.notes(kind="reminder")) == [("reminder", "pat", "email"),
                                                                    ("reminder", "pat", "inapp")]
    assert [r.done_at is not None for r in room.due(task_id=task_id) if r.id == reminder.id] == [True]
    assert len(delivered(room, smtp)) == 2  # the new task, then the reminder once

