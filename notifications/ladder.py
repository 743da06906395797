"""The reminder and escalation ladder, counted in working days around each task's due date.

The default ladder ``-7,-2,0,1,+7w`` means: reminders 7 and 2 working days before the due date, an overdue
notice when the task falls due, an escalation to the agency's senior lead and the coordinators one working day
after, then every 7 days until the task is done. A bundle sets its own ladder per task with the ``reminders``
property. Rungs are ``due_item`` rows of kind ``ladder``; reminders and escalations go out at 09:00 London
time, the overdue notice at the moment the task falls due.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.orm import Session

from engine import events, workdays
from engine.states import DueKind, TaskState
from engine.store.db import bulk_execute
from engine.store.models import DueItem, HumanTask, ProcessInstance

from . import outbox, recipients
from .states import NotificationKind

DEFAULT_LADDER = "-7,-2,0,1,+7w"
SEND_AT = time(9, 0)
_REPEAT = re.compile(r"^\+?(\d+)w$")


@dataclass(frozen=True)
class Rung:
    offset: int  # working days from the due date: < 0 reminder, 0 overdue, > 0 escalation

    @property
    def kind(self) -> NotificationKind:
        if self.offset < 0:
            return NotificationKind.REMINDER
        return NotificationKind.OVERDUE if self.offset == 0 else NotificationKind.ESCALATION


def parse(text: str | None) -> tuple[list[Rung], int | None]:
    """The rungs and the repeat interval in days (None: no repeat) of a ladder like ``-7,-2,0,1,+7w``."""
    rungs, repeat = [], None
    for token in (text or DEFAULT_LADDER).split(","):
        token = token.strip()
        match = _REPEAT.match(token)
        if match:
            repeat = int(match.group(1))
        elif token:
            rungs.append(Rung(int(token)))
    return sorted(rungs, key=lambda r: r.offset), repeat


def rung_time(due_at: datetime, offset: int) -> datetime:
    if offset == 0:
        return due_at
    day = workdays.add_working_days(workdays.london_date(due_at), offset)
    return datetime.combine(day, SEND_AT, tzinfo=workdays.LONDON).astimezone(due_at.tzinfo)


def schedule(session: Session, task: HumanTask, now: datetime, *, new: bool = False) -> None:
    """(Re)build the pending rungs of ``task`` from its current due date (a ``new`` task has none yet)."""
    if not new:
        unschedule(session, task.id)
    instance = session.get(ProcessInstance, task.instance_id)
    if task.state != TaskState.READY or task.due_at is None or instance is None or instance.paused_at is not None:
        return
    rungs, repeat = parse(task.properties.get("reminders") if task.properties else None)
    for rung in rungs:
        at = rung_time(task.due_at, rung.offset)
        if at > now or rung.offset >= 0:
            _add(session, task, at, rung.kind, rung.offset, repeat if rung is rungs[-1] else None)


def _add(session: Session, task: HumanTask, at: datetime, kind: str, offset: int, repeat: int | None) -> None:
    session.add(DueItem(kind=DueKind.LADDER, instance_id=task.instance_id, task_id=task.id, due_at=at,
                        payload={"rung": kind, "offset": offset, "repeat": repeat,
                                 "for_due_at": task.due_at.isoformat() if task.due_at else None}))


_UNSCHEDULE = delete(DueItem).where(DueItem.task_id == bindparam("task_id"), DueItem.kind == DueKind.LADDER,
                                    DueItem.done_at.is_(None))


def unschedule(session: Session, task_id: str) -> None:
    bulk_execute(session, _UNSCHEDULE, {"task_id": task_id})


def fire(session: Session, item: DueItem, now: datetime, *, base_url: str) -> int:
    """Send one rung (its link under ``base_url``); schedules the next repeat. Returns how many notification rows
    were written."""
    task = session.get(HumanTask, item.task_id) if item.task_id else None
    if task is None or task.state != TaskState.READY:
        return 0
    payload: dict[str, Any] = item.payload or {}
    kind = payload.get("rung", NotificationKind.REMINDER)
    if kind == NotificationKind.REMINDER and task.due_at is not None and task.due_at <= now:
        return 0  # reached only after the due date (the scheduler was down): the overdue notice says it instead
    people = recipients.for_escalation(session, task) if kind == NotificationKind.ESCALATION else None
    written = outbox.notify_task(session, kind, task, now=now, people=people, base_url=base_url,
                                 key=f"{kind}:{task.id}:{item.due_at.isoformat()}")
    if payload.get("repeat"):
        # counted from when it went out, so a scheduler that was down sends one late rung, not every missed week
        _add(session, task, repeat_time(max(item.due_at, now), int(payload["repeat"])), kind,
             payload.get("offset", 1), int(payload["repeat"]))
    return written


def repeat_time(last: datetime, days: int) -> datetime:
    """``days`` calendar days after the rung sent at ``last``, at 09:00 London (not 24-hour steps, which drift an
    hour at a clock change), on the next working day when that day is a weekend or bank holiday."""
    day = workdays.london_date(last) + timedelta(days=days)
    if not workdays.is_working_day(day):
        day = workdays.add_working_days(day, 1)
    return datetime.combine(day, SEND_AT, tzinfo=workdays.LONDON).astimezone(last.tzinfo)


def on_task_ready(session: Session, event: events.TaskReady, now: datetime, *, base_url: str) -> None:
    """Tell the task's people of it, and schedule its ladder. (A person the pages take straight to the task they
    just made ready is not told: ``inbox.taken_straight_to`` withdraws their notice in the same transaction.)"""
    task = session.get(HumanTask, event.task_id)
    if task is None:
        return
    people = recipients.for_task(session, task)
    outbox.notify_task(session, NotificationKind.NEW_TASK, task, key=f"new_task:{task.id}", now=now, base_url=base_url,
                       people=people)
    schedule(session, task, now, new=True)


def on_challenge(session: Session, event: events.ChallengeRaised, now: datetime, *, base_url: str) -> None:
    """Tell the coordinators the scrutineer challenged a step. The message links to the step; it does not repeat
    the comment, which may speak of the child and is read on the page, within the case's need to know."""
    task = session.get(HumanTask, event.task_id)
    if task is not None:
        outbox.notify_task(session, NotificationKind.CHALLENGE, task, key=f"challenge:{event.comment_id}", now=now,
                           base_url=base_url, people=recipients.coordinators(session))


def on_task_closed(session: Session, event: events.TaskClosed, now: datetime) -> None:
    unschedule(session, event.task_id)


def on_deadline_changed(session: Session, event: events.DeadlineChanged, now: datetime) -> None:
    task = session.get(HumanTask, event.task_id)
    if task is not None:
        schedule(session, task, now)
