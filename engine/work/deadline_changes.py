"""A coordinator's hand on the clock: extending a task's deadline, and pausing and resuming a case's
statutory clocks (for example during criminal proceedings). Each needs a reason and is audited; the
reminder ladder follows through ``DeadlineChanged`` events.

A new deadline that falls on a weekend or bank holiday moves to the same London time on the next working day
(unless the task says ``dueOnAnyDay``), as a task's own calendar deadline does: the coordinator chose a day,
the partnership's rule says when that day's work can be done. A resumed clock moves deadlines and timers on by
working days, so they land on working days too."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events, workdays
from ..bundles import deadlines
from ..cases import runtime, step
from ..errors import Conflict, Forbidden, InvalidData
from ..reads import queries
from ..records import Actor, TaskInfo
from ..states import InstanceStatus, TaskState
from ..store import audit
from ..store.models import HumanTask, ProcessInstance

LATEST_DEADLINE_YEARS = 10  # a later deadline is a typing slip (and near year 9999, arithmetic overflows)


def _require_coordinator(actor: Actor, what: str) -> None:
    if not actor.has("coordinator"):
        raise Forbidden(f"{what} needs the coordinator role")


def _require_reason(reason: str | None) -> str:
    stripped = (reason or "").strip()
    if not stripped:
        raise InvalidData("a reason is required", [{"field": "reason", "message": "is required"}])
    return stripped


def extend_deadline(session: Session, task_id: str, due_at: datetime, reason: str, *, actor: Actor,
                    now: datetime) -> TaskInfo:
    _require_coordinator(actor, "extending a deadline")
    reason = _require_reason(reason)
    row = queries.visible_task_row(session, actor, task_id)
    if row.state != TaskState.READY:
        raise Conflict(f"the task is {row.state}")
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        raise InvalidData("due_at needs an offset", [{"field": "due_at", "message": "give a UTC offset"}])
    requested = due_at.astimezone(UTC)  # stored, answered and laddered in UTC, whatever offset was given
    due_at = requested if deadlines.due_on_any_day(row.properties or {}) else workdays.on_working_day(requested)
    if due_at <= now:
        raise InvalidData("the new deadline is in the past", [{"field": "due_at", "message": "must be in the future"}])
    if due_at.year > now.year + LATEST_DEADLINE_YEARS:
        raise InvalidData(f"the new deadline is more than {LATEST_DEADLINE_YEARS} years away",
                          [{"field": "due_at", "message": f"must be within {LATEST_DEADLINE_YEARS} years"}])
    previous, row.due_at = row.due_at, due_at
    audit.record(session, "task.deadline_extended", actor=actor.username, now=now, instance_id=row.instance_id,
                 task_id=row.id, previous=previous.isoformat() if previous else None, due_at=due_at.isoformat(),
                 note=reason, **({"requested": requested.isoformat()} if requested != due_at else {}))
    session.flush()
    events.publish(session, events.DeadlineChanged(row.id, row.instance_id, "extended"), now)
    return queries.task_info(row, now, session.get(ProcessInstance, row.instance_id))


def pause_instance(session: Session, instance_id: str, reason: str, *, actor: Actor, now: datetime) -> ProcessInstance:
    _require_coordinator(actor, "pausing a case")
    reason = _require_reason(reason)
    instance = runtime.get_instance_row(session, instance_id)
    if instance.status != InstanceStatus.ACTIVE:
        raise Conflict(f"the case is {instance.status}")
    if instance.paused_at is not None:
        raise Conflict("the case is already paused")
    instance.paused_at, instance.updated_at = now, now
    audit.record(session, "instance.paused", actor=actor.username, now=now, instance_id=instance.id, note=reason)
    runtime.flush_or_conflict(session)
    for row in _ready_tasks(session, instance.id):
        events.publish(session, events.DeadlineChanged(row.id, instance.id, "paused"), now)
    return instance


def resume_instance(session: Session, instance_id: str, reason: str, *, actor: Actor, now: datetime) -> ProcessInstance:
    """Resume a paused case; every open deadline moves on by the working days the clock stood still."""
    _require_coordinator(actor, "resuming a case")
    reason = _require_reason(reason)
    instance = runtime.get_instance_row(session, instance_id)
    if instance.paused_at is None:
        raise Conflict("the case is not paused")
    paused_days = max(0, workdays.working_days_between(workdays.london_date(instance.paused_at),
                                                       workdays.london_date(now)))
    moved = []
    for row in _ready_tasks(session, instance.id):
        if row.due_at is not None and paused_days:
            row.due_at = shift_by_working_days(row.due_at, paused_days)
        if row.statutory_due_at is not None and paused_days:  # the law's clock stands still too; an extension's not
            row.statutory_due_at = shift_by_working_days(row.statutory_due_at, paused_days)
            row.paused_days = (row.paused_days or 0) + paused_days
        moved.append(row)
    _shift_completed_during_pause(session, instance, now)
    if paused_days and instance.status == InstanceStatus.ACTIVE:  # one that ended meanwhile keeps how it ended
        step.take_step(session, instance, _timers_shifted_by(paused_days), actor=actor.username, now=now)
    audit.record(session, "instance.resumed", actor=actor.username, now=now, instance_id=instance.id, note=reason,
                 paused_since=instance.paused_at.isoformat(), working_days_paused=paused_days)
    instance.paused_at, instance.updated_at = None, now
    runtime.flush_or_conflict(session)
    for row in moved:
        events.publish(session, events.DeadlineChanged(row.id, instance.id, "resumed"), now)
    return instance


def _shift_completed_during_pause(session: Session, instance: ProcessInstance, now: datetime) -> None:
    """A task done while the clock stood still keeps the law's deadline its pause earned: the working days from
    the pause to its completion (not to the resume, so a task already late when the case was paused stays late)."""
    assert instance.paused_at is not None
    paused_on = workdays.london_date(instance.paused_at)
    for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                       HumanTask.state == TaskState.COMPLETED,
                                                       HumanTask.completed_at >= instance.paused_at,
                                                       HumanTask.statutory_due_at.is_not(None))):
        done_at = min(row.completed_at or now, now)
        days = max(0, workdays.working_days_between(paused_on, workdays.london_date(done_at)))
        if days and row.statutory_due_at is not None:
            row.statutory_due_at = shift_by_working_days(row.statutory_due_at, days)
            row.paused_days = (row.paused_days or 0) + days


def shift_by_working_days(moment: datetime, days: int) -> datetime:
    """The same London time of day, ``days`` working days later."""
    local = moment.astimezone(workdays.LONDON)
    day = workdays.add_working_days(local.date(), days)
    return local.replace(year=day.year, month=day.month, day=day.day).astimezone(moment.tzinfo)


def _timers_shifted_by(days: int) -> step.Action:
    """The step of a resume: the engine's waiting timers move on by the working days the case was paused."""
    return lambda flow: flow.shift_timers(lambda due: shift_by_working_days(due, days))


def _ready_tasks(session: Session, instance_id: str) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                        HumanTask.state == TaskState.READY)))
