"""A process's retention policy, declared in its bundle's ``process_model.json``::

    "retention": {"period": "P25Y", "from": "completion", "statistics": ["review_type", "action.status"]}

- ``period``: how long a case is kept, an ISO 8601 duration in years, months, weeks and days (``P25Y``, ``P6Y6M``),
  from one day to 100 years;
- ``from``: ``completion`` (when the case ended, completed or cancelled: a running case has no date yet) or
  ``start`` (when it was started);
- ``statistics`` (optional): the outcome codes kept when a case is disposed, as variable names or dotted paths
  (``action.status``), the same syntax as a task's ``shows``. Name codes (an enum's value, a count), never
  free text: they outlive the case.

The policy belongs to the deployed version, so an instance keeps the period of the version it runs on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from ..views import paths as view_paths

FROM_CHOICES = ("completion", "start")
MAX_YEARS = 100
_PERIOD = re.compile(r"^P(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?$", re.ASCII)


@dataclass(frozen=True)
class RetentionPolicy:
    period: str
    counted_from: str  # one of FROM_CHOICES
    statistics: tuple[view_paths.Path, ...] = ()

    @property
    def delta(self) -> relativedelta:
        return _delta(self.period)

    def retention_date(self, created_at: datetime, completed_at: datetime | None) -> datetime | None:
        """When a case started at ``created_at`` and ended at ``completed_at`` (None: still running) is due for
        disposal; None while it has no date yet."""
        start = created_at if self.counted_from == "start" else completed_at
        return None if start is None else start + self.delta

    def describe(self) -> str:
        """``25 years from completion``."""
        return f"{period_in_words(self.period)} from {'completion' if self.counted_from == 'completion' else 'start'}"


def policy_of(model: dict[str, Any] | None) -> RetentionPolicy | None:
    """The policy a deployed version declares; None when it declares none (deploy refuses a malformed one)."""
    value = (model or {}).get("retention")
    if not isinstance(value, dict) or policy_problems(value):
        return None
    statistics = view_paths.parse_shows(", ".join(value.get("statistics", [])))
    return RetentionPolicy(value["period"], value["from"], statistics)


def policy_problems(value: Any) -> list[tuple[str, str]]:
    """What is wrong with a ``retention`` value, as (field, message) pairs; empty when it is well formed."""
    if not isinstance(value, dict):
        return [("retention", "must be an object with period and from")]
    problems = [(f"retention.{key}", "is not a retention setting (period, from, statistics)")
                for key in sorted(set(value) - {"period", "from", "statistics"})]
    period = value.get("period")
    reason = period_problem(period) if isinstance(period, str) else "is required: an ISO 8601 duration such as P25Y"
    if reason:
        problems.append(("retention.period", reason))
    if value.get("from") not in FROM_CHOICES:
        problems.append(("retention.from", "must be completion or start"))
    statistics = value.get("statistics", [])
    if not isinstance(statistics, list) or not all(isinstance(s, str) for s in statistics):
        problems.append(("retention.statistics", "must be a list of variable names or dotted paths"))
    else:
        try:
            view_paths.parse_shows(", ".join(statistics))
        except view_paths.ViewError as exc:
            problems.append(("retention.statistics", str(exc)))
    return problems


def period_problem(period: str) -> str | None:
    match = _PERIOD.match(period)
    if not match or period == "P":
        return f"{period!r} is not an ISO 8601 duration in years, months, weeks and days (P25Y, P6Y6M)"
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    total_days = years * 365.25 + months * 30.44 + weeks * 7 + days
    if total_days < 1:
        return "must be at least one day"
    if total_days > MAX_YEARS * 365.25 + 1:
        return f"must be at most {MAX_YEARS} years"
    return None


def period_in_words(period: str) -> str:
    """``P6Y6M`` as ``6 years and 6 months``."""
    match = _PERIOD.match(period)
    assert match is not None, period
    counts = (int(g or 0) for g in match.groups())
    parts = [f"{n} {name}{'s' if n != 1 else ''}" for n, name in zip(counts, ("year", "month", "week", "day"),
                                                                      strict=True) if n]
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _delta(period: str) -> relativedelta:
    match = _PERIOD.match(period)
    assert match is not None, period  # policy_of checked it
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return relativedelta(years=years, months=months, weeks=weeks, days=days)
