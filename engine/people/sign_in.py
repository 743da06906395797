"""Signing in with a username and password, for the pages and the API alike.

Every try costs one argon2 verification, whether or not the account exists (an unknown or inactive account is
checked against a dummy hash), so timing tells nothing. Failures are throttled in the database, which every web
worker shares, per address group: an IPv4 address, or an IPv6 address's /64 (one subscriber's whole network;
an IPv4-mapped IPv6 address is its IPv4 address):

- per address group: ``address_failures`` failed sign-ins a minute, whatever the usernames, then 429 until the
  minute is over;
- per username tried from one address group: ``free_failures`` failures, then each further failure doubles the
  wait before the next try there (1 s, 2 s, 4 s, ... up to ``max_delay``). A success clears the count; a day
  without failures forgets it;
- per username across all addresses (a botnet's spread attack): past ``account_failures`` failures, counted
  until an hour goes by without one, each further failure doubles the wait (up to ``max_delay``) before the next
  try from any address group that has never signed in to that account. Groups that have (``sign_in_known``)
  are not delayed, so nobody can lock an account: its owner at their usual address signs in as usual. Their
  success there does not clear this count, which would give the attack a fresh start.

A try is first reserved, in a short transaction that locks the throttle rows it touches: refused with
``RateLimited`` while any of them is waiting out a delay, otherwise counted as a failure there and then, so
simultaneous tries (in any number of workers) never get past a limit together. The password is verified with
no transaction open, so a slow argon2 holds up nobody's writes (SQLite takes its write lock at a transaction's
start). A second short transaction then takes the counted failure back on success, or audits the failure:
one ``auth.failed`` row at the 1st, 2nd, 4th, 8th ... failure of a username at an address group (each with the
count so far), and one ``auth.throttled`` row when an address group reaches its limit."""
from __future__ import annotations

import ipaddress
import math
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from ..config import Config
from ..errors import RateLimited, Unauthorized
from ..store import audit
from ..store.db import transaction
from ..store.models import SignInKnown, SignInThrottle, User
from .accounts import password_matches

CHECK_WAIT_S = 5.0  # how long a try waits for one of the password checks to be free
_CHECKS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))

ADDRESS_WINDOW = timedelta(minutes=1)
ACCOUNT_QUIET = timedelta(hours=1)  # an account's count across addresses lasts until this long without failures
FORGET_AFTER = timedelta(hours=24)
FIRST_DELAY = timedelta(seconds=1)
_ANY = ""  # the username of an address group's own row, and the address of an account's own row


@dataclass(frozen=True)
class Limits:
    address_failures: int = 10
    free_failures: int = 5
    max_delay: timedelta = timedelta(minutes=15)
    account_failures: int = 20

    @classmethod
    def from_config(cls, config: Config) -> Limits:
        return cls(config.login_address_limit, config.login_max_failures,
                   timedelta(minutes=config.login_max_delay_minutes), config.login_account_limit)


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    username: str


@dataclass(frozen=True)
class _Attempt:
    """A reserved try, already counted as a failure: where, which counts, and the account it names."""
    address: str
    group: str
    name: str
    user_id: int | None  # None for an unknown or inactive account
    password_hash: str | None
    address_since: datetime  # the start of the address group's count this try joined
    account_since: datetime
    address_failures: int  # the counts with this try
    pair_failures: int
    pair_since: datetime
    known: bool  # whether the address group has signed in to the account before
    account_blocks: tuple[datetime | None, datetime | None]  # the account's delay before this try, and after


