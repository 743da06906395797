"""Writing notifications into the outbox. Each recipient gets an in-app row (delivered on write) and, when
they have an address, an e-mail row that the sweep delivers, or holds for their daily digest. Rows are
unique by idempotency key, so writing the same notification twice is a no-op."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit, queries
from engine.errors import Conflict, Forbidden
from engine.models import HumanTask, Notification
from engine.records import Actor

from . import compose, recipients, settings
from .recipients import Recipient


def enqueue(session: Session, kind: str, people: list[Recipient], context: dict[str, Any], *, key: str,
            task_id: str | None, instance_id: str | None, now: datetime) -> int:
    """Write one notification per recipient and channel; returns how many rows were new."""
    rendered = compose.render(kind, context)
    written = 0
    for person in people:
        rows = [("inapp", None, "sent")]
        if person.email:
            rows.append(("email", person.email, "held" if person.daily_digest else "pending"))
        for channel, address, state in rows:
            written += _insert(session, Notification(
                idempotency_key=f"{key}:{person.username}:{channel}", kind=kind, channel=channel,
                recipient=person.username, address=address, task_id=task_id, instance_id=instance_id,
                subject=rendered.subject, body=rendered.text, body_html=rendered.html, state=state, attempts=0,
                next_attempt_at=now if state == "pending" else None, created_at=now,
                sent_at=now if channel == "inapp" else None))
    return written


def _insert(session: Session, row: Notification) -> int:
    if session.scalar(select(Notification.id).where(Notification.idempotency_key == row.idempotency_key)):
        return 0
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # written by a concurrent worker a moment ago
        return 0
    return 1


def notify_task(session: Session, kind: str, task: HumanTask, *, key: str, now: datetime,
                people: list[Recipient] | None = None, **extra: Any) -> int:
    context = compose.task_context(session, task, settings.current().base_url, now) | extra
    return enqueue(session, kind, people if people is not None else recipients.for_task(session, task), context,
                   key=key, task_id=task.id, instance_id=task.instance_id, now=now)


def send_chaser(session: Session, task_id: str, message: str | None, *, actor: Actor, now: datetime) -> int:
    """A coordinator's chaser to the task's assignee or agency. Returns how many rows were written."""
    if not actor.has("coordinator", "admin"):
        raise Forbidden("sending a chaser needs the coordinator role")
    task = queries.visible_task_row(session, actor, task_id)
    if task.state != "ready":
        raise Conflict(f"the task is {task.state}; there is nothing to chase")
    text = (message or "").strip()[:2000]
    written = notify_task(session, "chaser", task, key=f"chaser:{task.id}:{now.isoformat()}", now=now,
                          sender=actor.username, message=text)
    audit.record(session, "task.chased", actor=actor.username, now=now, instance_id=task.instance_id,
                 task_id=task.id, message=text)
    session.flush()
    return written
