"""API tokens: issued to a signed-in user, stored only as SHA-256 hashes, checked on every API call, revoked by
their holder, by an admin, or all at once when the user's password changes."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Row, bindparam, select, update
from sqlalchemy.orm import Session

from ..errors import Forbidden, NotFound, Unauthorized
from ..records import Actor
from ..store import audit
from ..store.models import Agency, ApiToken, User, UserRole


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=expires_at))
    audit.record(session, "auth.token_issued", actor=user.username, now=now)
    return token, expires_at


_TOKEN_HOLDER = (select(ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, User.id.label("user_id"),
                        User.username, User.active, Agency.key)
                 .join(User, User.id == ApiToken.user_id).outerjoin(Agency, Agency.id == User.agency_id)
                 .where(ApiToken.token_hash == bindparam("token_hash")))
_ROLES = select(UserRole.role).where(UserRole.user_id == bindparam("user_id"))


def _live_token(session: Session, token: str, now: datetime) -> Row[*tuple[Any, ...]]:
    row = session.execute(_TOKEN_HOLDER, {"token_hash": _digest(token)}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.active:
        raise Unauthorized("invalid or expired token")
    return row


def actor_for_token(session: Session, token: str, *, now: datetime) -> Actor:
    """The active user a live token belongs to; only reads (every API call makes this check)."""
    row = _live_token(session, token, now)
    roles = frozenset(session.scalars(_ROLES, {"user_id": row.user_id}))
    return Actor(row.username, roles, row.key)


def revoke_token(session: Session, token: str, *, now: datetime) -> None:
    """The holder gives a live token up: it stops working at once."""
    row = _live_token(session, token, now)
    session.execute(update(ApiToken).where(ApiToken.id == row.id).values(revoked_at=now))
    audit.record(session, "auth.token_revoked", actor=row.username, now=now, username=row.username, tokens=1)
    session.flush()


def revoke_all(session: Session, user_id: int, *, actor: str | None, now: datetime, reason: str) -> int:
    """Revoke every token of the user that is not revoked yet; how many were."""
    revoked = cast("CursorResult[Any]", session.execute(  # an UPDATE's result is a cursor's, with its rowcount
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        .values(revoked_at=now)))
    count = revoked.rowcount or 0
    username = session.scalar(select(User.username).where(User.id == user_id))
    audit.record(session, "auth.tokens_revoked", actor=actor, now=now, username=username, tokens=count, reason=reason)
    return count


def revoke_tokens_for(session: Session, username: str, *, actor: Actor, now: datetime) -> int:
    """An admin revokes all of a user's API tokens (say, when a laptop is lost); how many were live."""
    if not actor.has("admin"):
        raise Forbidden("revoking tokens needs the admin role")
    user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(f"no user {username!r}")
    count = revoke_all(session, user_id, actor=actor.username, now=now, reason="revoked_by_admin")
    session.flush()
    return count
