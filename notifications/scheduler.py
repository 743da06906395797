"""The loops that run the sweep: every minute inside ``lif serve`` (APScheduler in a background thread), or
alone in ``lif scheduler``. ``lif tick`` runs one sweep."""
from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
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


def _configure(scheduler: BackgroundScheduler | BlockingScheduler, factory: sessionmaker[Session],
               config: Config) -> None:
    scheduler.add_job(_job, "interval", seconds=SWEEP_SECONDS, args=[factory, config, worker_name()], id="lif-sweep",
                      max_instances=1, coalesce=True, next_run_time=clock.now())


def start_background(factory: sessionmaker[Session], config: Config) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    _configure(scheduler, factory, config)
    scheduler.start()
    return scheduler


def run_blocking(factory: sessionmaker[Session], config: Config) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    _configure(scheduler, factory, config)
    scheduler.start()
