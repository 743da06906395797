"""The sweep and the loops that run it: every minute inside ``lif serve`` (APScheduler in a background
thread), alone in ``lif scheduler``, or once with ``lif tick``."""
from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from engine import clock
from engine.timers import run_timer_sweep

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


def sweep(factory: sessionmaker[Session], now: datetime) -> dict[str, int]:
    """One pass over everything that is due at ``now``."""
    with clock.frozen_at(now):
        fired = run_timer_sweep(factory, now)
    if fired:
        log.info("sweep at %s fired timers on %d instance(s)", now.isoformat(), fired)
    return {"timers": fired}


def _job(factory: sessionmaker[Session]) -> None:
    try:
        sweep(factory, clock.now())
    except Exception:  # a failed sweep must not stop the next one
        log.exception("scheduler sweep failed")


def start_background(factory: sessionmaker[Session]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(_job, "interval", seconds=SWEEP_SECONDS, args=[factory], id="lif-sweep",
                      max_instances=1, coalesce=True, next_run_time=clock.now())
    scheduler.start()
    return scheduler


def run_blocking(factory: sessionmaker[Session]) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(_job, "interval", seconds=SWEEP_SECONDS, args=[factory], id="lif-sweep",
                      max_instances=1, coalesce=True, next_run_time=clock.now())
    scheduler.start()
