"""A process's versions as the designer's history shows them: who deployed each (their name where LIF knows
it) and when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..people.accounts import full_names
from ..store.models import ProcessDefinition


@dataclass(frozen=True)
class VersionEntry:
    key: str
    version: int
    name: str
    deployed_at: datetime
    deployed_by: str | None  # the username, or None for a deploy by the command line
    deployed_by_name: str  # the person's name where known, else the username, else "the command line"


def version_history(session: Session, key: str) -> list[VersionEntry]:
    """Every version of ``key``, oldest first; ``NotFound`` when there is none."""
    rows = session.execute(select(ProcessDefinition.version, ProcessDefinition.name, ProcessDefinition.deployed_at,
                                  ProcessDefinition.deployed_by).where(ProcessDefinition.key == key)
                           .order_by(ProcessDefinition.version)).all()
    if not rows:
        raise NotFound(f"no process definition {key!r}")
    names = full_names(session)
    return [VersionEntry(key, version, name, deployed_at, by,
                         names.get(by, by) if by else "the command line")
            for version, name, deployed_at, by in rows]
