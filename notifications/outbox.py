"""Writing notifications into the outbox. Each recipient gets an in-app row (delivered on write) and, when
they have an address, an email row that the sweep delivers, or holds for their daily digest. Rows are
unique by idempotency key, so writing the same notification twice is a no-op."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden
from engine.reads import queries
from engine.records import Actor
from engine.states import TaskState
from engine.store import audit
from engine.store.models import HumanTask, Notification

from . import compose, recipients
from .recipients import Recipient
from .states import Channel, NotificationKind, NotificationState


def enqueue(session: Session, kind: str, people: list[Recipient], context: dict[str, Any], *, key: str,
            task_id: str | None, instance_id: str | None, now: datetime) -> int:
    """Write one notification per recipient and channel; returns how many rows were new."""
    rendered = compose.render(kind, context)
    written = 0
    for person in people:
        rows: list[tuple[Channel, str | None, NotificationState]] = [(Channel.INAPP, None, NotificationState.SENT)]
        if person.email:
            email_state = NotificationState.HELD if person.daily_digest else NotificationState.PENDING
            rows.append((Channel.EMAIL, person.email, email_state))
        for channel, address, state in rows:
            written += insert_once(session, dict(
                idempotency_key=f"{key}:{person.username}:{channel}", kind=kind, channel=channel,
                recipient=person.username, address=address, task_id=task_id, instance_id=instance_id,
                subject=rendered.subject, body=rendered.text, body_html=rendered.html, state=state, attempts=0,
                next_attempt_at=now if state == NotificationState.PENDING else None, created_at=now,
                sent_at=now if channel == Channel.INAPP else None, read_at=None, last_error=None))
    return written


# one statement, whether or not the row exists already (written before, or by a concurrent worker a moment ago)
_INSERTS = {dialect: insert(Notification.__table__).on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(Notification.__table__.c.id)
            for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))}


def insert_once(session: Session, row: dict[str, Any]) -> int:
    """Write a notification row (column values) unless one with its idempotency key exists; 1 if written."""
    statement = _INSERTS[session.get_bind().dialect.name]
    return len(session.connection().execute(statement, row).all())  # the new row's id, or nothing


def notify_task(session: Session, kind: str, task: HumanTask, *, key: str, now: datetime, base_url: str,
                people: list[Recipient] | None = None, **extra: Any) -> int:
    """Notify ``people`` (by default the task's) about ``task``, with a link to it under ``base_url``."""
    context = compose.task_context(session, task, base_url, now) | extra
    return enqueue(session, kind, people if people is not None else recipients.for_task(session, task), context,
                   key=key, task_id=task.id, instance_id=task.instance_id, now=now)


def send_chaser(session: Session, task_id: str, message: str | None, *, actor: Actor, now: datetime,
                base_url: str) -> int:
    """A coordinator's chaser to the task's assignee or agency. Returns how many rows were written."""
    if not actor.has("coordinator"):
        raise Forbidden("sending a chaser needs the coordinator role")
    task = queries.visible_task_row(session, actor, task_id)
    if task.state != TaskState.READY:
        raise Conflict(f"the task is {task.state}; there is nothing to chase")
    text = (message or "").strip()[:2000]
    written = notify_task(session, NotificationKind.CHASER, task, key=f"chaser:{task.id}:{now.isoformat()}", now=now,
                          base_url=base_url, sender=actor.username,
                          sender_name=compose.full_name(session, actor.username), message=text)
    audit.record(session, "task.chased", actor=actor.username, now=now, instance_id=task.instance_id,
                 task_id=task.id, note=text or None)
    session.flush()
    return written
