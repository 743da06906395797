"""The in-app list of a user's notifications. Notices about cases (every notice with a case) are for people who
take part in cases: an administrator or designer who was once a coordinator does not keep reading them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.records import Actor, Page
from engine.store.models import Notification

from .states import Channel, NotificationKind, NotificationState


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


def taken_straight_to(session: Session, task_id: str, username: str, *, now: datetime) -> None:
    """``username`` was taken straight to the task (the task page after they completed the step before it, or the
    start page after they started the case): its "New task" notice to them is news of what they are looking at.
    The in-app notice is marked read and the email not yet sent is dropped; a notice of any other task, and
    everyone else's, stand. Called in the transaction that made the task ready, before the sweep can send it."""
    mine = (Notification.task_id == task_id, Notification.recipient == username,
            Notification.kind == NotificationKind.NEW_TASK)
    session.execute(update(Notification).where(*mine, Notification.channel == Channel.INAPP,
                                               Notification.read_at.is_(None))
                    .values(read_at=now).execution_options(synchronize_session=False))
    session.execute(delete(Notification).where(
        *mine, Notification.channel == Channel.EMAIL,
        Notification.state.in_((NotificationState.PENDING, NotificationState.HELD)))
        .execution_options(synchronize_session=False))
