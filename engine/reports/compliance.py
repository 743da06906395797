"""The compliance and performance report: how the partnership met its statutory and local timescales over a
period, measure by measure, with the cases each counted (for the drill-down).

**Which date puts a case in a period.** A case counts in the period in which its clock started, whenever its
deadline falls: the notification by the day the local authority became aware, the rapid review by the day of the
notification, the publication by the day the review was initiated, a CDOP agency report by the day it was asked
for, a Section 11 cycle by the day it started, an action by the day it was raised, an audited child by the day
the audit meeting graded it. Across a year boundary a case therefore belongs to one year only: one whose clock
started on 30 December 2026 counts in 2026 even when it was due, or done, in January 2027. Periods are England's
calendar days, both ends included.

**How the law counts a clock.** A paused clock does not count against the partnership: the deadline to meet is
the one a resumed pause moved on by the working days paused. An extension does count against it: the deadline to
meet is the one before any extension (``human_task.statutory_due_at``), and each measure's notes say how many
deadlines were extended or paused. Something still open within its time is not counted yet; one open past it is
counted as late.

Every measure reads rows in one or two SQL statements (``timeliness``, ``cycles``); no workflow is restored."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..errors import Forbidden, InvalidData, NotFound
from ..reads import access
from ..records import Actor
from ..store.models import ProcessInstance
from . import cycles, timeliness
from .counting import Counted, Period
from .records import Measure

KEYS = ("notification_within_5wd", "rapid_review_within_15wd", "report_within_6_months", "cdop_returns_on_time",
        "section11_returns_complete", "actions_overdue", "case_audit_grades")
LONGEST_PERIOD_DAYS = 366 * 20
YEARS = range(1900, 2201)  # the calendar deadlines keep to (``engine.spiff.timers``)


@dataclass(frozen=True)
class CountedCase:
    """One line of a measure's drill-down: what was counted, the case it belongs to and whether it met the
    measure. ``visible`` says whether the viewer may open the case."""
    instance_id: str
    business_key: str
    title: str
    what: str
    met: bool
    started_on: date | None
    due_on: date | None
    done_on: date | None
    extended_to: date | None
    paused_days: int
    visible: bool


def require_report_reader(actor: Actor) -> None:
    """Coordinators, chairs, the independent scrutineer and the statutory partners read the report."""
    access.require_case_reader(actor)
    if not (actor.sees_everything or actor.has("partner")):
        raise Forbidden("the compliance report is for coordinators, chairs, the scrutineer and the partners")


def compliance_report(session: Session, *, actor: Actor, start: date, end: date, now: datetime) -> tuple[Measure, ...]:
    """Every measure over ``start`` to ``end`` (both included), in the order of ``KEYS``."""
    require_report_reader(actor)
    period = _period(start, end)
    without_jit(session)
    return tuple(measure for measure, _ in _all(session, period, now))


def without_jit(session: Session) -> None:
    """PostgreSQL compiles a costly query to machine code first (JIT), which costs more than these short
    aggregates save from it (about 100 ms a report at 10,000 cases): off for the rest of this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def measure_cases(session: Session, key: str, *, actor: Actor, start: date, end: date,
                  now: datetime) -> tuple[Measure, tuple[CountedCase, ...]]:
    """One measure and what it counted, each with its case's business key and title; only cases the viewer takes
    part in are ``visible`` (the report's figures are the partnership's, its cases are not everyone's)."""
    require_report_reader(actor)
    if key not in KEYS:
        raise NotFound(f"no measure {key!r}")
    period = _period(start, end)
    without_jit(session)
    measure, counted = _one(session, key, period, now, detail=True)
    if key == "actions_overdue":
        counted = cycles.overdue_actions(session, period, now)
    ids = sorted({c.instance_id for c in counted})
    cases = {row.id: row for row in session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.title)
        .where(ProcessInstance.id.in_(ids)))} if ids else {}
    visible = set(session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(ids), access.visible_instance(actor)))) if ids else set()
    return measure, tuple(
        CountedCase(c.instance_id, cases[c.instance_id].business_key, cases[c.instance_id].title, c.what, c.met,
                    c.started_on, c.due_on, c.done_on, c.extended_to if c.extended else None, c.paused_days,
                    c.instance_id in visible)
        for c in counted if c.instance_id in cases)


def _period(start: date, end: date) -> Period:
    for name, day in (("from", start), ("to", end)):
        if day.year not in YEARS:
            raise InvalidData(f"{name} is outside 1900 to 2200", [{"field": name, "message": "1900 to 2200"}])
    if end < start:
        raise InvalidData("the period ends before it starts", [{"field": "to", "message": "must not be before from"}])
    if (end - start).days > LONGEST_PERIOD_DAYS:
        raise InvalidData("the period is longer than 20 years", [{"field": "from", "message": "at most 20 years"}])
    return Period(start, end)


def _all(session: Session, period: Period, now: datetime) -> list[tuple[Measure, list[Counted]]]:
    return [*timeliness.deadline_measures(session, period, now),
            *(_one(session, key, period, now) for key in KEYS[3:])]


def _one(session: Session, key: str, period: Period, now: datetime, *,
         detail: bool = False) -> tuple[Measure, list[Counted]]:
    """One measure and its counted items (the three deadline measures share one query); ``detail`` reads every
    date the drill-down shows."""
    if key in KEYS[:3]:
        found = timeliness.deadline_measures(session, period, now, detail=detail)
        return found[KEYS.index(key)]
    if key == "actions_overdue":  # counted by the database; listed only for the drill-down
        return cycles.actions_overdue(session, period, now), []
    builders = {"cdop_returns_on_time": lambda: timeliness.cdop_returns(session, period, now, detail=detail),
                "section11_returns_complete": lambda: cycles.section11_returns(session, period),
                "case_audit_grades": lambda: cycles.audit_grades(session, period)}
    return builders[key]()


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months, today included."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start + timedelta(days=1), today
