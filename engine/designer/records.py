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
