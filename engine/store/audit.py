"""The append-only audit trail: who did what, when, on which instance and task."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from .models import AuditEvent

_PENDING = "lif_audit_pending"
_INSERT = insert(AuditEvent.__table__)  # built once: a statement object keeps its cache key


def record(session: Session, action: str, *, actor: str | None, now: datetime, instance_id: str | None = None,
           task_id: str | None = None, **details: Any) -> None:
    """Add an audit row to the unit of work. Rows are written in one batch when the session flushes or
    commits, in the same transaction, so a rolled-back step leaves none."""
    session.info.setdefault(_PENDING, []).append(dict(at=now, actor=actor, action=action, instance_id=instance_id,
                                                      task_id=task_id, details=details))


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
