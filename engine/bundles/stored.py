"""The files of a deployed version, read from the database once per process: versions never change. Apart from
``definitions`` so that what reads a bundle's files (its task views) need not import the deploying."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import ProcessDefinition

_FILES: dict[tuple[int, str], dict[str, str]] = {}


def files_of(session: Session, definition: ProcessDefinition) -> dict[str, str]:
    """A deployed version's files; versions never change, so they are kept in memory once read (keyed by
    content too: a row id alone can name another bundle after the database is recreated)."""
    key = (definition.id, definition.content_hash)
    found = _FILES.get(key)
    if found is None:
        found = session.scalar(select(ProcessDefinition.files).where(ProcessDefinition.id == definition.id)) or {}
        _FILES[key] = found
    return found
