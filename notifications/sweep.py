"""One sweep over everything due at ``now``: BPMN timers, the reminder ladder, recurring process starts,
daily digests, then delivery of pending email."""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from engine import clock
from engine.cases import recurring, sweeps
from engine.cases.due import run_due
from engine.cases.timers import fire_timer_item
from engine.config import Config
from engine.states import DueKind
from engine.store.db import transaction

from . import digest, ladder
from .channels import backend_for
from .delivery import deliver_pending

log = logging.getLogger(__name__)
DUE_KINDS = (DueKind.TIMER, DueKind.LADDER, DueKind.PROCESS_START)


def handlers(base_url: str) -> dict[str, Callable[..., Any]]:
    """What the sweep runs for each kind of due row (``DUE_KINDS``); the ladder's notifications link under
    ``base_url``."""
    return {DueKind.TIMER: fire_timer_item, DueKind.LADDER: partial(ladder.fire, base_url=base_url),
            DueKind.PROCESS_START: recurring.start_due_cycle}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def sweep(factory: sessionmaker[Session], config: Config, now: datetime, *,
          worker: str | None = None) -> dict[str, int]:
    """Everything due at ``now``, with the links and the mail backend of ``config``; how many of each."""
    worker, started = worker or worker_name(), time.perf_counter()
    with clock.frozen_at(now):
        result = run_due(factory, now, handlers(config.base_url), worker)
        with transaction(factory) as session:
            result["digests"] = digest.send_digests(session, now, config.base_url)
        result.update(deliver_pending(factory, backend_for(config), now, worker))
        with transaction(factory) as session:  # the scheduler's record, read by /readyz and /metrics
            sweeps.record_sweep(session, now=now, worker=worker, counts=result,
                                duration_s=time.perf_counter() - started)
    if any(result.values()):
        log.info("sweep at %s: %s", now.isoformat(), result)
    return result