def authenticate(factory: sessionmaker[Session], username: str, password: str, *, address: str, now: datetime,
                 limits: Limits = Limits()) -> SignedIn:
    """Who signed in, if the password is right and no throttle makes the try wait (``RateLimited``, with
    ``retry_after``); otherwise ``Unauthorized``, the failure on record. Runs its own two short units of work
    and verifies the password between them, outside both."""
    if not username:
        raise Unauthorized("wrong username or password")  # no account has none (and its rows would be the address's)
    # argon2 takes 64 MiB a check: a bounded number at once, so unauthenticated tries cannot take the memory
    if not _CHECKS.acquire(timeout=CHECK_WAIT_S):
        raise RateLimited("too many sign-ins are being checked at once; try again in a moment", retry_after=1)
    try:
        with transaction(factory) as session:
            attempt = _reserve(session, username, address, now=now, limits=limits)
        matches = password_matches(attempt.password_hash, password)  # always run, and with no write lock held
    finally:
        _CHECKS.release()
    with transaction(factory) as session:
        if matches and attempt.user_id is not None:
            _take_back(session, attempt, now=now, limits=limits)
            return SignedIn(attempt.user_id, username)
        _audit_failure(session, attempt, now=now, limits=limits)
    raise Unauthorized("wrong username or password")


def address_group(address: str) -> str:
    """What the throttles count by: an IPv4 address as it is, an IPv6 address's /64 network (an IPv4-mapped
    one as its IPv4 address), anything else (no address, a socket path) as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return (address or "unknown")[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def _reserve(session: Session, username: str, address: str, *, now: datetime, limits: Limits) -> _Attempt:
    group, name = address_group(address), username[:64]
    here = _locked_row(session, group, _ANY, now)  # always in this order: address, account, pair
    account = _locked_row(session, _ANY, name, now)
    pair = _locked_row(session, group, name, now)
    user = session.scalar(select(User).where(User.username == username))
    user = user if user is not None and user.active else None
    known = user is not None and session.get(SignInKnown, (user.id, group)) is not None
    _refuse_while_blocked(here, None if known else account, pair, now)
    blocked_before = account.blocked_until
    _count(here, account, pair, now, limits, known=known)
    session.flush()
    _forget_old(session, now)
    return _Attempt(address=(address or "unknown")[:64], group=group, name=name,
                    user_id=user.id if user is not None else None,
                    password_hash=user.password_hash if user is not None else None,
                    address_since=here.first_at, account_since=account.first_at,
                    address_failures=here.failures, pair_failures=pair.failures, pair_since=pair.first_at,
                    known=known, account_blocks=(blocked_before, account.blocked_until))


def _refuse_while_blocked(here: SignInThrottle, account: SignInThrottle | None, pair: SignInThrottle,
                          now: datetime) -> None:
    waits = [(row.blocked_until, whose) for row, whose in [
        (here, "from your address"), (account, "for this account from a new address"),
        (pair, "for this account from your address")]
        if row is not None and row.blocked_until is not None and row.blocked_until > now]
    if not waits:
        return
    until, whose = max(waits, key=lambda wait: wait[0])
    wait = math.ceil((until - now).total_seconds())
    raise RateLimited(f"too many failed sign-ins {whose}; try again in {_duration(wait)}", retry_after=wait)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _count(here: SignInThrottle, account: SignInThrottle, pair: SignInThrottle, now: datetime, limits: Limits, *,
           known: bool) -> None:
    """This try as a failure, in all three counts (each started afresh when its time is up). Only tries from
    address groups new to the account set its delay (which only they wait out)."""
    for row, over in [(here, now - here.first_at >= ADDRESS_WINDOW), (account, now - account.last_at >= ACCOUNT_QUIET),
                      (pair, now - pair.last_at >= FORGET_AFTER)]:
        if over:
            row.failures, row.first_at, row.blocked_until = 0, now, None
        row.failures, row.last_at = row.failures + 1, now
    if here.failures >= limits.address_failures:
        here.blocked_until = here.first_at + ADDRESS_WINDOW
    pair.blocked_until = _delay(pair.failures - limits.free_failures, now, limits)
    if not known:
        account.blocked_until = _delay(account.failures - limits.account_failures, now, limits)


def _delay(over: int, now: datetime, limits: Limits) -> datetime | None:
    """No wait below a threshold; from it on, 1 s doubling with each failure past it, up to ``max_delay``."""
    return None if over < 0 else now + min(FIRST_DELAY * 2 ** min(over, 20), limits.max_delay)


def _take_back(session: Session, attempt: _Attempt, *, now: datetime, limits: Limits) -> None:
    """A success: its failure taken back from the address group's and the account's counts (unless they have
    started afresh since), with the delay it set; the username's count at that group cleared; and the group
    remembered as the account's."""
    here = _uncounted(_lock(session, attempt.group, _ANY), attempt.address_since)
    if here is not None and here.failures < limits.address_failures:
        here.blocked_until = None
    account = _uncounted(_lock(session, _ANY, attempt.name), attempt.account_since)
    if account is not None and account.blocked_until == attempt.account_blocks[1]:
        account.blocked_until = attempt.account_blocks[0]
    session.execute(delete(SignInThrottle).where(SignInThrottle.address == attempt.group,
                                                 SignInThrottle.username == attempt.name))
    session.execute(_insert(session, SignInKnown).values(user_id=attempt.user_id, address=attempt.group,
                                                         first_at=now, last_at=now)
                    .on_conflict_do_update(index_elements=["user_id", "address"], set_={"last_at": now}))


