"""No "New task" for a task its person has just opened. Whoever completes a step of a case, or starts it, and may
do the task that step made ready is taken straight to that task (by the task page, or the start page), so they
are not told of it, in app or by email. Everyone else it is offered to is told, and its reminders reach
everyone, the completer too; a task a timer makes ready is news to all."""
from __future__ import annotations

from datetime import timedelta

from .conftest import START
from .notifications_kit import delivered, london


def test_the_completer_who_moves_straight_on_is_not_told(deploy, room, smtp, clock):
    deploy("notif_moving_on")
    room.add_user("cleo", ["coordinator"], email="cleo@lif.test", now=START)
    instance_id = room.start("notif_moving_on", now=START, data={"lead_agency": "police"})
    check = room.task_id(instance_id, "check")
    # cora, who started the case, is taken to its first task by the start page: cleo is told of it
    assert [n.recipient for n in room.notes(task_id=check, kind="new_task", channel="inapp")] == ["cleo"]

    later = START + timedelta(hours=1)
    clock.move_to(later)
    room.complete(check, now=later, who="cora")
    plan, agency_return = room.task_id(instance_id, "plan"), room.task_id(instance_id, "agency_return")
    told = {task: sorted((n.recipient, n.channel) for n in room.notes(task_id=task, kind="new_task"))
            for task in (plan, agency_return)}
    assert told == {plan: [("cleo", "email"), ("cleo", "inapp")],  # not cora, who is looking at it
                    agency_return: [("pat", "email"), ("pat", "inapp")]}  # cora may not do it: pat is told

    room.sweep(later)
    subjects = sorted((str(m["To"]), str(m["Subject"])) for m in delivered(room, smtp))
    assert ("cora@lif.test", "New task: Plan the review (NOTIF-MOVING-ON-2026-0001)") not in subjects
    assert ("cleo@lif.test", "New task: Plan the review (NOTIF-MOVING-ON-2026-0001)") in subjects

    reminder = london(2026, 12, 15, 9, 5)  # the plan is due in 5 working days: its first reminder, 2 days before
    clock.move_to(reminder)
    room.sweep(reminder)
    assert sorted(n.recipient for n in room.notes(task_id=plan, kind="reminder", channel="email")) == ["cleo", "cora"]


def test_someone_else_completing_the_step_leaves_the_coordinators_told(deploy, room, clock):
    """cleo completes the check: cora, who did not, is told of the plan; cleo is not."""
    deploy("notif_moving_on")
    room.add_user("cleo", ["coordinator"], email="cleo@lif.test", now=START)
    instance_id = room.start("notif_moving_on", now=START, data={"lead_agency": "police"})
    room.complete(room.task_id(instance_id, "check"), now=START, who="cleo")
    plan = room.task_id(instance_id, "plan")
    assert [n.recipient for n in room.notes(task_id=plan, kind="new_task", channel="inapp")] == ["cora"]


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
