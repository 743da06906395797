"""Read-only questions about tasks and instances, answered from indexed rows (no workflow is restored)."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from ..bundles import task_views
from ..errors import Conflict, Forbidden, NotFound
from ..records import Actor, InstanceInfo, Page, TaskInfo
from ..states import TaskState
from ..store.models import HumanTask, ProcessInstance
from ..views import paths as view_paths
from . import access

_SUMMARY_COLUMNS = (HumanTask.id, HumanTask.instance_id, HumanTask.process_key, HumanTask.name, HumanTask.title,
                   HumanTask.state, HumanTask.role, HumanTask.agency, HumanTask.assignee, HumanTask.created_at,
                   HumanTask.due_at, HumanTask.completed_at, HumanTask.completed_by, HumanTask.priority,
                   HumanTask.bound_to)


def task_info(row: Any, now: datetime, instance: ProcessInstance | None = None) -> TaskInfo:
    return _summary_info(tuple(getattr(row, c.key) for c in _SUMMARY_COLUMNS), now,
                         instance.business_key if instance is not None else None,
                         instance.pseudonym if instance is not None else None)


def _summary_info(values: tuple[Any, ...], now: datetime, business_key: str | None,
                  pseudonym: str | None) -> TaskInfo:
    """A task from the values of ``_SUMMARY_COLUMNS``, in order (unpacking a row beats reading it by name)."""
    (task_id, instance_id, process_key, name, title, state, role, agency, assignee, created_at, due_at,
     completed_at, completed_by, priority, bound_to) = values
    return TaskInfo(
        id=task_id, instance_id=instance_id, process_key=process_key, name=name, title=title, state=state,
        role=role, agency=agency, assignee=assignee, created_at=created_at, due_at=due_at,
        overdue=state == TaskState.READY and due_at is not None and due_at < now, completed_at=completed_at,
        completed_by=completed_by, priority=priority, business_key=business_key, pseudonym=pseudonym,
        bound_to=bound_to,
    )


def instance_info(session: Session, row: ProcessInstance, actor: Actor, now: datetime, *,
                  with_tasks: bool = True, with_data: bool = True) -> InstanceInfo:
    """An instance as ``actor`` may see it; without its tasks or its data where the answer leaves them out (a
    list, a completion's answer), since a participant's view is read from every task they took part in."""
    tasks: tuple[TaskInfo, ...] = ()
    if with_tasks:
        rows = session.execute(_instance_tasks_query(actor), {"instance_id": row.id})
        tasks = tuple(_summary_info(t, now, row.business_key, row.pseudonym) for t in rows)
    whole = actor.sees_everything
    data: dict[str, Any] = {}
    if with_data:
        data = (row.data or {}) if whole else participant_view(session, row, actor)
    return InstanceInfo(
        id=row.id, process_key=row.process_key, version=row.definition.version, business_key=row.business_key,
        title=row.title, status=row.status, created_at=row.created_at, updated_at=row.updated_at,
        pseudonym=row.pseudonym, error=row.error if whole else _error_for_participants(row.error),
        paused=row.paused_at is not None, tasks=tasks, data=data,
    )


def _error_for_participants(error: dict[str, Any] | None) -> dict[str, Any] | None:
    """Where a case stopped, without the engine's message: a script's or template's error can quote the case
    data it failed on, which is the coordinator's to read, not every participant's."""
    if not error:
        return None
    return {"task_name": error.get("task_name"), "message": "the coordinator has been told and will put it right"}


@lru_cache(maxsize=256)
def _instance_tasks_query(actor: Actor) -> Select[*tuple[Any, ...]]:
    """The tasks of an instance that ``actor`` may see, as plain column rows (a long case has many), built once
    per actor: the statement keeps its compiled form between calls."""
    query = select(*_SUMMARY_COLUMNS).where(HumanTask.instance_id == bindparam("instance_id"))
    if not actor.sees_everything:
        query = query.where(access.visible_task(actor))
    return query.order_by(HumanTask.created_at)


def participant_view(session: Session, row: ProcessInstance, actor: Actor) -> dict[str, Any]:
    """What someone who does not see the whole case may see of it: the case header, and the union of what the
    tasks they take part in showed them and what they answered there (each task row keeps its view's data,
    never the whole case), later tasks over earlier ones."""
    view: dict[str, Any] = {k: v for k, v in (row.data or {}).items() if k in task_views.HEADER_VARIABLES}
    tasks = session.execute(_participant_tasks_query(actor), {"instance_id": row.id})
    for data, answers in tasks:
        view_paths.merge(view, data or {})
        view_paths.merge(view, answers or {})
    return view


@lru_cache(maxsize=256)
def _participant_tasks_query(actor: Actor) -> Select[*tuple[Any, ...]]:
    return (select(HumanTask.data, HumanTask.answers)
            .where(HumanTask.instance_id == bindparam("instance_id"), access.visible_task(actor))
            .order_by(HumanTask.created_at, HumanTask.id))


def visible_instance_row(session: Session, actor: Actor, instance_id: str) -> ProcessInstance:
    access.require_case_reader(actor)
    row = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id,
                                                       access.visible_instance(actor)))
    if row is None:
        raise NotFound(f"no process instance {instance_id!r}")
    return row


def visible_task_row(session: Session, actor: Actor, task_id: str) -> HumanTask:
    access.require_case_reader(actor)
    row = session.get(HumanTask, task_id)
    if row is None or not access.may_see_task(actor, row):
        raise NotFound(f"no task {task_id!r}")
    return row


_TASK_WITH_INSTANCE = select(HumanTask, ProcessInstance).join(
    ProcessInstance, HumanTask.instance_id == ProcessInstance.id).where(HumanTask.id == bindparam("task_id"))


def visible_task_with_instance(session: Session, actor: Actor, task_id: str) -> tuple[HumanTask, ProcessInstance]:
    """A task ``actor`` may see and its instance, in one query."""
    access.require_case_reader(actor)
    found = session.execute(_TASK_WITH_INSTANCE, {"task_id": task_id}).first()
    if found is None or not access.may_see_task(actor, found[0]):
        raise NotFound(f"no task {task_id!r}")
    return found[0], found[1]


def ready_task_to_do(session: Session, actor: Actor, task_id: str) -> tuple[HumanTask, ProcessInstance]:
    """A ready task ``actor`` may do, and its instance: ``NotFound`` when they may not see it, ``Conflict`` when it
    is no longer ready, ``Forbidden`` when it is someone else's (completing, drafting, claiming, uploading)."""
    row, instance = visible_task_with_instance(session, actor, task_id)
    if row.state != TaskState.READY:
        raise Conflict(f"the task is already {row.state}")
    if not access.may_do(actor, row):
        raise Forbidden("this task is assigned to someone else" if row.assignee else "you may not do this task")
    return row, instance


def tasks_for(session: Session, actor: Actor, now: datetime, *, state: str | None = TaskState.READY,
              overdue: bool | None = None, process_key: str | None = None, instance_id: str | None = None,
              limit: int = 50, offset: int = 0) -> Page:
    """The tasks ``actor`` may do (everyone's, for coordinators), overdue first, then by due date."""
    access.require_case_reader(actor)
    query = select(HumanTask, ProcessInstance).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
    if not actor.has("coordinator"):
        query = query.where(access.offered_to(actor) if state == TaskState.READY else access.visible_task(actor))
    if state:
        query = query.where(HumanTask.state == state)
    if process_key:
        query = query.where(HumanTask.process_key == process_key)
    if instance_id:
        query = query.where(HumanTask.instance_id == instance_id)
    if overdue is not None:
        late = (HumanTask.state == TaskState.READY) & (HumanTask.due_at < now)
        query = query.where(late if overdue else ~late | HumanTask.due_at.is_(None))
    total = _count(session, query)
    # the id last: tasks made in one step tie on everything else, and pages must not overlap or skip
    rows = session.execute(query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.priority,
                                          HumanTask.created_at, HumanTask.id).limit(limit).offset(offset)).all()
    return Page(tuple(task_info(t, now, i) for t, i in rows), total)


