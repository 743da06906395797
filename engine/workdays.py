"""Working days: weekends and England and Wales bank holidays (the ``holidays`` package, subdivision ENG).

Deadlines are stored as aware UTC instants. A working-day deadline is the end of the working day it lands
on, in Europe/London, so "15 working days" means the whole of the 15th working day. A calendar deadline that
lands on a weekend or bank holiday moves to the next working day at the same London time (``on_working_day``).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
END_OF_DAY = time(23, 59, 59)
MAX_WORKING_DAYS = 10_000  # about 38 years; the walk below is one step a day, so larger counts are refused


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The date ``count`` working days after ``start`` (before it when negative). Day 0 is ``start``.
    Raises ``ValueError`` for more than ``MAX_WORKING_DAYS`` either way."""
    if abs(count) > MAX_WORKING_DAYS:
        raise ValueError(f"{count} working days is more than {MAX_WORKING_DAYS}")
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    count = 0
    day = low
    while day < high:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    return day if is_working_day(day) else add_working_days(day, 1)


def on_working_day(moment: datetime) -> datetime:
    """``moment`` when its London date is a working day, else the same London time of day on the next working
    day (a clock change in between keeps the time on the wall, not the hours elapsed). The day moved to is never
    the day of a clock change, which is always a Sunday, so the London time it names exists and is unique."""
    local = moment.astimezone(LONDON)
    day = next_working_day(local.date())
    if day == local.date():
        return moment
    return datetime.combine(day, local.time(), tzinfo=LONDON).astimezone(moment.tzinfo)


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def end_of_working_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON).astimezone(UTC)


def working_days_left(due_at: datetime, now: datetime) -> int:
    """Working days from today to the due date (0 on the day, negative once overdue)."""
    return working_days_between(london_date(now), london_date(due_at))
