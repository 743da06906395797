"""The measures of the partnership's own cycles: Section 11 returns completed (by agency, and each standard's
ratings, against the previous cycle), actions open past their due date (by agency) and the grades case file audits
give (by month).

A Section 11 cycle is in a period when its case started in it; its previous cycle is the latest one started
before the period. An action is in a period when it was raised in it. An audited child is in the period in which
the audit meeting recorded its grade."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, case, cast, func, select, true
from sqlalchemy.orm import Session

from .. import workdays
from ..states import InstanceStatus, TaskState
from ..store.models import Agency, HumanTask, PlanAction, ProcessInstance
from .counting import Counted, Period, completed, day, day_of, london_day, measure, plural, share
from .records import Measure, Share

COMPLETED = str(TaskState.COMPLETED)
RATINGS = (("green", "green"), ("amber", "amber"), ("red", "red"), ("na", "not applicable"))
GRADES = (("good", "Good"), ("adequate", "Adequate"), ("inadequate", "Inadequate"))


# --- Section 11 -----------------------------------------------------------------------------------------------

def section11_returns(session: Session, period: Period) -> tuple[Measure, list[Counted]]:
    """``section11_returns_complete``: returns completed of those asked for in the cycles started in the period."""
    cycles = _cycles(session).where(ProcessInstance.created_at >= period.starts_at,
                                    ProcessInstance.created_at < period.ends_before)
    previous_id = session.connection().scalar(_cycles(session).where(ProcessInstance.created_at < period.starts_at)
                                              .order_by(ProcessInstance.created_at.desc()).limit(1))
    current, agencies, ratings = _returns(session, cycles)
    before, before_agencies, before_ratings = _returns(
        session, _cycles(session).where(ProcessInstance.id == previous_id)) if previous_id else ([], [], [])
    breakdowns = {"by agency": _by_agency(current, agencies), "by standard": _by_standard(ratings),
                  "previous cycle by agency": _by_agency(before, before_agencies),
                  "previous cycle by standard": _by_standard(before_ratings)}
    notes = []
    if before:
        done = sum(1 for c in before if c.met)
        started = min(c.started_on for c in before if c.started_on)
        notes.append(f"Previous cycle (started {started.day} {started:%B %Y}): {done} of {len(before)} returns "
                     "completed.")
    return measure("section11_returns_complete", "Section 11 returns completed", current,
                   breakdowns=breakdowns, notes=notes), current


def _cycles(session: Session) -> Select[Any]:
    return select(ProcessInstance.id).where(ProcessInstance.process_key == "section11",
                                            ProcessInstance.process_id == "section11",
                                            ProcessInstance.status != InstanceStatus.CANCELLED)


def _returns(session: Session, cycles: Select[Any]) -> tuple[list[Counted], list[str], list[tuple[str, str, int]]]:
    """Each return of the cycles (one per agency) and its agency's key, and how many completed returns gave each
    standard each rating (counted by the database: a return's answers are long)."""
    cycle_ids = cycles.subquery()
    connection = session.connection()
    rows = connection.execute(
        select(HumanTask.instance_id, HumanTask.state, HumanTask.agency, Agency.name,
               london_day(session, HumanTask.completed_at), london_day(session, HumanTask.statutory_due_at),
               london_day(session, ProcessInstance.created_at))
        .join(cycle_ids, cycle_ids.c.id == HumanTask.instance_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Agency, Agency.key == HumanTask.agency)
        .where(HumanTask.process_key == "section11", HumanTask.name == "self_evaluation",
               HumanTask.state != TaskState.CANCELLED)
        .order_by(ProcessInstance.created_at, HumanTask.agency)).all()
    counted, agencies = [], []
    for instance_id, state, agency, name, completed_day, due, started in rows:
        agencies.append(agency or "")
        done = state == COMPLETED
        counted.append(Counted(instance_id, done, day(started), day(due), day(completed_day) if done else None,
                               name or agency or ""))
    ratings = [(standard, rating, n) for path in ("$", "$.additional_standards")
               for standard, rating, n in connection.execute(_ratings_query(session, cycle_ids, path))
               if isinstance(rating, str)]
    return counted, agencies, ratings


def _ratings_query(session: Session, cycle_ids: Any, path: str) -> Select[Any]:
    """How many completed returns gave each standard (a key of the answers at ``path`` whose value has a
    ``rating``: ``standard_1`` to ``standard_8``, and the coordinator's own standards under
    ``additional_standards``) each rating. The cycles' returns are picked first (a CTE the databases make once),
    so only their answers are read."""
    returns = (select(HumanTask.answers.label("answers"))
               .join(cycle_ids, cycle_ids.c.id == HumanTask.instance_id)
               .where(HumanTask.process_key == "section11", HumanTask.name == "self_evaluation", completed(),
                      # the coordinator's own standards are in few returns: a text search spares parsing the rest
                      true() if path == "$" else cast(HumanTask.answers, Text).contains('"additional_standards"'))
               .cte("returns").prefix_with("MATERIALIZED", dialect="postgresql"))
    if session.get_bind().dialect.name == "postgresql":
        source = returns.c.answers if path == "$" else returns.c.answers.op("->")("additional_standards")
        item = func.json_each(source).table_valued("key", "value").alias("item")
        rating: ColumnElement[Any] = case((func.json_typeof(item.c.value) == "object",
                                           item.c.value.op("->>")("rating")), else_=None)
    else:
        item = func.json_each(returns.c.answers, path).table_valued("key", "value", "type").alias("item")
        rating = case((item.c.type == "object", func.json_extract(item.c.value, "$.rating")), else_=None)
    return select(item.c.key, rating, func.count()).select_from(returns).join(item, true()).group_by(item.c.key,
                                                                                                     rating)


def _by_agency(counted: list[Counted], agencies: list[str]) -> tuple[Share, ...]:
    """One share per agency (keyed by the agency's key, labelled with its name), in the order of the names."""
    groups: dict[tuple[str, str], list[Counted]] = {}
    for key, item in zip(agencies, counted, strict=True):
        groups.setdefault((item.what, key), []).append(item)
    return tuple(share(key, name, items) for (name, key), items in sorted(groups.items()))


def _by_standard(ratings: list[tuple[str, str, int]]) -> tuple[Share, ...]:
    """Per standard, how many returns gave each rating of those that rated it."""
    counts: dict[str, dict[str, int]] = {}
    for standard, rating, n in ratings:
        given = counts.setdefault(standard, {})
        given[rating] = given.get(rating, 0) + n
    shares = []
    for standard in sorted(counts, key=_standard_order):
        rated = sum(counts[standard].values())
        for rating, words in RATINGS:
            shares.append(Share(f"{standard}:{rating}", f"{_standard_words(standard)}: {words}",
                                counts[standard].get(rating, 0), rated))
    return tuple(shares)


def _standard_order(key: str) -> tuple[int, str]:
    number = key.removeprefix("standard_")
    return (int(number), "") if number.isdigit() else (10_000, key)


def _standard_words(key: str) -> str:
    number = key.removeprefix("standard_")
    return f"Standard {number}"


# --- actions --------------------------------------------------------------------------------------------------

def actions_overdue(session: Session, period: Period, now: datetime) -> Measure:
    """``actions_overdue``: of the actions raised in the period (withdrawn ones aside), those open past their due
    date today. Lower is better. A re-planned action counts against its new date; the note says how many were.
    Counted by the database (there are tens of thousands of actions); ``overdue_actions`` lists them."""
    today = workdays.london_date(now)
    is_open = PlanAction.status != "signed_off"
    replanned = PlanAction.replans > 0
    connection = session.connection()  # both read ix_plan_action_raised alone (it covers these columns)
    counts = connection.execute(
        select(PlanAction.agency, func.count(), _count(and_(is_open, PlanAction.due_date < today)),
               _count(replanned), _count(and_(replanned, is_open, PlanAction.original_due_date < today)))
        .where(*_actions_in(period)).group_by(PlanAction.agency)).all()
    plans = tuple(dict.fromkeys(connection.scalars(  # each plan once, in the order its first action was raised
        select(PlanAction.plan_id).where(*_actions_in(period)).order_by(PlanAction.raised_at))))
    names: dict[str, str] = {key: name for key, name in connection.execute(select(Agency.key, Agency.name).where(
        Agency.key.in_([agency for agency, *_ in counts if agency])))} if counts else {}
    by_agency = tuple(sorted((Share(agency or "", names.get(agency or "") or agency or "No agency", late, total)
                              for agency, total, late, _, _ in counts), key=lambda s: s.label))
    notes = []
    replans, past_first = sum(c[3] for c in counts), sum(c[4] for c in counts)
    if replans:
        notes.append(f"{plural(replans, 'action')} {'was' if replans == 1 else 'were'} re-planned "
                     f"and {'is' if replans == 1 else 'are'} measured against the new due date; "
                     f"{past_first} of them {'is' if past_first == 1 else 'are'} open past the first due date.")
    return Measure("actions_overdue", "Actions open past their due date", sum(s.numerator for s in by_agency),
                   sum(s.denominator for s in by_agency), plans, {"by agency": by_agency}, tuple(notes))


def overdue_actions(session: Session, period: Period, now: datetime) -> list[Counted]:
    """Each action ``actions_overdue`` counted, overdue (``met``) or not, for the drill-down."""
    today = workdays.london_date(now)
    rows = session.execute(
        select(PlanAction.plan_id, PlanAction.number, PlanAction.status, PlanAction.due_date, PlanAction.raised_at,
               PlanAction.closed_at)
        .where(*_actions_in(period)).order_by(PlanAction.raised_at, PlanAction.plan_id, PlanAction.number)).all()
    return [Counted(row.plan_id, row.status != "signed_off" and row.due_date is not None and row.due_date < today,
                    day_of(row.raised_at), row.due_date, day_of(row.closed_at) if row.status == "signed_off" else None,
                    what=f"Action {row.number}") for row in rows]


def _actions_in(period: Period) -> tuple[ColumnElement[bool], ...]:
    return (PlanAction.raised_at >= period.starts_at, PlanAction.raised_at < period.ends_before,
            PlanAction.status != "withdrawn")


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- case file audits -----------------------------------------------------------------------------------------

def audit_grades(session: Session, period: Period) -> tuple[Measure, list[Counted]]:
    """``case_audit_grades``: the children audited in the period graded good or adequate, of all graded; by grade
    and by month (the month the audit meeting recorded the grades)."""
    grades = _grade_rows(session, period)
    counted = [Counted(instance_id, grade in ("good", "adequate"), day_of(done), None, day_of(done),
                       what=dict(GRADES).get(grade, grade)) for instance_id, done, grade in grades]
    by_grade = tuple(Share(key, words, sum(1 for *_, g in grades if g == key), len(grades)) for key, words in GRADES)
    months: dict[str, list[Counted]] = {}
    for item in counted:
        assert item.done_on is not None
        months.setdefault(item.done_on.strftime("%Y-%m"), []).append(item)
    by_month = tuple(share(key, items[0].done_on.strftime("%B %Y"), items)  # type: ignore[union-attr]
                     for key, items in sorted(months.items()))
    return measure("case_audit_grades", "Audited cases graded good or adequate", counted,
                   breakdowns={"by grade": by_grade, "by month": by_month}), counted


def _grade_rows(session: Session, period: Period) -> list[tuple[str, datetime, str]]:
    """(case, when graded, grade) for each child graded, read out of the answers by the database."""
    grade: ColumnElement[Any]
    if session.get_bind().dialect.name == "postgresql":
        item = func.json_array_elements(HumanTask.answers["case_grades"]).table_valued("value").alias("item")
        grade = item.c.value.op("->>")("grade")
    else:
        item = func.json_each(HumanTask.answers, "$.case_grades").table_valued("value").alias("item")
        grade = func.json_extract(item.c.value, "$.grade")
    rows = session.connection().execute(
        select(HumanTask.instance_id, HumanTask.completed_at, grade)
        .select_from(HumanTask).join(item, true())
        .where(HumanTask.process_key == "case_audit", HumanTask.name == "audit_meeting",
               completed(), HumanTask.completed_at >= period.starts_at,
               HumanTask.completed_at < period.ends_before)
        .order_by(HumanTask.completed_at, HumanTask.instance_id)).all()
    return [(r[0], r[1], r[2]) for r in rows if isinstance(r[2], str)]
