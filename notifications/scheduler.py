"""The loops that run the sweep every minute: in ``lif scheduler`` (which ``lif serve`` runs as its child
process), or in a background thread of ``lif serve --dev``. ``lif tick`` runs one sweep."""
from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from engine import clock
from engine.config import Config
from engine.store.db import unreachable, unreachable_reason

from .sweep import sweep, worker_name

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


def _job(factory: sessionmaker[Session], config: Config, worker: str) -> None:
    try:
        sweep(factory, config, clock.now(), worker=worker)
    except Exception as exc:  # a failed sweep must not stop the next one
        if unreachable(exc):
            log.error("scheduler sweep skipped: %s", unreachable_reason(str(factory.kw["bind"].url), exc))
        else:
            log.exception("scheduler sweep failed")


def _configure(scheduler: BackgroundScheduler, factory: sessionmaker[Session],
               config: Config) -> None:
    scheduler.add_job(_job, "interval", seconds=SWEEP_SECONDS, args=[factory, config, worker_name()], id="lif-sweep",
                      max_instances=1, coalesce=True, next_run_time=clock.now())


def start_background(factory: sessionmaker[Session], config: Config) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    _configure(scheduler, factory, config)
    scheduler.start()
    return scheduler


def run_until_stopped(factory: sessionmaker[Session], config: Config, *, parent_pid: int | None = None,
                      check_s: float = 1.0) -> None:
    """Sweep every minute until TERM or INT, or, given ``parent_pid``, until that process is no longer this one's
    parent (it ended, even by SIGKILL); the sweep in flight finishes first."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler = start_background(factory, config)
    try:
        while not stop.wait(check_s):
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("the server that started this scheduler has stopped; stopping too")
                break
    finally:
        scheduler.shutdown(wait=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
