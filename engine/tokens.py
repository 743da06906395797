"""Signing in: password checks with a per-account limit on failures, and API tokens stored as hashes."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from . import audit
from .accounts import password_matches
from .errors import RateLimited, Unauthorized
from .models import Agency, ApiToken, LoginFailure, User, UserRole
from .records import Actor


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(session: Session, username: str, password: str, *, now: datetime, max_failures: int = 5,
                 window: timedelta = timedelta(minutes=15)) -> User:
    """The user, if the password is right. Too many recent failures on one account refuse further tries
    for that account only, so other accounts and honest clients are not locked out.

    A wrong password adds a ``login_failure`` row before raising ``Unauthorized``: the caller must commit the
    session on that error (as the API and the sign-in page do), or the failure is not counted."""
    since = now - window
    failures = session.scalar(select(func.count()).select_from(LoginFailure)
                              .where(LoginFailure.username == username, LoginFailure.at > since)) or 0
    if failures >= max_failures:
        raise RateLimited("too many failed sign-ins for this account; try again later")
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not password_matches(user.password_hash if user else None, password):
        session.add(LoginFailure(username=username, at=now))
        audit.record(session, "auth.failed", actor=username, now=now)
        raise Unauthorized("wrong username or password")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return user


def issue_token(session: Session, user: User, *, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=expires_at))
    audit.record(session, "auth.token_issued", actor=user.username, now=now)
    return token, expires_at


_TOKEN_HOLDER = (select(ApiToken.revoked_at, ApiToken.expires_at, User.id, User.username, User.active, Agency.key)
                 .join(User, User.id == ApiToken.user_id).outerjoin(Agency, Agency.id == User.agency_id)
                 .where(ApiToken.token_hash == bindparam("token_hash")))
_ROLES = select(UserRole.role).where(UserRole.user_id == bindparam("user_id"))


def actor_for_token(session: Session, token: str, *, now: datetime) -> Actor:
    """The active user a live token belongs to; only reads (every API call makes this check)."""
    row = session.execute(_TOKEN_HOLDER, {"token_hash": _digest(token)}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.active:
        raise Unauthorized("invalid or expired token")
    roles = frozenset(session.scalars(_ROLES, {"user_id": row.id}))
    return Actor(row.username, roles, row.key)
