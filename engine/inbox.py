"""A user's inbox: the ready tasks offered to them (assigned to them, or unassigned and bound to their agency
or to their roles), overdue first, then by due date, with the working days left. Answered from indexed rows;
no workflow is restored. Coordinators get the tasks offered to them too, not everyone's: the dashboard is
where they watch every case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session

from . import access, workdays
from .models import HumanTask, ProcessInstance
from .queries import task_info
from .records import Actor, Page, TaskInfo


@dataclass(frozen=True)
class InboxItem:
    task: TaskInfo
    days_left: int | None  # working days to the due date; negative once overdue
    claimed_by_me: bool


def inbox_for(session: Session, actor: Actor, now: datetime, *, instance_id: str | None = None,
              overdue: bool | None = None, limit: int = 50, offset: int = 0) -> Page:
    """``Page`` of ``InboxItem``: the ready tasks ``actor`` may do."""
    conditions = [HumanTask.state == "ready", HumanTask.id.in_(_candidates(actor)), access.offered_to(actor)]
    if instance_id:
        conditions.append(HumanTask.instance_id == instance_id)
    if overdue is not None:
        late = HumanTask.due_at < now
        conditions.append(late if overdue else (~late | HumanTask.due_at.is_(None)))
    total = session.scalar(select(func.count()).select_from(HumanTask).where(*conditions)) or 0
    page = (select(HumanTask.id).where(*conditions)
            .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.priority, HumanTask.created_at,
                      HumanTask.id).limit(limit).offset(offset).subquery())
    order = {task_id: n for n, task_id in enumerate(session.scalars(select(page.c.id)))}
    rows = sorted(session.execute(select(HumanTask, ProcessInstance)
                                  .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                                  .where(HumanTask.id.in_(list(order)))).all(),
                  key=lambda pair: order[pair[0].id])
    items = tuple(InboxItem(task=task_info(task, now, instance),
                            days_left=workdays.working_days_left(task.due_at, now) if task.due_at else None,
                            claimed_by_me=task.assignee == actor.username)
                  for task, instance in rows)
    return Page(items, total)


def _candidates(actor: Actor) -> Select:
    """A superset of the ready tasks offered to ``actor``, each part answerable from one index (state with
    assignee, agency or role), so SQLite need not scan every task; ``access.offered_to`` then decides."""
    ready = HumanTask.state == "ready"
    unbound = HumanTask.agency.is_(None)
    parts = [select(HumanTask.id).where(ready, HumanTask.assignee == actor.username),
             select(HumanTask.id).where(ready, unbound, HumanTask.role.in_(sorted(actor.roles)))]
    if actor.agency:
        parts.append(select(HumanTask.id).where(ready, HumanTask.agency == actor.agency))
    if actor.has("coordinator"):
        parts.append(select(HumanTask.id).where(ready, unbound, HumanTask.role.is_(None)))
    return union_all(*parts)
