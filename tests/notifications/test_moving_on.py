"""No "New task" for a task its person has just opened. The task page (after a completion) and the start page take
their user straight to one task of the case that is theirs; ``inbox.taken_straight_to`` withdraws that one notice
(the in-app one read, the unsent email dropped) in the same transaction. Every other task a step makes ready is
news, to the completer too (a second task of theirs, a completion through the API, which goes nowhere), and
everyone else it is offered to is told; its reminders reach everyone."""
from __future__ import annotations

from datetime import timedelta

from engine.store.db import transaction
from notifications import inbox

from .conftest import START
from .notifications_kit import delivered, london


def test_the_task_a_completer_is_taken_to_is_not_news_to_them(deploy, room, smtp, clock):
    deploy("notif_moving_on")
    room.add_user("cleo", ["coordinator"], email="cleo@lif.test", now=START)
    instance_id = room.start("notif_moving_on", now=START, data={"lead_agency": "police"})
    later = START + timedelta(hours=1)
    clock.move_to(later)
    room.complete(room.task_id(instance_id, "check"), now=later, who="cora")
    plan, agency_return = room.task_id(instance_id, "plan"), room.task_id(instance_id, "agency_return")
    with transaction(room.factory) as s:  # what the task page does as it takes cora to the plan
        inbox.taken_straight_to(s, plan, "cora", now=later)
    told = {task: sorted((n.recipient, n.channel, n.read_at is not None) for n in room.notes(task_id=task,
                                                                                             kind="new_task"))
            for task in (plan, agency_return)}
    assert told == {plan: [("cleo", "email", False), ("cleo", "inapp", False), ("cora", "inapp", True)],
                    agency_return: [("pat", "email", False), ("pat", "inapp", False)]}

    room.sweep(later)
    subjects = sorted((str(m["To"]), str(m["Subject"])) for m in delivered(room, smtp))
    assert ("cora@lif.test", "New task: Plan the review (NOTIF-MOVING-ON-2026-0001)") not in subjects
    assert ("cleo@lif.test", "New task: Plan the review (NOTIF-MOVING-ON-2026-0001)") in subjects

    reminder = london(2026, 12, 15, 9, 5)  # the plan is due in 5 working days: its first reminder, 2 days before
    clock.move_to(reminder)
    room.sweep(reminder)
    assert sorted(n.recipient for n in room.notes(task_id=plan, kind="reminder", channel="email")) == ["cleo", "cora"]


def test_every_task_a_step_makes_ready_is_news_until_its_person_is_taken_to_it(deploy, room, clock):
    """cori (coordinator and police reviewer) completes the check, which makes two tasks she may do ready: both
    are news to her (through the API nothing opens either); the page takes her to one, and the other stays news."""
    deploy("notif_moving_on")
    room.add_user("cori", ["coordinator", "reviewer"], "police", email="cori@police.test", now=START)
    instance_id = room.start("notif_moving_on", now=START, data={"lead_agency": "police"})
    room.complete(room.task_id(instance_id, "check"), now=START, who="cori")
    plan, agency_return = room.task_id(instance_id, "plan"), room.task_id(instance_id, "agency_return")
    unread = {t: sorted(n.recipient for n in room.notes(task_id=t, kind="new_task", channel="inapp") if not n.read_at)
              for t in (plan, agency_return)}
    assert "cori" in unread[plan] and "cori" in unread[agency_return]
    with transaction(room.factory) as s:
        inbox.taken_straight_to(s, plan, "cori", now=START)
    assert [n.recipient for n in room.notes(task_id=agency_return, kind="new_task", channel="email")
            if n.recipient == "cori"] == ["cori"]  # the other task's email still goes


def test_a_task_a_timer_makes_ready_is_news_to_the_starter(deploy, room, clock):
    """cora started the case; two days later its timer makes the follow-up ready: she is told."""
    deploy("intermediate_timer")
    instance_id = room.start("intermediate_timer", now=START)
    fired = START + timedelta(days=2, minutes=1)
    clock.move_to(fired)
    room.sweep(fired)
    follow_up = room.task_id(instance_id)
    assert [(n.recipient, n.channel) for n in room.notes(task_id=follow_up, kind="new_task")] == [
        ("cora", "inapp"), ("cora", "email")]
