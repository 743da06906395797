"""The action register: every action of every plan, whatever process raised it, as its viewer may see it (need to
know), with the names a page shows beside it (the plan's reference and title, the owner's full name, the agency's
name), read in one statement from the ``plan_action`` rows ``engine.registers`` keeps; and the actions of one plan,
for its case page and its progress report for the board."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from .. import workdays
from ..errors import BadRequest
from ..reads import access
from ..records import Actor, Page
from ..registers.records import CLOSED_STATUSES, RAG_WORDS, STATUS_WORDS, ActionEntry
from ..store.models import Agency, PlanAction, ProcessDefinition, ProcessInstance, User

# The processes that raise plans (``plan_action.source_process``); "manual" is a plan entered by hand.
PROCESS_KEYS = ("scr", "cdop", "section11", "case_audit", "manual")
# ``status``: "open" (not yet closed, the status "open" among them), "closed" (signed off or withdrawn), or a status
# of ``STATUS_WORDS``.
STATUS_FILTERS = ("open", "closed", *(key for key in STATUS_WORDS if key != "open"))
MAX_SEARCH = 200


@dataclass(frozen=True)
class RegisteredAction:
    """One action as a list shows it: its register entry, its plan's reference, title and status, the owner's full
    name and the agency's name (None when the row names no one, or someone since removed), and whether it is overdue
    now (open after its due day in England)."""
    entry: ActionEntry
    plan_business_key: str
    plan_title: str
    plan_status: str
    owner_name: str | None
    agency_name: str | None
    overdue: bool


@dataclass(frozen=True)
class PlanActions:
    """The actions of one plan that its viewer may see, by number, with their counts by status, the open ones' by
    RAG rating, and how many are overdue."""
    plan_id: str
    actions: tuple[RegisteredAction, ...]
    by_status: dict[str, int]
    by_rag: dict[str, int]
    overdue: int

    @property
    def open(self) -> int:
        return sum(1 for a in self.actions if a.entry.is_open)


def action_register(session: Session, *, actor: Actor, now: datetime, agency: str | None = None,
                    process_key: str | None = None, status: str | None = None, rag: str | None = None,
                    overdue: bool | None = None, due_from: date | None = None, due_to: date | None = None,
                    q: str | None = None, plan_id: str | None = None, limit: int, offset: int) -> Page:
    """A page of ``RegisteredAction``: overdue first, then by due date (none last), the plan and the action's
    number; ``total`` counts every match. ``BadRequest`` (details name the parameter) for a value no action could
    have; ``Forbidden`` for administrators and designers."""
    access.require_case_reader(actor)
    check_filters(agency=agency, process_key=process_key, status=status, rag=rag, due_from=due_from, due_to=due_to,
                  q=q)
    today = workdays.london_date(now)
    late = _overdue(today)
    # The page's ids first, from the narrow columns the filters and the order need, then the page's rows with their
    # names and the count of every match: one statement, reading 50 wide rows (their texts) and not every match's.
    # A search counts on the page's own scan (a window: one pass of LIKE over the texts, not two); otherwise the
    # count reads the index alone and the page sorts only its top rows. Measured at 50,000 actions (CPU on SQLite):
    # a search 100 ms windowed against 176; the unsearched first page 54 ms against 110 windowed.
    sqlite = session.get_bind().dialect.name == "sqlite"
    windowed = bool(q and q.strip())

    def matching(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        query = query.where(need_to_know(actor))
        if q and q.strip():
            query = query.join(ProcessInstance, ProcessInstance.id == PlanAction.plan_id)
        return _filtered(query, today, agency=agency, process_key=process_key, status=status, rag=rag,
                         overdue=overdue, due_from=due_from, due_to=due_to, q=q, plan_id=plan_id, sqlite=sqlite)

    counted = matching(select(func.count(PlanAction.id)))
    order = ("rank", "due_null", "due_date", "plan_id", "number", "id")
    page = matching(select(PlanAction.id.label("id"), case((late, 0), else_=1).label("rank"),
                           PlanAction.due_date.is_(None).label("due_null"), PlanAction.due_date.label("due_date"),
                           PlanAction.plan_id.label("plan_id"), PlanAction.number.label("number"),
                           *([func.count().over().label("total")] if windowed else []))) \
        .order_by(*order).limit(limit).offset(offset).subquery("page")
    owner, agency_row = aliased(User), aliased(Agency)
    query = (select(PlanAction, ProcessInstance.business_key, ProcessInstance.title, ProcessInstance.status,
                    owner.full_name, agency_row.name, (page.c.rank == 0).label("late"),
                    page.c.total if windowed else counted.scalar_subquery().label("total"))
             .join(page, page.c.id == PlanAction.id)
             .join(ProcessInstance, ProcessInstance.id == PlanAction.plan_id)
             .outerjoin(owner, owner.username == PlanAction.owner)
             .outerjoin(agency_row, agency_row.key == PlanAction.agency)
             .order_by(*(page.c[name] for name in order)))
    rows = session.execute(query).all()
    # past the last page (or nothing matches), no row carries the count
    total = rows[0].total if rows else session.scalar(counted)
    return Page(tuple(_registered(row) for row in rows), total or 0)


def plan_actions(session: Session, plan_id: str, *, actor: Actor, now: datetime) -> PlanActions | None:
    """The actions of the plan ``plan_id`` that ``actor`` may see, by number; None when the case is no action plan
    (it has no actions, and its process is not ``action_plan``)."""
    page = action_register(session, actor=actor, now=now, plan_id=plan_id, limit=10_000, offset=0)
    if not page.items:
        row = session.get(ProcessInstance, plan_id)
        if row is None or row.process_id != "action_plan":
            return None
    actions = tuple(sorted(page.items, key=lambda a: (a.entry.number, a.entry.id)))
    return PlanActions(plan_id=plan_id, actions=actions,
                       by_status=dict(Counter(a.entry.status for a in actions)),
                       by_rag=dict(Counter(a.entry.rag for a in actions if a.entry.rag and a.entry.is_open)),
                       overdue=sum(1 for a in actions if a.overdue))


def need_to_know(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the action is one ``actor`` may see: every action for coordinators, chairs and the
    scrutineer; for other case readers their agency's actions and those they own."""
    if not actor.reads_cases:
        return false()
    if actor.sees_everything:
        return true()
    own = PlanAction.owner == actor.username
    return or_(PlanAction.agency == actor.agency, own) if actor.agency else own


