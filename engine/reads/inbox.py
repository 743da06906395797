"""A user's inbox: the ready tasks offered to them (assigned to them, or unassigned and bound to their agency
or to their roles), overdue first, then by due date, with the working days left. Answered from indexed rows;
no workflow is restored. Coordinators get the tasks offered to them too, not everyone's: the dashboard is
where they watch every case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, func, select, union
from sqlalchemy.orm import Session

from .. import workdays
from ..records import Actor, Page, TaskInfo
from ..states import TaskState
from ..store.models import HumanTask, ProcessInstance
from . import access
from .queries import task_info


@dataclass(frozen=True)
class InboxItem:
    task: TaskInfo
    days_left: int | None  # working days to the due date; negative once overdue
    claimed_by_me: bool
    releasable: bool = False  # claimed by me from a queue (a task bound to me stays mine when released)


def inbox_for(session: Session, actor: Actor, now: datetime, *, instance_id: str | None = None,
              overdue: bool | None = None, limit: int = 50, offset: int = 0) -> Page:
    """``Page`` of ``InboxItem``: the ready tasks ``actor`` may do."""
    access.require_case_reader(actor)
    # For one case, ``state || ''`` keeps SQLite on the case's index instead of walking every open task.
    ready = (HumanTask.state.concat("") if instance_id else HumanTask.state) == TaskState.READY
    conditions = [ready, access.offered_to(actor)]
    if overdue is not None:
        late = HumanTask.due_at < now
        conditions.append(late if overdue else (~late | HumanTask.due_at.is_(None)))
    if instance_id:
        conditions.append(HumanTask.instance_id == instance_id)
    offered = _offered(actor, conditions, narrow=not instance_id).subquery()
    total = session.scalar(select(func.count()).select_from(offered)) or 0
    page = (select(offered.c.id).order_by(offered.c.due_at.is_(None), offered.c.due_at, offered.c.priority,
                                          offered.c.created_at, offered.c.id).limit(limit).offset(offset)).subquery()
    order = {task_id: n for n, task_id in enumerate(session.scalars(select(page.c.id)))}
    rows = sorted(session.execute(select(HumanTask, ProcessInstance)
                                  .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                                  .where(HumanTask.id.in_(list(order)))).all(),
                  key=lambda pair: order[pair[0].id])
    items = tuple(InboxItem(task=task_info(task, now, instance),
                            days_left=workdays.working_days_left(task.due_at, now) if task.due_at else None,
                            claimed_by_me=task.assignee == actor.username,
                            releasable=task.assignee == actor.username and task.bound_to != actor.username)
                  for task, instance in rows)
    return Page(items, total)


def _offered(actor: Actor, conditions: list, *,
             narrow: bool) -> Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]:
    """The tasks meeting ``conditions`` (which include ``access.offered_to``) with their sort keys. With
    ``narrow``, read as a union of parts that each start from one index (state with assignee, agency, or
    agency and role), so SQLite reads only likely tasks instead of every open one."""
    columns = (HumanTask.id, HumanTask.due_at, HumanTask.priority, HumanTask.created_at)
    if not narrow:
        return select(*columns).where(*conditions)
    unbound = HumanTask.agency.is_(None)
    parts = [HumanTask.assignee == actor.username, unbound & HumanTask.role.in_(sorted(actor.case_roles))]
    if actor.agency:
        parts.append(HumanTask.agency == actor.agency)
    if actor.has("coordinator"):
        parts.append(unbound & HumanTask.role.is_(None))
    # distinct: a task can be both assigned to me and bound to my agency
    return union(*(select(*columns).where(part, *conditions) for part in parts))
