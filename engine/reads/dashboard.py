"""The coordinator's dashboard: every case the viewer may see, with its current steps, who it waits for, the
next deadline and whether it is overdue; and the board of outstanding agency returns. Answered from indexed
rows only (``process_instance`` and ``human_task``); no workflow is restored."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from .. import workdays
from ..records import Actor, Page
from ..states import InstanceStatus, TaskState
from ..store.models import Agency, HumanTask, ProcessInstance
from . import access, case_groups
from .case_groups import GroupSummary
from .queries import _header_matches

STATUSES = tuple(InstanceStatus)


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
    group: GroupSummary | None = None  # what is open under the case (an action plan's actions)


@dataclass(frozen=True)
class CaseFilters:
    process_key: str | None = None
    status: str | None = None
    agency: str | None = None
    overdue: bool | None = None
    due_within_days: int | None = None  # working days from today
    search: str | None = None  # in the business key, the title (which holds a CDOP case's URN) or the pseudonym

    def narrowed(self) -> bool:
        """Whether the list is narrowed beyond process and status: then a plan sorts by its own deadlines only."""
        return bool(self.agency or self.overdue is not None or self.due_within_days is not None or self.search)


def groups_rows(actor: Actor, filters: CaseFilters) -> bool:
    """Whether a plan's row counts its open actions and sorts by their deadlines: for those who see every case
    (and so the plans), on the list as a whole. Parts are never rows of a list, whoever looks."""
    return actor.sees_everything and not filters.narrowed()


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
    """``Page`` of ``CaseRow``: soonest next deadline first (so overdue cases lead), then cases with no
    deadline, newest first. The deadline order is read by walking open tasks in due-date order through an
    index until the page is full, so the first pages cost the same with ten or a hundred thousand cases."""
    access.require_case_reader(actor)
    grouping = groups_rows(actor, filters)
    cases = [access.visible_instance(actor), *_case_conditions(filters, now)]
    total = session.scalar(select(func.count()).select_from(ProcessInstance).where(*cases)) or 0
    dated = _by_next_deadline(session, actor, cases, offset + limit)
    by_members = case_groups.members_next_due(session, cases) if grouping else {}
    if by_members:  # a plan takes its actions' soonest deadline
        merged = {k: min(v for v in (dated.get(k), by_members.get(k)) if v is not None) for k in {*dated, *by_members}}
        dated = dict(sorted(merged.items(), key=lambda item: (item[1], item[0])))
    ids = list(dated)[offset:offset + limit]
    narrowed_by_deadline = filters.overdue or filters.due_within_days is not None
    if len(ids) < limit and len(dated) < offset + limit and not narrowed_by_deadline:
        undated = (select(ProcessInstance.id).where(*cases, ~_open_dated_task(actor).exists(),
                                                    ProcessInstance.id.not_in(list(by_members)))
                   .order_by(ProcessInstance.created_at.desc(), ProcessInstance.id)
                   .limit(limit - len(ids)).offset(max(0, offset - len(dated))))
        ids += list(session.scalars(undated))
    found = {r.id: r for r in session.execute(select(
        ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.business_key, ProcessInstance.title,
        ProcessInstance.pseudonym, ProcessInstance.status, ProcessInstance.paused_at, ProcessInstance.created_at)
        .where(ProcessInstance.id.in_(ids)))}
    steps = _steps_of(session, actor, ids, now)
    groups = case_groups.summaries(session, ids, now) if grouping else {}
    rows = []
    for case_id in ids:
        r, due = found[case_id], dated.get(case_id)
        rows.append(CaseRow(id=r.id, process_key=r.process_key, business_key=r.business_key, title=r.title,
                            pseudonym=r.pseudonym, status=r.status, paused=r.paused_at is not None,
                            created_at=r.created_at, next_due_at=due, overdue=due is not None and due < now,
                            steps=steps.get(r.id, ()), group=groups.get(r.id)))
    return Page(tuple(rows), total)


def _open_dated_task(actor: Actor) -> Select:
    """An open, dated task of the case that ``actor`` may see: the deadlines they see order their list."""
    query = select(HumanTask.id).where(HumanTask.instance_id == ProcessInstance.id,
                                       HumanTask.state == TaskState.READY, HumanTask.due_at.is_not(None))
    return query if actor.sees_everything else query.where(access.visible_task(actor))


def _by_next_deadline(session: Session, actor: Actor, cases: list, wanted: int) -> dict[str, datetime]:
    """Up to ``wanted`` matching cases with an open, dated task ``actor`` may see, in order of their soonest
    one (an agency lead's list is ordered by their own deadlines, not by other agencies' lateness)."""
    task = aliased(HumanTask)  # so the cases' own task subqueries are not correlated with the walk
    walk = (select(task.instance_id, task.due_at)
            .join(ProcessInstance, ProcessInstance.id == task.instance_id)
            .where(task.state == TaskState.READY, task.due_at.is_not(None), *cases)
            .order_by(task.due_at, task.instance_id))
    if not actor.sees_everything:
        walk = walk.where(task.id.in_(select(HumanTask.id).where(HumanTask.id == task.id, access.visible_task(actor))))
    found: dict[str, datetime] = {}
    result = session.execute(walk.execution_options(yield_per=256))
    try:
        for instance_id, due_at in result:
            assert due_at is not None  # the walk reads dated tasks only
            found.setdefault(instance_id, due_at)
            if len(found) >= wanted:
                break
    finally:
        result.close()
    return found


def _case_conditions(filters: CaseFilters, now: datetime) -> list:
    conditions: list = [case_groups.not_part()]  # a plan's actions are on its page, not rows of the list
    if filters.process_key:
        conditions.append(ProcessInstance.process_key == filters.process_key)
    if filters.status == InstanceStatus.ACTIVE:  # a completed plan whose actions still run is live work
        conditions.append(or_(ProcessInstance.status == filters.status, case_groups.has_active_members()))
    elif filters.status:
        conditions.append(ProcessInstance.status == filters.status)
    if filters.search and filters.search.strip():
        conditions.append(_header_matches(filters.search.strip()))
    if filters.agency:
        conditions.append(ProcessInstance.id.in_(select(HumanTask.instance_id).where(
            HumanTask.state == TaskState.READY, HumanTask.agency == filters.agency)))
    overdue = select(HumanTask.instance_id).where(HumanTask.state == TaskState.READY, HumanTask.due_at < now)
    if filters.overdue is True:
        conditions.append(ProcessInstance.id.in_(overdue))
    elif filters.overdue is False:
        conditions.append(ProcessInstance.id.not_in(overdue))
    if filters.due_within_days is not None:
        conditions.append(ProcessInstance.id.in_(select(HumanTask.instance_id).where(
            HumanTask.state == TaskState.READY, HumanTask.due_at <= due_by(now, filters.due_within_days))))
    return conditions


def _steps_of(session: Session, actor: Actor, instance_ids: list[str], now: datetime) -> dict[str, tuple[Step, ...]]:
    if not instance_ids:
        return {}
    # Read by case (its index), not by state: SQLite would otherwise walk every open task in due order.
    query = select(HumanTask.id, HumanTask.instance_id, HumanTask.name, HumanTask.title, HumanTask.assignee,
                   HumanTask.agency, HumanTask.role, HumanTask.due_at, HumanTask.state) \
        .where(HumanTask.instance_id.in_(instance_ids))
    if not actor.sees_everything:
        query = query.where(access.visible_task(actor))
    found: dict[str, list[Step]] = {}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    for r in sorted((r for r in session.execute(query) if r.state == TaskState.READY),
                    key=lambda r: (r.due_at is None, r.due_at or far, r.title)):
        found.setdefault(r.instance_id, []).append(Step(
            task_id=r.id, name=r.name, title=r.title, assignee=r.assignee, agency=r.agency, role=r.role,
            due_at=r.due_at, overdue=r.due_at is not None and r.due_at < now))
    return {key: tuple(value) for key, value in found.items()}


def outstanding_returns(session: Session, actor: Actor, now: datetime, *,
                        due_within_days: int = 5) -> list[AgencyReturns]:
    """Open agency-bound tasks per agency, with how many are overdue and how many fall due soon. Coordinators
    and chairs see every agency; anyone else only their own agency's returns. A part's tasks (an action's
    progress update) are its plan's business, not a case's return."""
    access.require_case_reader(actor)
    soon = due_by(now, due_within_days)
    query = (select(HumanTask.agency, func.count().label("open"),
                    func.sum(case((HumanTask.due_at < now, 1), else_=0)).label("overdue"),
                    func.sum(case(((HumanTask.due_at >= now) & (HumanTask.due_at <= soon), 1), else_=0))
                    .label("due_soon"))
             .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
             .where(HumanTask.state == TaskState.READY, HumanTask.agency.is_not(None), case_groups.not_part())
             .group_by(HumanTask.agency))
    if not actor.sees_everything:
        if not actor.agency:
            return []
        query = query.where(HumanTask.agency == actor.agency)
    names = dict(session.execute(select(Agency.key, Agency.name)).all())
    rows = [AgencyReturns(agency=r.agency, name=names.get(r.agency, r.agency), open=r.open,
                          overdue=int(r.overdue or 0), due_soon=int(r.due_soon or 0))
            for r in session.execute(query)]
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name))
