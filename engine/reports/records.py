"""The reports' frozen records: a compliance measure and its breakdowns, as services hand them across the boundary
(``compliance`` computes them; the annual pack, the pages and the API show them)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Share:
    """A part of a measure (one agency, one standard, one month): how many of how many."""
    key: str  # the agency's key, the standard's id, the month "2026-03"
    label: str  # in words: the agency's name, the standard's title, "March 2026"
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


@dataclass(frozen=True)
class Measure:
    """One compliance measure over a date range: ``numerator`` of ``denominator`` cases met it (``percent``, None
    when there were none), the cases counted (instance ids, for the drill-down), and its breakdowns by name
    (``{"by agency": (Share, ...)}``). ``notes`` say in words what was counted differently (extended or paused
    clocks)."""
    key: str
    label: str
    numerator: int
    denominator: int
    cases: tuple[str, ...]
    breakdowns: dict[str, tuple[Share, ...]]
    notes: tuple[str, ...] = ()

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None
