"""Code run in child processes (multiprocessing, spawn start method): each child builds its own engine and
session factory, installs the notifications room as ``lif scheduler`` would, and sweeps the shared database."""
from __future__ import annotations

import time
import traceback
from datetime import datetime
from typing import Any


def _room(url: str, port: int) -> Any:
    import notifications
    from engine.store.db import make_engine, make_session_factory

    from .notifications_kit import mail_config

    config = mail_config(url, port)
    notifications.install(config)
    return make_session_factory(make_engine(url), config.step_settings), config


def sweep_once(url: str, port: int, now_iso: str, barrier: Any, results: Any, name: str) -> None:
    """Wait for the other scheduler, then sweep once at ``now``; put ``(name, result or traceback)``."""
    try:
        from notifications.sweep import sweep

        factory, config = _room(url, port)
        now = datetime.fromisoformat(now_iso)
        barrier.wait(timeout=60)
        results.put((name, sweep(factory, config, now, worker=name)))
    except BaseException:  # the parent reports it
        results.put((name, traceback.format_exc()))


class _StuckBackend:
    """A mail backend that hangs in ``send``: the process is killed while it holds the lease."""

    def __init__(self, signal: Any) -> None:
        self.signal = signal

    def send(self, row: Any) -> None:
        self.signal.set()
        time.sleep(120)


def die_while_sending(url: str, port: int, now_iso: str, signal: Any) -> None:
    """Lease pending e-mail rows and hang inside the first send, until killed."""
    from notifications.delivery import deliver_pending

    factory, _ = _room(url, port)
    deliver_pending(factory, _StuckBackend(signal), datetime.fromisoformat(now_iso), "doomed-sender")


def die_while_running_due(url: str, port: int, now_iso: str, signal: Any) -> None:
    """Claim due ladder rows and hang inside the first one's handler, until killed (on PostgreSQL the row is
    locked FOR UPDATE, on SQLite it is leased)."""
    from engine.cases.due import run_due

    def hang(session: Any, item: Any, now: datetime) -> None:
        signal.set()
        time.sleep(120)

    factory, _ = _room(url, port)
    run_due(factory, datetime.fromisoformat(now_iso), {"ladder": hang}, "doomed-sweeper")