def check_filters(*, agency: str | None = None, process_key: str | None = None, status: str | None = None,
                  rag: str | None = None, due_from: date | None = None, due_to: date | None = None,
                  q: str | None = None) -> None:
    """``BadRequest`` naming the first parameter whose value no action could match."""
    problems = (
        ("agency", agency is not None and not (0 < len(agency) <= 64), "agency must be an agency's key"),
        ("process_key", process_key is not None and process_key not in PROCESS_KEYS,
         f"process_key must be one of {', '.join(PROCESS_KEYS)}"),
        ("status", status is not None and status not in STATUS_FILTERS,
         f"status must be one of {', '.join(STATUS_FILTERS)}"),
        ("rag", rag is not None and rag not in RAG_WORDS, f"rag must be one of {', '.join(RAG_WORDS)}"),
        ("q", q is not None and len(q) > MAX_SEARCH, f"q must be at most {MAX_SEARCH} characters"),
        ("to", due_from is not None and due_to is not None and due_to < due_from, "to must not be before from"),
    )
    for parameter, bad, message in problems:
        if bad:
            raise BadRequest(message, {"parameter": parameter})


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(PlanAction.status.not_in(sorted(CLOSED_STATUSES)), PlanAction.due_date < today)


def _filtered(query: Select[*tuple[Any, ...]], today: date, *, agency: str | None, process_key: str | None,
              status: str | None, rag: str | None, overdue: bool | None, due_from: date | None,
              due_to: date | None, q: str | None, plan_id: str | None, sqlite: bool) -> Select[*tuple[Any, ...]]:
    conditions: list[ColumnElement[bool]] = []
    if agency:
        conditions.append(PlanAction.agency == agency)
    if process_key:
        conditions.append(PlanAction.source_process == process_key)
    if status == "open":
        conditions.append(PlanAction.status.not_in(sorted(CLOSED_STATUSES)))
    elif status == "closed":
        conditions.append(PlanAction.status.in_(sorted(CLOSED_STATUSES)))
    elif status:
        conditions.append(PlanAction.status == status)
    if rag:
        conditions.append(PlanAction.rag == rag)
    if overdue is not None:
        late = _overdue(today)
        conditions.append(late if overdue else or_(PlanAction.status.in_(sorted(CLOSED_STATUSES)),
                                                   PlanAction.due_date.is_(None), PlanAction.due_date >= today))
    if due_from is not None:
        conditions.append(PlanAction.due_date >= due_from)
    if due_to is not None:
        conditions.append(PlanAction.due_date <= due_to)
    if q and q.strip():
        conditions.append(_matches(q.strip(), sqlite))
    if plan_id:
        conditions.append(PlanAction.plan_id == plan_id)
    return query.where(*conditions) if conditions else query


def _matches(search: str, sqlite: bool) -> ColumnElement[bool]:
    """Case-insensitive substring match on the action's words and its plan's reference and title; ``%`` and ``_``
    are literal. SQLite's LIKE already ignores case (ASCII letters, as its ``lower`` does), so it is spared a
    ``lower`` of every text; on PostgreSQL ``lower(text) LIKE`` is cheaper than ILIKE (measured: 177 against 273 ms
    over 16,000 actions)."""
    pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    columns = (PlanAction.action_key, PlanAction.recommendation, PlanAction.action, PlanAction.measure,
               PlanAction.latest_update, PlanAction.source_reference, ProcessInstance.business_key,
               ProcessInstance.title)
    if sqlite:
        return or_(*(column.like(pattern, escape="\\") for column in columns))
    return or_(*(func.lower(column).like(pattern.lower(), escape="\\") for column in columns))


def _registered(row: Any) -> RegisteredAction:
    return RegisteredAction(entry=ActionEntry.of(row[0]), plan_business_key=row[1], plan_title=row[2],
                            plan_status=row[3], owner_name=row[4] or None, agency_name=row[5], overdue=bool(row.late))


def process_names(session: Session) -> dict[str, str]:
    """The raising processes' names by key, as the latest deployed versions give them ("Entered by hand" for a plan
    started without a source case)."""
    names = dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.name)
                                 .where(ProcessDefinition.key.in_(PROCESS_KEYS))
                                 .order_by(ProcessDefinition.version)).all())  # the latest version's name wins
    return {key: names.get(key, key.replace("_", " ").capitalize()) for key in PROCESS_KEYS} | {
        "manual": "Entered by hand"}
