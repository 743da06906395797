"""The in-app list of a user's notifications. Notices about cases (every notice with a case) are for people who
take part in cases: an administrator or designer who was once a coordinator does not keep reading them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, func, select, update
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.records import Actor, Page
from engine.store.models import Notification

from .states import Channel


@dataclass(frozen=True)
class NotificationInfo:
    id: int
    kind: str
    task_id: str | None
    instance_id: str | None
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None


def _visible(actor: Actor) -> list[ColumnElement[bool]]:
    """The actor's own in-app notices that they may read (about a case only while they take part in cases)."""
    found = [Notification.recipient == actor.username, Notification.channel == Channel.INAPP]
    if not actor.reads_cases:
        found += [Notification.instance_id.is_(None), Notification.task_id.is_(None)]
    return found


def notifications_for(session: Session, actor: Actor, *, unread_only: bool = False, limit: int = 50,
                      offset: int = 0) -> Page:
    query = select(Notification).where(*_visible(actor))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                           .limit(limit).offset(offset))
    return Page(tuple(NotificationInfo(r.id, r.kind, r.task_id, r.instance_id, r.subject, r.body, r.created_at,
                                       r.read_at) for r in rows), total)


def mark_read(session: Session, username: str, notification_id: int, *, now: datetime) -> None:
    row = session.get(Notification, notification_id)
    if row is None or row.recipient != username or row.channel != Channel.INAPP:
        raise NotFound(f"no notification {notification_id}")
    if row.read_at is None:
        row.read_at = now
        session.flush()


def mark_all_read(session: Session, actor: Actor, *, now: datetime) -> int:
    """Mark every unread notice the actor can see as read at ``now`` (one click for a backlog, rather than one per
    notice); how many were marked. Notices the actor cannot see (about cases, for an administrator) stay as
    they are."""
    marked = cast("CursorResult[Any]", session.execute(  # an UPDATE's result is a cursor's, with its rowcount
        update(Notification).where(*_visible(actor), Notification.read_at.is_(None)).values(read_at=now)
        .execution_options(synchronize_session=False)))
    return marked.rowcount
