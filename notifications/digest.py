"""The daily digest: users who chose it get one email a day, from 07:00 London time, listing what was held
for them instead of single messages. In-app notifications are never held."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import workdays
from engine.store.models import Notification, User

from . import compose
from .outbox import insert_once
from .states import Channel, NotificationKind, NotificationState

DIGEST_AT = time(7, 0)


def send_digests(session: Session, now: datetime, base_url: str) -> int:
    local = now.astimezone(workdays.LONDON)
    if local.time() < DIGEST_AT:
        return 0
    day = local.date().isoformat()
    # Only what was held before this morning's 07:00: a message held later in the day waits for tomorrow's
    # digest, rather than going out at once as a "digest" of one.
    cutoff = datetime.combine(local.date(), DIGEST_AT, tzinfo=workdays.LONDON)
    written = 0
    for username in list(session.scalars(select(Notification.recipient).where(
            Notification.state == NotificationState.HELD, Notification.created_at < cutoff).distinct())):
        key = f"digest:{username}:{day}"
        if session.scalar(select(Notification.id).where(Notification.idempotency_key == key)):
            continue
        held = list(session.scalars(select(Notification).where(Notification.recipient == username,
                                                               Notification.state == NotificationState.HELD,
                                                               Notification.created_at < cutoff)
                                    .order_by(Notification.created_at, Notification.id)))
        user = session.scalar(select(User).where(User.username == username))
        items = [{"subject": n.subject, "link": f"{base_url}/tasks/{n.task_id}" if n.task_id else base_url}
                 for n in held]
        in_words = compose.date_in_words(now)
        subject = f"Your LIF digest for {in_words}: {len(items)} update{'s' if len(items) != 1 else ''}"
        rendered = compose.render(NotificationKind.DIGEST, {"day": in_words, "items": items, "subject": subject})
        written += insert_once(session, dict(
            idempotency_key=key, kind=NotificationKind.DIGEST, channel=Channel.EMAIL, recipient=username,
            address=user.email if user else held[0].address, subject=rendered.subject,
            body=rendered.text, body_html=rendered.html, state=NotificationState.PENDING, attempts=0,
            next_attempt_at=now, created_at=now))
        for row in held:
            row.state = NotificationState.DIGESTED
    session.flush()
    return written