def _uncounted(row: SignInThrottle | None, since: datetime) -> SignInThrottle | None:
    """The row, one failure less, if it still counts from ``since``."""
    if row is None or row.first_at != since or row.failures == 0:
        return None
    row.failures -= 1
    return row


def _audit_failure(session: Session, attempt: _Attempt, *, now: datetime, limits: Limits) -> None:
    if attempt.address_failures == limits.address_failures:
        audit.record(session, "auth.throttled", actor=None, now=now, address=attempt.address, group=attempt.group,
                     failures=attempt.address_failures)
    if attempt.pair_failures & (attempt.pair_failures - 1) == 0:  # 1, 2, 4, 8, ...: a bounded record of any number
        audit.record(session, "auth.failed", actor=attempt.name, now=now, address=attempt.address,
                     group=attempt.group, failures=attempt.pair_failures, since=attempt.pair_since.isoformat())


def _forget_old(session: Session, now: datetime) -> None:
    """Rows a day without failures go; on PostgreSQL, rows another try holds locked are left for later rather
    than waited for (waiting here, while holding this try's rows, could deadlock with that try)."""
    old = (select(SignInThrottle.address, SignInThrottle.username)
           .where(SignInThrottle.last_at < now - FORGET_AFTER).with_for_update(skip_locked=True))
    session.execute(delete(SignInThrottle).where(tuple_(SignInThrottle.address, SignInThrottle.username).in_(old))
                    .execution_options(synchronize_session=False))


def _insert(session: Session, table: type) -> Any:
    return (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


def _locked_row(session: Session, address: str, name: str, now: datetime) -> SignInThrottle:
    """The throttle row, made if missing and locked for this transaction (two workers count one after the
    other, on PostgreSQL as on SQLite, whose transactions take the write lock at their start). The upsert's
    no-op update locks a row that exists, so a concurrent clean-up of old rows cannot delete it in between."""
    table = SignInThrottle.__table__
    session.execute(_insert(session, SignInThrottle).values(address=address, username=name, failures=0,
                                                            first_at=now, last_at=now)
                    .on_conflict_do_update(index_elements=["address", "username"],
                                           set_={"last_at": table.c.last_at}))
    row = _lock(session, address, name)
    assert row is not None  # made just now, or by another try that has committed
    return row


def _lock(session: Session, address: str, name: str) -> SignInThrottle | None:
    return session.scalars(select(SignInThrottle).where(SignInThrottle.address == address,
                                                        SignInThrottle.username == name)
                           .with_for_update().execution_options(populate_existing=True)).one_or_none()
