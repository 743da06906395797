"""What the compliance measures share: the period a report covers, one case as a measure counted it, and a
measure made from the cases it counted."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .. import workdays
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


@dataclass(frozen=True)
class Counted:
    """One thing a measure counted (a case's deadline, an agency's return, an action, an audited child): the case
    it belongs to, whether it met the measure, and the dates that decided it (England's calendar days)."""
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
    return workdays.london_date(moment) if moment is not None else None


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
