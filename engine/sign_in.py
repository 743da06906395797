"""Signing in with a username and password, for the pages and the API alike.

Every try costs one argon2 verification, whether or not the account exists (an unknown or inactive account is
checked against a dummy hash), so timing tells nothing. Failures are throttled in the database, which every web
worker shares:

- per client address: ``address_failures`` failed sign-ins a minute, whatever the usernames, then 429 until the
  minute is over;
- per username tried from one address: ``free_failures`` failures, then each further failure doubles the wait
  before the next try there (1 s, 2 s, 4 s, ... up to ``max_delay``). Nobody can lock an account: its owner at
  another address signs in as usual. A success clears the count; a day without failures forgets it.

Failures are audited in aggregate: one ``auth.failed`` row at the 1st, 2nd, 4th, 8th ... failure of a username
at an address (each with the count so far), and one ``auth.throttled`` row when an address reaches its limit."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from . import audit
from .accounts import password_matches
from .config import Config
from .errors import RateLimited, Unauthorized
from .models import SignInThrottle, User

ADDRESS_WINDOW = timedelta(minutes=1)
FORGET_AFTER = timedelta(hours=24)
FIRST_DELAY = timedelta(seconds=1)
_ANY = ""  # the username of an address's own row


@dataclass(frozen=True)
class Limits:
    address_failures: int = 10
    free_failures: int = 5
    max_delay: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: Config) -> "Limits":
        return cls(config.login_address_limit, config.login_max_failures,
                   timedelta(minutes=config.login_max_delay_minutes))


def authenticate(session: Session, username: str, password: str, *, address: str, now: datetime,
                 limits: Limits = Limits()) -> User:
    """The user, if the password is right and neither the address nor the username at that address is waiting
    out a delay (``RateLimited``, with ``retry_after``). A wrong password counts a failure before raising
    ``Unauthorized``: the caller must commit the session on that error, or the failure is not counted."""
    address, name = (address or "unknown")[:64], username[:64]
    _refuse_while_blocked(session, address, name, now)
    user = session.scalar(select(User).where(User.username == username))
    known = user is not None and user.active
    matches = password_matches(user.password_hash if user is not None and known else None, password)  # always run
    if user is None or not (known and matches):
        _count_failure(session, address, name, now=now, limits=limits)
        raise Unauthorized("wrong username or password")
    session.execute(delete(SignInThrottle).where(SignInThrottle.address == address, SignInThrottle.username == name))
    return user


def _refuse_while_blocked(session: Session, address: str, name: str, now: datetime) -> None:
    rows = session.execute(select(SignInThrottle.username, SignInThrottle.blocked_until).where(
        SignInThrottle.address == address, SignInThrottle.username.in_((_ANY, name)),
        SignInThrottle.blocked_until > now)).all()
    if not rows:
        return
    until = max(row.blocked_until for row in rows)
    wait = math.ceil((until - now).total_seconds())
    whose = "from your address" if any(row.username == _ANY for row in rows) else \
        "for this account from your address"
    raise RateLimited(f"too many failed sign-ins {whose}; try again in {_duration(wait)}", retry_after=wait)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _count_failure(session: Session, address: str, name: str, *, now: datetime, limits: Limits) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.last_at < now - FORGET_AFTER))
    here = _locked_row(session, address, _ANY, now)
    if now - here.first_at >= ADDRESS_WINDOW:
        here.failures, here.first_at = 0, now
    here.failures, here.last_at = here.failures + 1, now
    if here.failures >= limits.address_failures:
        here.blocked_until = here.first_at + ADDRESS_WINDOW
        if here.failures == limits.address_failures:
            audit.record(session, "auth.throttled", actor=None, now=now, address=address, failures=here.failures)
    pair = _locked_row(session, address, name, now)
    pair.failures, pair.last_at = pair.failures + 1, now
    over = pair.failures - limits.free_failures
    if over >= 0:
        pair.blocked_until = now + min(FIRST_DELAY * 2 ** min(over, 20), limits.max_delay)
    if pair.failures & (pair.failures - 1) == 0:  # 1, 2, 4, 8, ...: a bounded record of any number of tries
        audit.record(session, "auth.failed", actor=name, now=now, address=address, failures=pair.failures,
                     since=pair.first_at.isoformat())
    session.flush()


def _locked_row(session: Session, address: str, name: str, now: datetime) -> SignInThrottle:
    """The throttle row, made if missing and locked for this transaction (two workers count one after the
    other, on PostgreSQL as on SQLite, whose transactions take the write lock at their start)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(SignInThrottle).values(address=address, username=name, failures=0, first_at=now,
                                                  last_at=now).on_conflict_do_nothing())
    return session.scalars(select(SignInThrottle).where(SignInThrottle.address == address,
                                                        SignInThrottle.username == name)
                           .with_for_update().execution_options(populate_existing=True)).one()
