"""The append-only audit trail: who did what, when, on which instance and task."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEvent


def record(session: Session, action: str, *, actor: str | None, now: datetime, instance_id: str | None = None,
           task_id: str | None = None, **details: Any) -> None:
    session.add(AuditEvent(at=now, actor=actor, action=action, instance_id=instance_id, task_id=task_id,
                           details=details))


def trail(session: Session, instance_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                           .order_by(AuditEvent.at, AuditEvent.id))
    return [{"at": r.at, "actor": r.actor, "action": r.action, "task_id": r.task_id, "details": r.details}
            for r in rows]
