"""The annual report pack's figures: one year of the partnership's work, as a business manager puts it in the yearly
report (Working Together 2023 asks the partners for one): the cases of each process and how they ended, the
compliance measures for the year, the learning themes recorded and the actions raised and closed. Coordinators and
chairs only (SPEC §5); the documents, the page, the API and ``lif report annual`` all show these same records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from ..errors import Forbidden, InvalidData
from ..records import Actor
from ..workdays import LONDON, london_date
from . import compliance
from .annual_cases import CaseType, case_types
from .annual_registers import ActionFigures, ThemeCount, action_figures, theme_counts
from .records import Measure

FIRST_YEAR = 2000
READERS = ("coordinator", "chair")


@dataclass(frozen=True)
class YearSpan:
    """A calendar year in England: from midnight on 1 January, London time, up to (not including) the next."""
    year: int
    start_at: datetime
    end_at: datetime

    @classmethod
    def of(cls, year: int) -> YearSpan:
        def midnight(y: int) -> datetime:
            return datetime(y, 1, 1, tzinfo=LONDON).astimezone(UTC)
        return cls(year, midnight(year), midnight(year + 1))

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 12, 31)


@dataclass(frozen=True)
class AnnualFigures:
    """Everything the pack shows for ``year``, computed at ``generated_at``. For a year not yet over the figures
    stand on ``as_at`` (today, in England), not at the year's end."""
    year: int
    generated_at: datetime
    as_at: date
    year_over: bool
    cases: tuple[CaseType, ...]
    measures: tuple[Measure, ...]
    themes: tuple[ThemeCount, ...]
    actions: ActionFigures

    @property
    def lessons(self) -> int:
        return sum(theme.lessons for theme in self.themes)


def check_year(year: object, now: datetime) -> int:
    """``year`` as a year the pack can be made for: a whole number from 2000 to next year; else InvalidData naming
    the parameter (the API answers 400 with it, the page an error summary)."""
    latest = london_date(now).year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= latest:
        raise InvalidData(f"the year must be a whole number from {FIRST_YEAR} to {latest}", {"parameter": "year"})
    return year


def may_read(actor: Actor) -> bool:
    return actor.has(*READERS)


def annual_figures(session: Session, *, actor: Actor, year: int, now: datetime) -> AnnualFigures:
    """The year's figures. A year with no work gives zeros; every list is read in one query."""
    if not may_read(actor):
        raise Forbidden("the annual report is for coordinators and chairs")
    span = YearSpan.of(check_year(year, now))
    year_over, as_at = now >= span.end_at, min(span.last_day, london_date(now))
    measures = compliance.compliance_report(session, actor=actor, start=span.first_day, end=span.last_day, now=now)
    return AnnualFigures(
        year=span.year, generated_at=now, as_at=as_at, year_over=year_over,
        cases=case_types(session, span.start_at, span.end_at, year_over=year_over),
        measures=tuple(measures), themes=theme_counts(session, span.start_at, span.end_at),
        actions=action_figures(session, span.start_at, span.end_at, as_at))
