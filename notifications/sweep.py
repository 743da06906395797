"""One sweep over everything due at ``now``: BPMN timers, the reminder ladder, recurring process starts,
daily digests, then delivery of pending e-mail."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from engine import clock
from engine.cases import recurring
from engine.store.db import transaction
from engine.cases.due import run_due
from engine.cases.timers import fire_timer_item

from . import digest, ladder, settings
from .channels import backend_for
from .delivery import deliver_pending

log = logging.getLogger(__name__)
HANDLERS = {"timer": fire_timer_item, "ladder": ladder.fire, "process_start": recurring.start_due_cycle}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def sweep(factory: sessionmaker[Session], now: datetime, *, worker: str | None = None) -> dict[str, int]:
    config = settings.current()
    worker = worker or worker_name()
    with clock.frozen_at(now):
        result = run_due(factory, now, HANDLERS, worker)
        with transaction(factory) as session:
            result["digests"] = digest.send_digests(session, now, config.base_url)
        result.update(deliver_pending(factory, backend_for(config), now, worker))
    if any(result.values()):
        log.info("sweep at %s: %s", now.isoformat(), result)
    return result
