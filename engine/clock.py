"""The one clock. Every piece of time logic asks ``now()``; tests move it with time-machine.

SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module, so the fence (``engine.spiff.compat``)
gives that module ``ClockDatetime``, a subclass that honours ``frozen_at`` (a context variable, so a ``lif tick
--now`` sweep inside the web process never changes the time other requests see).
"""
from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("lif_now", default=None)


def now() -> datetime:
    """The current time, aware and in UTC."""
    fixed = _frozen.get()
    if fixed is not None:
        return fixed
    return datetime.now(UTC)


def ensure_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: LIF keeps every time aware (give an offset, e.g. Z)")
    return moment.astimezone(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Run the block as if it were ``moment`` (for ``lif tick --now`` and the scheduler's sweep)."""
    token = _frozen.set(ensure_aware(moment))
    try:
        yield moment
    finally:
        _frozen.reset(token)


class ClockDatetime(datetime):
    """``datetime`` whose ``now()`` answers the frozen time inside ``frozen_at``."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # a plain datetime, not Self
        fixed = _frozen.get()
        if fixed is None:
            return datetime.now(tz)
        return fixed if tz is None else fixed.astimezone(tz)

