"""Chasing every overdue agency at once: of one case, or of the whole partnership. A coordinator first sees who
gets what (``overdue_to_chase``: each overdue agency task, the people its chaser goes to and how late it is),
then sends them (``chase_all``): one chaser per overdue task through ``outbox.send_chaser``, each naming its own
task and case. A person with two overdue tasks gets two chasers, since each links to the task to do; they are
not merged. Only the tasks the coordinator saw are sent, and only those still overdue."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import workdays
from engine.errors import Forbidden
from engine.people import accounts
from engine.records import Actor
from engine.states import InstanceStatus, TaskState
from engine.store import audit
from engine.store.models import HumanTask, ProcessInstance

from . import recipients
from .outbox import send_chaser


@dataclass(frozen=True)
class Chase:
    """One chaser to be sent: the overdue task, its case, its agency and the people the chaser goes to."""

    task_id: str
    task_title: str
    instance_id: str
    business_key: str
    pseudonym: str | None
    agency: str
    agency_name: str
    people: tuple[str, ...]  # full names
    working_days_overdue: int


@dataclass(frozen=True)
class Chased:
    tasks: int
    people: int  # different people told
    agencies: int


def _require_coordinator(actor: Actor) -> None:
    if not actor.has("coordinator"):
        raise Forbidden("chasing needs the coordinator role")


def overdue_to_chase(session: Session, actor: Actor, now: datetime, *, instance_id: str | None = None
                     ) -> list[Chase]:
    """Every overdue agency task of active cases whose clock runs (of ``instance_id`` alone when given), by agency,
    then the latest first. A paused case's deadlines are frozen (criminal proceedings, say): the reminder ladder
    leaves its agencies alone, and so does this."""
    _require_coordinator(actor)
    query = (select(HumanTask, ProcessInstance).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
             .where(HumanTask.state == TaskState.READY, HumanTask.agency.is_not(None), HumanTask.due_at < now,
                    ProcessInstance.status == InstanceStatus.ACTIVE, ProcessInstance.paused_at.is_(None)))
    if instance_id:
        query = query.where(HumanTask.instance_id == instance_id)
    agencies, names = accounts.agency_names(session), accounts.full_names(session)
    found = []
    for task, case in session.execute(query).all():
        assert task.agency is not None and task.due_at is not None  # the query reads dated agency tasks only
        people = tuple(names.get(r.username, r.username) for r in recipients.for_task(session, task))
        found.append(Chase(task.id, task.title, case.id, case.business_key, case.pseudonym, task.agency,
                           agencies.get(task.agency, task.agency), people,
                           max(1, -workdays.working_days_left(task.due_at, now))))
    return sorted(found, key=lambda c: (c.agency_name, -c.working_days_overdue, c.business_key, c.task_title))


def chase_all(session: Session, actor: Actor, now: datetime, *, base_url: str, chosen: Collection[str],
              instance_id: str | None = None, message: str | None = None) -> Chased:
    """Send a chaser for each task of ``chosen`` (the ids the preview showed) that is still overdue; audited as
    one action besides each chaser's own ``task.chased``."""
    due = [c for c in overdue_to_chase(session, actor, now, instance_id=instance_id) if c.task_id in set(chosen)]
    told: set[str] = set()
    for chase in due:
        send_chaser(session, chase.task_id, message, actor=actor, now=now, base_url=base_url)
        task = session.get(HumanTask, chase.task_id)
        assert task is not None
        told.update(r.username for r in recipients.for_task(session, task))
    result = Chased(tasks=len(due), people=len(told), agencies=len({c.agency for c in due}))
    audit.record(session, "tasks.chased_all", actor=actor.username, now=now, instance_id=instance_id,
                 task_ids=[c.task_id for c in due], people=result.people, agencies=result.agencies)
    session.flush()
    return result
