"""Sane bounds on the time arithmetic a bundle or a case can ask for: timer durations, cycles and dates, ``dueIn``
periods and working-day counts.

SpiffWorkflow turns a duration into days one month at a time and ``add_working_days`` walks one day at a time, in
the server process: ``P99999999Y`` would hold it for twenty minutes, and values past year 9999 raise instead of
answering. Deploy refuses values beyond these bounds, naming the element; at run time a timer value computed by
an expression is checked here before SpiffWorkflow parses it, so the step fails and the case goes into error.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as Timer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from ..workdays import MAX_WORKING_DAYS

MAX_YEARS = 100
MAX_REPETITIONS = 1_000
MAX_INSTANCES = 1_000  # a multi-instance task's loop cardinality: SpiffWorkflow makes its children at once
FIRST_YEAR, LAST_YEAR = 1900, 2200
MAX_TEXT = 100  # no sane ISO 8601 timer value is longer
MIN_CYCLE_DAYS = 1 / 24  # a cycle repeats at most hourly: PT0S made a boundary timer fire on every sweep, forever
MIN_ENDLESS_CYCLE_DAYS = 1.0  # and, when it repeats without end (``R/...``), at most daily
_DAYS_IN = {"years": 365.25, "months": 365.25 / 12, "weeks": 7.0, "days": 1.0, "hours": 1 / 24, "minutes": 1 / 1440,
            "seconds": 1 / 86400}
_KINDS = {"DurationTimerEventDefinition": "duration", "CycleTimerEventDefinition": "cycle",
          "TimeDateEventDefinition": "date"}


def timer_problem(kind: str, value: str) -> str | None:
    """Why a timer value of ``kind`` (duration, cycle or date) is beyond the bounds, or None when it is within
    them (or is not ISO 8601 at all: its parser says so, cheaply)."""
    if len(value) > MAX_TEXT:
        return f"timer value is longer than {MAX_TEXT} characters"
    if kind == "duration":
        return duration_problem(value)
    if kind == "cycle":
        return cycle_problem(value)
    return date_problem(value)


def duration_problem(value: str) -> str | None:
    """Why an ISO 8601 duration is longer than ``MAX_YEARS``; None when it is shorter or not a duration."""
    if len(value) > MAX_TEXT:
        return f"duration is longer than {MAX_TEXT} characters"
    days = duration_days(value)
    if days is not None and days > MAX_YEARS * 365.25 + 1:
        return f"duration {value!r} is longer than {MAX_YEARS} years"
    return None


def duration_days(value: str) -> float | None:
    """An ISO 8601 duration in days, near enough (infinite when it overflows); None when not a duration."""
    try:
        parsed = Timer.parse_iso_duration(value)
        return sum(float(parsed.get(unit, 0)) * factor for unit, factor in _DAYS_IN.items())
    except OverflowError:
        return float("inf")
    except Exception:  # not a duration: the caller's own check names that
        return None


def parses(kind: str, value: str) -> bool:
    """Whether SpiffWorkflow's own timer parser reads ``value`` as a ``kind`` (duration, cycle or date)."""
    try:
        if kind == "duration":
            Timer.parse_iso_duration(value)
        elif kind == "cycle":
            Timer.parse_iso_recurring_interval(value)
        else:
            Timer.get_datetime(value)
    except Exception:
        return False
    return True


def year_problem(moment: datetime) -> str | None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return f"{moment.isoformat()} is not between the years {FIRST_YEAR} and {LAST_YEAR}"
    return None


def date_problem(value: str) -> str | None:
    """Why an ISO 8601 date is outside ``FIRST_YEAR``..``LAST_YEAR``; None when inside or not a date."""
    try:
        year = datetime.fromisoformat(value.replace("Z", "+00:00")).year
    except ValueError:
        try:
            year = Timer.parse_iso_week(value).year
        except Exception:
            return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"date {value!r} is not between the years {FIRST_YEAR} and {LAST_YEAR}"
    return None


def cycle_problem(value: str) -> str | None:
    """Why an ISO 8601 repeating interval (``R3/P1D``, ``R/2026-01-01T09:00Z/P1W``) is beyond the bounds."""
    parts = value.upper().replace("--", "/").strip("R").split("/")
    count = parts[0]
    if count and not (count.isascii() and count.isdigit() and len(count) <= 4 and int(count) <= MAX_REPETITIONS):
        return f"cycle {value!r} repeats more than {MAX_REPETITIONS} times"
    for part in parts[1:]:
        problem = duration_problem(part) if part.startswith("P") else date_problem(part)
        if problem:
            return f"cycle {value!r}: {problem}"
    periods = [d for d in (duration_days(p) for p in parts[1:] if p.startswith("P")) if d is not None]
    shortest = MIN_ENDLESS_CYCLE_DAYS if not count else MIN_CYCLE_DAYS
    if any(days < shortest for days in periods):
        return (f"cycle {value!r} repeats more often than " + ("once a day without end" if not count
                                                                else "once an hour"))
    return None


def working_days_problem(count: int) -> str | None:
    if abs(count) > MAX_WORKING_DAYS:
        return f"{count} working days is more than {MAX_WORKING_DAYS}"
    return None


def cardinality_problem(value: Any) -> str | None:
    """Why a multi-instance loop cardinality is not a count from 0 to ``MAX_INSTANCES``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"loop cardinality {value!r} is not a whole number"
    if not 0 <= value <= MAX_INSTANCES:
        return f"loop cardinality {value} is not between 0 and {MAX_INSTANCES}"
    return None


class BoundsCheckingEngine(PythonScriptEngine):  # type: ignore[misc]
    """The script engine, with each timer's evaluated value (and a multi-instance task's loop cardinality)
    checked before SpiffWorkflow computes with it."""

    def evaluate(self, task: Any, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        value = super().evaluate(task, expression, external_context)
        spec = task.task_spec
        if isinstance(spec, MultiInstanceTask) and spec.cardinality == expression:
            problem = cardinality_problem(value)
            if problem:
                raise WorkflowTaskException(f"refused: {problem}", task=task)
        kind = _timer_kind(getattr(task.task_spec, "event_definition", None), expression)
        if kind is not None:
            if not isinstance(value, str):
                raise WorkflowTaskException(f"timer value {value!r} is not an ISO 8601 {kind} string", task=task)
            problem = timer_problem(kind, value.strip())
            if problem:
                raise WorkflowTaskException(f"timer value refused: {problem}", task=task)
        return value


def checking(engine: PythonScriptEngine) -> BoundsCheckingEngine:
    """``engine``'s environment in a script engine that checks timer values."""
    return BoundsCheckingEngine(environment=engine.environment)


def _timer_kind(definition: Any, expression: str) -> str | None:
    if definition is None:
        return None
    for inner in getattr(definition, "event_definitions", None) or ():  # a multiple event
        kind = _timer_kind(inner, expression)
        if kind is not None:
            return kind
    kind = _KINDS.get(type(definition).__name__)
    return kind if kind is not None and getattr(definition, "expression", None) == expression else None
