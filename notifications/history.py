"""A past that is history, not news. A partnership whose earlier work is loaded at once (``lif demo`` plays
months of cases at their past times) would otherwise send, at the first sweep, every message of those months:
new tasks long done, reminders whose day has passed, digests of them. ``settle`` files what was written before
``now`` as delivered and read, and moves the reminder ladder on to ``now``; what falls due after it (a reminder
or an escalation of a task still open) goes out as usual."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from engine.states import DueKind
from engine.store.models import DueItem, Notification

from .ladder import repeat_time
from .states import Channel, NotificationState


def settle(session: Session, now: datetime) -> dict[str, int]:
    """File the outbox and the ladder written before ``now`` as history; how many rows of each were settled."""
    emails = _rows(session.execute(
        update(Notification).where(Notification.channel == Channel.EMAIL, Notification.created_at < now,
                                   Notification.state.in_([NotificationState.PENDING, NotificationState.HELD]))
        .values(state=NotificationState.SENT, sent_at=Notification.created_at, next_attempt_at=None)
        .execution_options(synchronize_session=False)))
    notices = _rows(session.execute(
        update(Notification).where(Notification.channel == Channel.INAPP, Notification.created_at < now,
                                   Notification.read_at.is_(None))
        .values(read_at=Notification.created_at).execution_options(synchronize_session=False)))
    rungs = 0
    for item in session.scalars(select(DueItem).where(DueItem.kind == DueKind.LADDER, DueItem.done_at.is_(None),
                                                      DueItem.due_at < now)):
        rungs += 1
        repeat = int((item.payload or {}).get("repeat") or 0)
        if not repeat:
            item.done_at = now  # a reminder or overdue notice whose moment has passed
            continue
        at = item.due_at
        while at < now:  # a repeating escalation: its next turn after now, as if it had gone out all along
            at = repeat_time(at, repeat)
        item.due_at = at
    session.flush()
    return {"emails": emails, "notices": notices, "rungs": rungs}


def _rows(result: Any) -> int:
    return cast("CursorResult[Any]", result).rowcount
