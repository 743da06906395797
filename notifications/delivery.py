"""Delivering pending email rows. Each row is leased in its own short transaction before the send and
marked sent after it, so two schedulers never send the same row, and a worker that dies after leasing leaves a
row that goes out once the lease expires. Failures are retried with backoff; nothing is ever deleted."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.store.db import transaction
from engine.store.models import Notification

from .channels import Backend
from .states import NotificationState

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 240, 720)]
MAX_ATTEMPTS = 12
BATCH = 200


def due_rows(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    return list(session.scalars(
        select(Notification.id).where(Notification.state == NotificationState.PENDING,
                                      Notification.next_attempt_at <= now,
                                      or_(Notification.lease_until.is_(None), Notification.lease_until < now))
        .order_by(Notification.next_attempt_at, Notification.id).limit(limit)))


def lease(session: Session, row_id: int, worker: str, now: datetime) -> bool:
    claimed = cast("CursorResult[Any]", session.execute(  # an UPDATE's result is a cursor's, with its rowcount
        update(Notification).where(Notification.id == row_id, Notification.state == NotificationState.PENDING,
                                   or_(Notification.lease_until.is_(None), Notification.lease_until < now))
        .values(lease_owner=worker, lease_until=now + LEASE).execution_options(synchronize_session=False)))
    return claimed.rowcount == 1


def deliver_pending(factory: sessionmaker[Session], backend: Backend, now: datetime, worker: str) -> dict[str, int]:
    sent = failed = 0
    with transaction(factory) as session:
        candidates = due_rows(session, now)
    for row_id in candidates:
        with transaction(factory) as session:
            if not lease(session, row_id, worker, now):
                continue
        with transaction(factory) as session:
            detached = _snapshot(session.get_one(Notification, row_id))  # leased just now: it is there
        try:
            backend.send(detached)
        except Exception as exc:  # any transport failure: keep the row and try again later
            failed += 1
            _record_failure(factory, row_id, worker, now, exc)
            continue
        with transaction(factory) as session:
            session.execute(update(Notification).where(Notification.id == row_id, Notification.lease_owner == worker)
                            .values(state=NotificationState.SENT, sent_at=now, lease_owner=None, lease_until=None,
                                    attempts=Notification.attempts + 1, last_error=None))
        sent += 1
    return {"sent": sent, "failed": failed}


def _snapshot(row: Notification) -> Notification:
    return Notification(id=row.id, idempotency_key=row.idempotency_key, kind=row.kind, channel=row.channel,
                        recipient=row.recipient, address=row.address, subject=row.subject, body=row.body,
                        body_html=row.body_html, task_id=row.task_id, instance_id=row.instance_id)


def _record_failure(factory: sessionmaker[Session], row_id: int, worker: str, now: datetime, exc: Exception) -> None:
    # the kind of failure only: an SMTP server's message may quote the address (the row keeps it, for admins)
    log.warning("delivery of notification %s failed (%s)", row_id, type(exc).__name__)
    with transaction(factory) as session:
        row = session.get(Notification, row_id)
        if row is None or row.lease_owner != worker:
            return
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.lease_owner, row.lease_until = None, None
        if row.attempts >= MAX_ATTEMPTS:
            row.state = NotificationState.FAILED
        else:
            row.next_attempt_at = now + BACKOFF[min(row.attempts - 1, len(BACKOFF) - 1)]
