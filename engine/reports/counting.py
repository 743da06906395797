"""What the compliance measures share: the period a report covers, one case as a measure counted it, and a
measure made from the cases it counted."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Date, String, cast, func, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

from .. import workdays
from ..store.models import HumanTask
from .records import Measure, Share


@dataclass(frozen=True)
class Period:
    """From the start of ``start`` to the end of ``end``, England's calendar days, both included."""
    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=workdays.LONDON).astimezone(UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=workdays.LONDON).astimezone(UTC)


class Counted(NamedTuple):
    """One thing a measure counted (a case's deadline, an agency's return, an action, an audited child): the case
    it belongs to, whether it met the measure, and the dates that decided it (England's calendar days). A named
    tuple, not a dataclass: a report at scale makes tens of thousands."""
    instance_id: str
    met: bool
    started_on: date | None  # when its clock started: what puts it in the period
    due_on: date | None  # the date to meet (after any pause, before any extension)
    done_on: date | None  # when it was done; None while it is not
    what: str = ""  # in words, when one case holds several counted things: "Police", "Action 3", "Grade: good"
    extended_to: date | None = None  # the deadline a coordinator extended it to, when one did
    paused_days: int = 0  # working days a pause moved the deadline on by

    @property
    def extended(self) -> bool:
        return self.extended_to is not None and self.extended_to != self.due_on


def day_of(moment: datetime | None) -> date | None:
    """England's calendar day of ``moment`` (thousands of rows a report: the offset is looked up once an hour)."""
    if moment is None:
        return None
    return (moment + _london_offset(moment.date(), moment.hour)).date()


@lru_cache(maxsize=100_000)
def _london_offset(day: date, hour: int) -> timedelta:
    """London's offset from UTC in that UTC hour (clocks change on the hour, so it holds for the whole hour)."""
    offset = datetime.combine(day, time(hour), tzinfo=UTC).astimezone(workdays.LONDON).utcoffset()
    return offset or timedelta()


def london_day(session: Session, moment: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[Any]:
    """SQL for England's calendar day of a stored UTC time, read back with ``day``: a report reads thousands of
    rows, and turning each stored time into an aware Python datetime costs more than the rest of the report.
    PostgreSQL works the day out (a date); SQLite gives its stored UTC text (``2026-12-23 23:30:00``),
    which ``day`` makes a day with the one rule needed (an hour 23 in British Summer Time is the next day)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Europe/London", moment), Date)
    return type_coerce(moment, String)


def completed() -> ColumnElement[bool]:
    """SQL: the task is completed, written so that no database starts from the index on the state (it would read
    every completed task of the partnership) rather than the one on the process and task name."""
    return func.coalesce(HumanTask.state, "") == "completed"


def day(found: str | date | None) -> date | None:
    """The day ``london_day`` gave, as a date."""
    if isinstance(found, date) or found is None:
        return found
    return _day(found[:13]) if found else None


@lru_cache(maxsize=100_000)
def _day(date_and_hour: str) -> date:
    """``2026-07-01`` or ``2026-07-01 23`` (UTC) as England's day: 23:00 UTC in summer is the next day."""
    found = date.fromisoformat(date_and_hour[:10])
    if date_and_hour[11:13] == "23" and _london_offset(found, 23):
        return found + timedelta(days=1)
    return found


def iso_day(text: object) -> date | None:
    """The date a form recorded (``2026-12-10``); None when it holds none."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def cases_of(counted: Iterable[Counted]) -> tuple[str, ...]:
    """The instance ids counted, each once, in the order first counted."""
    return tuple(dict.fromkeys(c.instance_id for c in counted))


def share(key: str, label: str, counted: list[Counted]) -> Share:
    return Share(key, label, sum(1 for c in counted if c.met), len(counted))


def grouped(counted: Iterable[Counted], key_of: object) -> dict[str, list[Counted]]:
    groups: dict[str, list[Counted]] = {}
    for item in counted:
        groups.setdefault(key_of(item), []).append(item)  # type: ignore[operator]
    return groups


def measure(key: str, label: str, counted: list[Counted], *, breakdowns: dict[str, tuple[Share, ...]] | None = None,
            notes: Iterable[str] = ()) -> Measure:
    return Measure(key, label, sum(1 for c in counted if c.met), len(counted), cases_of(counted),
                   breakdowns or {}, tuple(notes))


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
