"""The append-only audit trail: who did what, when, on which instance and task.

It holds field names, codes and ids, never personal values, so disposing of a case never needs to touch it. Words
a person typed about a case (a reason, a chaser's message) are case data: ``record(..., note=words)`` keeps them
on a ``case_note`` row the case owns and puts only the note's id in the event (``note_id``)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from .models import AuditEvent, CaseNote, new_id

_PENDING = "lif_audit_pending"
_INSERT = insert(AuditEvent.__table__)  # built once: a statement object keeps its cache key


def record(session: Session, action: str, *, actor: str | None, now: datetime, instance_id: str | None = None,
           task_id: str | None = None, note: str | None = None, **details: Any) -> str | None:
    """Add an audit row to the unit of work. Rows are written in one batch when the session flushes or
    commits, in the same transaction, so a rolled-back step leaves none. ``details`` are names, codes and ids;
    ``note`` (words a person typed about the case) goes to a ``case_note`` row of ``instance_id`` and the event
    holds its id. Returns that id (None without a note)."""
    note_id = None
    if note:
        if instance_id is None:
            raise ValueError("a note belongs to a case: give instance_id")
        note_id = new_id()
        session.add(CaseNote(id=note_id, instance_id=instance_id, task_id=task_id, action=action, body=note,
                             author=actor, created_at=now))
        details["note_id"] = note_id
    session.info.setdefault(_PENDING, []).append(dict(at=now, actor=actor, action=action, instance_id=instance_id,
                                                      task_id=task_id, details=details))
    return note_id


def notes(session: Session, note_ids: Iterable[str | None]) -> dict[str, str]:
    """The words of the notes ``note_ids`` name, by id; a note erased with its case is missing."""
    wanted = {n for n in note_ids if n}
    if not wanted:
        return {}
    return dict(session.execute(select(CaseNote.id, CaseNote.body).where(CaseNote.id.in_(wanted))).all())


def write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(_INSERT, rows)


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: object, _instances: object) -> None:
    write_pending(session)


@event.listens_for(Session, "before_commit")
def _on_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _on_rollback(session: Session, _previous: object) -> None:
    session.info.pop(_PENDING, None)


def trail(session: Session, instance_id: str) -> list[dict[str, Any]]:
    write_pending(session)
    rows = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                           .order_by(AuditEvent.at, AuditEvent.id))
    return [{"at": r.at, "actor": r.actor, "action": r.action, "task_id": r.task_id, "details": r.details}
            for r in rows]
