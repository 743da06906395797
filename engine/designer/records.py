"""What the designer's services hand across the boundary: frozen records, no ORM rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DraftInfo:
    """A process's draft: every file of the bundle. ``revision`` 0 means nothing is saved yet (the files are those
    of ``base_version``, or a starter bundle for a new process); a save must name the revision it was made from."""
    key: str
    revision: int
    files: dict[str, str] = field(default_factory=dict)
    base_version: int | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None

    @property
    def saved(self) -> bool:
        return self.revision > 0


@dataclass(frozen=True)
class CheckProblem:
    """One thing a check by running found: ``kind`` is dead_end (a case that can never finish), unreached (an
    element no run reached), script_error (a script or expression that failed) or unsubmittable (a form nobody in
    the lane's role could submit); ``element`` is the BPMN id it concerns."""
    kind: str
    element: str | None
    message: str
    file: str | None = None


@dataclass(frozen=True)
class CheckReport:
    """What running a draft through every path found: how many runs, the element ids some run reached, problems."""
    runs: int
    reached: tuple[str, ...]
    problems: tuple[CheckProblem, ...]
