"""The pages' sessions, kept on the server so that several web workers share them and sign-out, timeouts and a
password change end them for good. The browser's signed cookie carries a random session id; the database keeps
only its SHA-256. A session ends when its user signs out, after ``idle`` without a request, ``absolute`` after
sign-in, or when the user's password changes. Its last activity is written at most once a minute."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..store import audit
from ..store.models import User, UserSession

TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class SessionState:
    """What a session cookie stands for. ``live`` sessions sign their user in; a lapsed one (timed out, not
    ended) still names its user, within ``absolute`` of its last request, so a form posted to it is not lost."""

    row_id: int
    user_id: int
    username: str
    live: bool
    touch_due: bool
    rescuable: bool


def _digest(raw_id: str) -> str:
    return hashlib.sha256(raw_id.encode()).hexdigest()


def start(session: Session, user_id: int, *, now: datetime, timeouts: Timeouts) -> str:
    """A new session for the user; returns the id for the cookie (never stored). Long-dead rows of the user
    are cleared out here, so the table stays as small as the number of recent sign-ins."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id,
                                              UserSession.last_seen_at < now - 2 * timeouts.absolute))
    raw_id = secrets.token_urlsafe(32)
    session.add(UserSession(id_hash=_digest(raw_id), user_id=user_id, created_at=now, last_seen_at=now))
    session.flush()
    return raw_id


_HOLDER = (select(UserSession.id, UserSession.user_id, UserSession.created_at, UserSession.last_seen_at,
                  UserSession.ended_at, User.username)
           .join(User, User.id == UserSession.user_id))


def state(session: Session, raw_id: str, *, now: datetime, timeouts: Timeouts) -> SessionState | None:
    """The session the cookie names, or None when there is none or it was ended (signed out, replaced)."""
    row = session.execute(_HOLDER.where(UserSession.id_hash == _digest(raw_id))).first()
    if row is None or row.ended_at is not None:
        return None
    live = now - row.last_seen_at < timeouts.idle and now - row.created_at < timeouts.absolute
    return SessionState(row_id=row.id, user_id=row.user_id, username=row.username, live=live,
                        touch_due=live and now - row.last_seen_at >= TOUCH_EVERY,
                        rescuable=not live and now - row.last_seen_at < timeouts.absolute)


def touch(session: Session, row_id: int, *, now: datetime) -> None:
    """Restart the idle clock (callers do it only when ``touch_due``: one small write a minute at most)."""
    session.execute(update(UserSession).where(UserSession.id == row_id, UserSession.ended_at.is_(None))
                    .values(last_seen_at=now))


def end(session: Session, raw_id: str, *, now: datetime, reason: str) -> None:
    """End one session (sign-out, or replaced by a new sign-in): its cookie is refused from now on."""
    row = session.execute(_HOLDER.where(UserSession.id_hash == _digest(raw_id),
                                        UserSession.ended_at.is_(None))).first()
    if row is None:
        return
    session.execute(update(UserSession).where(UserSession.id == row.id).values(ended_at=now, end_reason=reason))
    if reason == "signed_out":
        audit.record(session, "auth.signed_out", actor=row.username, now=now)


def end_all(session: Session, user_id: int, *, now: datetime, reason: str, keep: str | None = None) -> None:
    """End every session of the user, except the one whose cookie id is ``keep``."""
    statement = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep:
        statement = statement.where(UserSession.id_hash != _digest(keep))
    session.execute(statement.values(ended_at=now, end_reason=reason))
