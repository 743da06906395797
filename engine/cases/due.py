"""Claiming and running due rows, one row per transaction.

The sweep selects only rows whose time has come (a partial index on ``due_at`` for open rows), so its cost
follows the due work, not the number of cases. Each row is claimed so that two schedulers, or a crash halfway,
never run it twice: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (claim, run and close in one transaction), a
lease on SQLite (claim in one short transaction, then run and close under that lease; a worker that dies
leaves a lease that expires). A row whose handler fails is retried later with backoff.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, inspect, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..errors import Conflict
from ..store.db import transaction
from ..store.models import DueItem, ProcessInstance

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
RETRY_BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]
Handler = Callable[[Session, DueItem, datetime], object]  # returning False keeps the row open


def select_due(session: Session, now: datetime, kinds: tuple[str, ...], limit: int = 1000) -> list[int]:
    return list(session.scalars(
        select(DueItem.id).where(DueItem.done_at.is_(None), DueItem.due_at <= now, DueItem.kind.in_(kinds),
                                 or_(DueItem.lease_until.is_(None), DueItem.lease_until < now))
        .order_by(DueItem.due_at, DueItem.id).limit(limit)))


def run_due(factory: sessionmaker[Session], now: datetime, handlers: dict[str, Handler], worker: str,
            limit: int = 1000) -> dict[str, int]:
    with transaction(factory) as session:
        ids = select_due(session, now, tuple(handlers), limit)
    done: dict[str, int] = {str(kind): 0 for kind in handlers}  # plain words: the counts are logged and printed
    for item_id in ids:
        kind = run_one(factory, item_id, now, handlers, worker)
        if kind:
            done[kind] += 1
    return done


def run_one(factory: sessionmaker[Session], item_id: int, now: datetime, handlers: dict[str, Handler],
            worker: str) -> str | None:
    """Claim and run one due row; the kind it ran, or None when another worker has it or it failed."""
    postgres = factory.kw["bind"].dialect.name == "postgresql"
    try:
        if not postgres:
            with transaction(factory) as session:
                if not _lease(session, item_id, worker, now):
                    return None
        with transaction(factory) as session:
            if postgres and not _lock_case_first(session, item_id):
                return None
            query = select(DueItem).where(DueItem.id == item_id, DueItem.done_at.is_(None))
            query = query.with_for_update(skip_locked=True) if postgres else query.where(DueItem.lease_owner == worker)
            item = session.scalar(query)
            if item is None:
                return None
            kind = item.kind
            finished = handlers[kind](session, item, now) is not False
            state = inspect(item)
            if not (state.deleted or state.was_deleted or state.detached):
                item.lease_owner, item.lease_until = None, None
                if finished:
                    item.done_at = now
            return kind if finished else None
    except Conflict:
        log.info("due item %s: its case changed under it; it will run again", item_id)
    except Exception:
        log.exception("due item %s failed; it will be retried", item_id)
        _back_off(factory, item_id, now)
    return None


def _lock_case_first(session: Session, item_id: int) -> bool:
    """Lock the row's case before the row (PostgreSQL), in the order every step takes them, so the sweep and a
    person's step on the same case never wait on each other in a cycle. False when the case is busy: the row
    stays due and the next sweep takes it."""
    instance_id = session.scalar(select(DueItem.instance_id).where(DueItem.id == item_id))
    if instance_id is None:
        return True
    # NO KEY UPDATE: what a step's UPDATE of the case takes, so it serialises with steps but not with rows
    # that merely point at the case (comments, tasks, due rows), which take KEY SHARE
    return session.scalar(select(ProcessInstance.id).where(ProcessInstance.id == instance_id)
                          .with_for_update(skip_locked=True, key_share=True)) is not None


def _lease(session: Session, item_id: int, worker: str, now: datetime) -> bool:
    claimed = cast("CursorResult[Any]", session.execute(  # an UPDATE's result is a cursor's, with its rowcount
        update(DueItem).where(DueItem.id == item_id, DueItem.done_at.is_(None),
                              or_(DueItem.lease_until.is_(None), DueItem.lease_until < now))
        .values(lease_owner=worker, lease_until=now + LEASE).execution_options(synchronize_session=False)))
    return claimed.rowcount == 1


def _back_off(factory: sessionmaker[Session], item_id: int, now: datetime) -> None:
    with transaction(factory) as session:
        item = session.get(DueItem, item_id)
        if item is not None and item.done_at is None:
            item.attempts += 1
            item.due_at = now + RETRY_BACKOFF[min(item.attempts - 1, len(RETRY_BACKOFF) - 1)]
            item.lease_owner, item.lease_until = None, None