def instances_for(session: Session, actor: Actor, now: datetime, *, process_key: str | None = None,
                  status: str | None = None, overdue: bool | None = None, search: str | None = None,
                  limit: int = 50, offset: int = 0) -> Page:
    """The cases ``actor`` may see, newest first; never a part of a case (an action plan's action: the plan is the
    case). ``search`` matches the case header only (business key, title, pseudonym), never the case data: finding a
    case by what an agency wrote in it would tell the searcher that it was written."""
    access.require_case_reader(actor)
    query = select(ProcessInstance).where(access.visible_instance(actor), ProcessInstance.parent_id.is_(None))
    if search and search.strip():
        query = query.where(_header_matches(search.strip()))
    if process_key:
        query = query.where(ProcessInstance.process_key == process_key)
    if status:
        query = query.where(ProcessInstance.status == status)
    if overdue is not None:
        late = select(HumanTask.id).where(HumanTask.instance_id == ProcessInstance.id,
                                          HumanTask.state == TaskState.READY, HumanTask.due_at < now).exists()
        query = query.where(late if overdue else ~late)
    total = _count(session, query)
    rows = session.scalars(query.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id)
                           .limit(limit).offset(offset))
    return Page(tuple(instance_info(session, r, actor, now, with_tasks=False, with_data=False) for r in rows), total)


def _header_matches(search: str) -> ColumnElement[bool]:
    """Case-insensitive substring match on the header columns; ``%`` and ``_`` in the search are literal."""
    pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in
                 (ProcessInstance.business_key, ProcessInstance.title, ProcessInstance.pseudonym)))


def instance_tasks(session: Session, actor: Actor, instance_id: str, now: datetime, *, state: str | None = None,
                   limit: int = 50, offset: int = 0) -> Page:
    """Every task of a case that ``actor`` may see (``NotFound`` for a case they do not take part in), oldest
    first."""
    row = visible_instance_row(session, actor, instance_id)
    query = select(HumanTask).where(HumanTask.instance_id == row.id, access.visible_task(actor))
    if state:
        query = query.where(HumanTask.state == state)
    total = _count(session, query)
    found = session.scalars(query.order_by(HumanTask.created_at, HumanTask.id).limit(limit).offset(offset))
    return Page(tuple(task_info(t, now, row) for t in found), total)


def _count(session: Session, query: Select[*tuple[Any, ...]]) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
