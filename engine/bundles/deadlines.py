"""When a human task is due: ``dueIn`` as an ISO 8601 duration (calendar time) or ``15WD`` (working days),
counted from the task's creation or from the date in the task-data variable named by ``dueFrom``.

No deadline lands on a day people are not at work: working days end on a working day by construction, and a
calendar period whose due date (its London date) is a weekend or an England and Wales bank holiday moves to the
next working day, at the same London time of day (a day-only ``dueFrom`` date: the end of that working day).
A task whose properties say ``dueOnAnyDay`` = ``true`` keeps the calendar date (a deadline that really falls
on a Saturday, such as a meeting's own date). The reminder ladder counts from the date stored, the moved one.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from .. import workdays
from ..spiff import timers as timer_bounds

_WORKING_DAYS = re.compile(r"^(\d+)WD$", re.ASCII)
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$",
                       re.ASCII)
ANY_DAY = "dueOnAnyDay"


class DeadlineError(ValueError):
    pass


def due_on_any_day(properties: dict[str, str]) -> bool:
    """Whether the task's calendar deadline may fall on a weekend or bank holiday (``dueOnAnyDay`` = ``true``).
    Deploy refuses any value but ``true`` and ``false``; anything else here (a bundle deployed before that check)
    keeps the rule: the deadline moves."""
    return (properties.get(ANY_DAY) or "").strip() == "true"


def any_day_problem(value: str) -> str | None:
    """Why ``value`` is not a ``dueOnAnyDay`` value; None when it is ``true`` or ``false``."""
    if value in ("true", "false"):
        return None
    return f"{ANY_DAY} {value!r} must be true or false"


def due_at(properties: dict[str, str], data: dict[str, Any], created_at: datetime) -> datetime | None:
    """When the task is due; raises ``DeadlineError`` for a period or start it cannot count from (a ``dueFrom``
    date from case data may be anything, and the arithmetic may leave the calendar)."""
    problem: str | None
    try:
        due = _due_at(properties, data, created_at)
    except DeadlineError:
        raise
    except (ValueError, OverflowError) as exc:
        due, problem = None, str(exc)
    else:
        problem = timer_bounds.year_problem(due) if due is not None else None
    if problem:  # reminders and escalations count on from a due date: it stays on the calendar the bounds allow
        raise DeadlineError(f"dueIn {properties.get('dueIn')!r} from {properties.get('dueFrom') or 'creation'}: "
                            f"{problem}")
    return due


def _due_at(properties: dict[str, str], data: dict[str, Any], created_at: datetime) -> datetime | None:
    due_in = (properties.get("dueIn") or "").strip()
    if not due_in:
        return None
    variable = properties.get("dueFrom")
    start = _start(variable, data, created_at)
    if _WORKING_DAYS.match(due_in):
        return add_period(start, due_in)  # the end of a working day already
    any_day = due_on_any_day(properties)
    if variable and _is_day(data.get(variable)):
        # A date without a time ("due on 5 Nov", "6 months from the decision") means the whole of the London
        # day it lands on, as working days do; counted on the calendar, so a clock change cannot move the day.
        noon = datetime.combine(workdays.london_date(start), time(12), tzinfo=workdays.LONDON)
        day = workdays.london_date(add_period(noon, due_in))
        return workdays.end_of_working_day(day if any_day else workdays.next_working_day(day))
    due = add_period(start, due_in)
    return due if any_day else workdays.on_working_day(due)


def _is_day(value: Any) -> bool:
    if isinstance(value, date) and not isinstance(value, datetime):
        return True
    return isinstance(value, str) and len(value.strip()) == 10


def add_period(start: datetime, period: str) -> datetime:
    """``start`` plus ``period``, in UTC. Working days land at the end of the London working day. Years, months,
    weeks and days count on the London calendar (P21D from 10:00 is 10:00 on the 21st day, whatever the clock
    did in between); hours, minutes and seconds are time elapsed. Pure calendar arithmetic: no move off a
    holiday (``due_at`` does that for deadlines). Raises ``DeadlineError`` for a period that is not one, or is
    beyond the bounds in ``engine.timer_bounds``."""
    problem = period_problem(period)
    if problem:
        raise DeadlineError(problem)
    try:
        match = _WORKING_DAYS.match(period)
        if match:
            day = workdays.add_working_days(workdays.london_date(start), int(match.group(1)))
            return workdays.end_of_working_day(day)
        match = _DURATION.match(period)
        assert match is not None  # period_problem checked it
        years, months, weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        wall = start.astimezone(workdays.LONDON) + relativedelta(years=years, months=months, weeks=weeks, days=days)
        return wall.astimezone(UTC) + timedelta(hours=hours, minutes=minutes, seconds=seconds)
    except (ValueError, OverflowError) as exc:
        raise DeadlineError(f"{period!r} from {start.isoformat()}: {exc}") from None


def period_problem(period: str) -> str | None:
    """Why ``period`` is not a ``dueIn`` (an ISO 8601 duration or ``15WD``) within the bounds; None when it is."""
    match = _WORKING_DAYS.match(period)
    if match:
        return timer_bounds.working_days_problem(int(match.group(1))) if len(match.group(1)) <= 6 \
            else f"{period!r} is more than {workdays.MAX_WORKING_DAYS} working days"
    if not _DURATION.match(period) or period in ("P", "PT"):
        return f"{period!r} is neither an ISO 8601 duration (P21D) nor working days (15WD)"
    return timer_bounds.duration_problem(period)


def clock_start(properties: dict[str, str], data: dict[str, Any], created_at: datetime) -> datetime:
    """When the task's deadline starts counting: the ``dueFrom`` date (the start of its London day), or the task's
    creation. ``DeadlineError`` when the date cannot be read or is off the calendar's end."""
    try:
        return _start(properties.get("dueFrom"), data, created_at)
    except OverflowError as exc:  # 0001-01-01 in a zone east of UTC has no UTC moment
        raise DeadlineError(f"dueFrom {properties.get('dueFrom')!r}: {exc}") from None


def _start(variable: str | None, data: dict[str, Any], created_at: datetime) -> datetime:
    if not variable:
        return created_at
    value = data.get(variable)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time(), tzinfo=workdays.LONDON).astimezone(UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise DeadlineError(f"dueFrom variable {variable!r} holds {value!r}, not an ISO date") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=workdays.LONDON)
        return parsed.astimezone(UTC)
    return created_at

