"""The annual pack's registers: the learning themes of the lessons recorded in the year, and the actions raised,
signed off and withdrawn in the year, open and overdue at its end, by agency. Each is one grouped query on the
register's rows (``lesson``, ``plan_action``), whatever the number of cases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..registers.records import CLOSED_STATUSES
from ..store.models import Agency, LearningTheme, Lesson, PlanAction

NO_AGENCY = "No agency named"


@dataclass(frozen=True)
class ThemeCount:
    """A learning theme: the lessons filed under it in the year and the cases they came from."""
    key: str
    name: str
    lessons: int
    cases: int
    good_practice: int  # lessons that also record good practice


@dataclass(frozen=True)
class AgencyActions:
    """One agency's actions in the year (``agency`` None: actions naming no agency; "" for the whole
    partnership's total)."""
    agency: str | None
    name: str
    raised: int
    signed_off: int
    withdrawn: int
    open_at_end: int
    overdue_at_end: int

    @property
    def closed(self) -> int:
        return self.signed_off + self.withdrawn


@dataclass(frozen=True)
class ActionFigures:
    by_agency: tuple[AgencyActions, ...]
    total: AgencyActions


def theme_counts(session: Session, start_at: datetime, end_at: datetime) -> tuple[ThemeCount, ...]:
    """The themes of the year's lessons, the most used first, by the name the coordinators gave them."""
    rows = session.execute(
        select(Lesson.theme, LearningTheme.name, func.count(Lesson.id), func.count(func.distinct(Lesson.instance_id)),
               func.sum(case((func.length(func.trim(Lesson.good_practice)) > 0, 1), else_=0)))
        .outerjoin(LearningTheme, LearningTheme.key == Lesson.theme)
        .where(Lesson.recorded_at >= start_at, Lesson.recorded_at < end_at)
        .group_by(Lesson.theme, LearningTheme.name)).all()
    found = [ThemeCount(theme, name or _words(theme), lessons, cases, int(good or 0))
             for theme, name, lessons, cases, good in rows]
    return tuple(sorted(found, key=lambda t: (-t.lessons, t.name.lower())))


def action_figures(session: Session, start_at: datetime, end_at: datetime, as_at: date) -> ActionFigures:
    """The actions of the year by agency (in the order of their names, those naming none last) and in total. An
    action counts as closed when it was signed off or withdrawn, on the day it was; one still open at the year's end
    is overdue then if its due date (as it stands now, after any re-planning) was before ``as_at``: the year's last
    day, or today while the year runs."""
    closed_at = case((PlanAction.status.in_(CLOSED_STATUSES),
                      func.coalesce(PlanAction.closed_at, PlanAction.signed_off_at, PlanAction.updated_at)))
    in_year = and_(closed_at >= start_at, closed_at < end_at)
    open_at_end = and_(PlanAction.raised_at < end_at, or_(closed_at.is_(None), closed_at >= end_at))
    rows = session.execute(
        select(PlanAction.agency, Agency.name,
               count_where(and_(PlanAction.raised_at >= start_at, PlanAction.raised_at < end_at)),
               count_where(and_(PlanAction.status == "signed_off", in_year)),
               count_where(and_(PlanAction.status == "withdrawn", in_year)),
               count_where(open_at_end),
               count_where(and_(open_at_end, PlanAction.due_date < as_at)))
        .outerjoin(Agency, Agency.key == PlanAction.agency)
        .where(PlanAction.raised_at < end_at, or_(closed_at.is_(None), closed_at >= start_at))
        .group_by(PlanAction.agency, Agency.name)).all()
    by_agency = sorted((AgencyActions(key, name or (_words(key) if key else NO_AGENCY), *map(int, counts))
                        for key, name, *counts in rows), key=lambda a: (a.agency is None, a.name.lower()))
    total = AgencyActions("", "All agencies", *(sum(getattr(a, f) for a in by_agency) for f in (
        "raised", "signed_off", "withdrawn", "open_at_end", "overdue_at_end")))
    return ActionFigures(tuple(by_agency), total)


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet ``condition`` (0 for none), as a column of a grouped query."""
    return func.coalesce(func.sum(case((condition, literal(1, Integer)), else_=literal(0, Integer))), 0)


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()

