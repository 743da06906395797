"""The coordinator's dashboard: every case the viewer may see, with its current steps, who it waits for, the
next deadline and whether it is overdue; and the board of outstanding agency returns. Answered from indexed
rows only (``process_instance`` and ``human_task``); no workflow is restored."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from . import access, workdays
from .models import Agency, HumanTask, ProcessInstance
from .records import Actor, Page

STATUSES = ("active", "completed", "cancelled", "error")


@dataclass(frozen=True)
class Step:
    """A ready task of a case, and who it waits for (a user, else an agency, else a role)."""

    task_id: str
    name: str
    title: str
    assignee: str | None
    agency: str | None
    role: str | None
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CaseRow:
    id: str
    process_key: str
    business_key: str
    title: str
    pseudonym: str | None
    status: str
    paused: bool
    created_at: datetime
    next_due_at: datetime | None
    overdue: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class CaseFilters:
    process_key: str | None = None
    status: str | None = None
    agency: str | None = None
    overdue: bool | None = None
    due_within_days: int | None = None  # working days from today


@dataclass(frozen=True)
class AgencyReturns:
    agency: str
    name: str
    open: int
    overdue: int
    due_soon: int


def due_by(now: datetime, working_days: int) -> datetime:
    """The end of the working day ``working_days`` working days from today (London)."""
    return workdays.end_of_working_day(workdays.add_working_days(workdays.london_date(now), working_days))


def case_board(session: Session, actor: Actor, now: datetime, filters: CaseFilters = CaseFilters(), *,
               limit: int = 25, offset: int = 0) -> Page:
    """``Page`` of ``CaseRow``: soonest next deadline first (overdue cases lead), then the newest cases."""
    next_due = (select(HumanTask.instance_id, func.min(HumanTask.due_at).label("due_at"))
                .where(HumanTask.state == "ready").group_by(HumanTask.instance_id).subquery())
    query = (select(ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.business_key,
                    ProcessInstance.title, ProcessInstance.pseudonym, ProcessInstance.status,
                    ProcessInstance.paused_at, ProcessInstance.created_at, next_due.c.due_at)
             .outerjoin(next_due, next_due.c.instance_id == ProcessInstance.id)
             .where(access.visible_instance(actor), *_conditions(filters, next_due.c.due_at, now)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(next_due.c.due_at.is_(None), next_due.c.due_at,
                                          ProcessInstance.created_at.desc(), ProcessInstance.id)
                           .limit(limit).offset(offset)).all()
    steps = _steps_of(session, actor, [r.id for r in rows], now)
    return Page(tuple(CaseRow(id=r.id, process_key=r.process_key, business_key=r.business_key, title=r.title,
                              pseudonym=r.pseudonym, status=r.status, paused=r.paused_at is not None,
                              created_at=r.created_at, next_due_at=r.due_at,
                              overdue=r.due_at is not None and r.due_at < now, steps=steps.get(r.id, ()))
                      for r in rows), total)


def _conditions(filters: CaseFilters, next_due_at: ColumnElement[datetime], now: datetime) -> list:
    conditions: list = []
    if filters.process_key:
        conditions.append(ProcessInstance.process_key == filters.process_key)
    if filters.status:
        conditions.append(ProcessInstance.status == filters.status)
    if filters.agency:
        conditions.append(ProcessInstance.id.in_(select(HumanTask.instance_id).where(
            HumanTask.state == "ready", HumanTask.agency == filters.agency)))
    if filters.overdue is True:
        conditions.append(next_due_at < now)
    elif filters.overdue is False:
        conditions.append(next_due_at.is_(None) | (next_due_at >= now))
    if filters.due_within_days is not None:
        conditions.append(next_due_at <= due_by(now, filters.due_within_days))
    return conditions


def _steps_of(session: Session, actor: Actor, instance_ids: list[str], now: datetime) -> dict[str, tuple[Step, ...]]:
    if not instance_ids:
        return {}
    query = select(HumanTask.id, HumanTask.instance_id, HumanTask.name, HumanTask.title, HumanTask.assignee,
                   HumanTask.agency, HumanTask.role, HumanTask.due_at) \
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.state == "ready")
    if not actor.sees_everything:
        query = query.where(access.visible_task(actor))
    found: dict[str, list[Step]] = {}
    for r in session.execute(query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.title)):
        found.setdefault(r.instance_id, []).append(Step(
            task_id=r.id, name=r.name, title=r.title, assignee=r.assignee, agency=r.agency, role=r.role,
            due_at=r.due_at, overdue=r.due_at is not None and r.due_at < now))
    return {key: tuple(value) for key, value in found.items()}


def outstanding_returns(session: Session, actor: Actor, now: datetime, *, due_within_days: int = 5) -> list[AgencyReturns]:
    """Open agency-bound tasks per agency, with how many are overdue and how many fall due soon. Coordinators
    and chairs see every agency; anyone else only their own agency's returns."""
    soon = due_by(now, due_within_days)
    query = (select(HumanTask.agency, func.count().label("open"),
                    func.sum(case((HumanTask.due_at < now, 1), else_=0)).label("overdue"),
                    func.sum(case(((HumanTask.due_at >= now) & (HumanTask.due_at <= soon), 1), else_=0))
                    .label("due_soon"))
             .where(HumanTask.state == "ready", HumanTask.agency.is_not(None)).group_by(HumanTask.agency))
    if not actor.sees_everything:
        if not actor.agency:
            return []
        query = query.where(HumanTask.agency == actor.agency)
    names = dict(session.execute(select(Agency.key, Agency.name)).all())
    rows = [AgencyReturns(agency=r.agency, name=names.get(r.agency, r.agency), open=r.open,
                          overdue=int(r.overdue or 0), due_soon=int(r.due_soon or 0))
            for r in session.execute(query)]
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name))
