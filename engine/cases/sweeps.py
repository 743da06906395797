"""The scheduler's record: each finished sweep (``scheduler_sweep``), and what waits for the next one (due rows whose
time has come, email in the outbox). ``/readyz`` and ``/metrics`` read these; the sweep writes one row when it ends.
Only times, counts and the worker's name are kept: no case data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..store.models import DueItem, Notification, SchedulerSweep

KEEP = timedelta(days=7)  # a week of sweeps to look back on (about 10,000 rows for one scheduler)
_PENDING, _FAILED = "pending", "failed"  # notifications.states (the engine does not import that room)


@dataclass(frozen=True)
class Sweep:
    swept_at: datetime
    worker: str
    duration_ms: int
    counts: dict[str, int]


@dataclass(frozen=True)
class Backlog:
    due_waiting: int  # due rows whose time has come and that no sweep has run yet
    oldest_due_at: datetime | None  # the earliest of them
    outbox_pending: int  # email waiting to be sent (or retried)
    outbox_failed: int  # email given up on


def record_sweep(session: Session, *, now: datetime, worker: str, duration_s: float, counts: dict[str, int]) -> None:
    """Note a finished sweep as of ``now``, and forget those older than ``KEEP``."""
    session.add(SchedulerSweep(swept_at=now, worker=worker[:120], duration_ms=max(0, round(duration_s * 1000)),
                               counts={str(k): int(v) for k, v in counts.items()}))
    session.execute(delete(SchedulerSweep).where(SchedulerSweep.swept_at < now - KEEP))
    session.flush()


def last_sweep(session: Session, now: datetime) -> Sweep | None:
    """The newest sweep at or before ``now`` (a ``lif tick --now`` in the future does not count yet)."""
    row = session.scalar(select(SchedulerSweep).where(SchedulerSweep.swept_at <= now)
                         .order_by(SchedulerSweep.swept_at.desc(), SchedulerSweep.id.desc()).limit(1))
    if row is None:
        return None
    return Sweep(row.swept_at, row.worker, row.duration_ms, dict(row.counts))


def backlog(session: Session, now: datetime) -> Backlog:
    """What waits for the scheduler at ``now``; reads of the partial indexes on open due rows and pending email."""
    waiting = (DueItem.done_at.is_(None), DueItem.due_at <= now)
    due_waiting = session.scalar(select(func.count()).select_from(DueItem).where(*waiting)) or 0
    oldest = session.scalar(select(DueItem.due_at).where(*waiting).order_by(DueItem.due_at).limit(1))
    by_state = {state: count for state, count in session.execute(select(Notification.state, func.count()).where(
        Notification.state.in_((_PENDING, _FAILED))).group_by(Notification.state))}
    return Backlog(int(due_waiting), oldest, int(by_state.get(_PENDING, 0)), int(by_state.get(_FAILED, 0)))
