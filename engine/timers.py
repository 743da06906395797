"""Firing BPMN timers that are due. Reads only ``due_item`` rows whose time has come."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from . import clock, messages, runtime
from .models import DueItem, ProcessInstance


def due_timer_instances(session: Session, now: datetime, limit: int = 500) -> list[str]:
    rows = session.execute(select(DueItem.instance_id).where(DueItem.kind == "timer", DueItem.done_at.is_(None),
                                                             DueItem.due_at <= now)
                           .order_by(DueItem.due_at).limit(limit)).scalars()
    return list(dict.fromkeys(rows))


def fire_instance_timers(session: Session, instance_id: str, *, now: datetime) -> bool:
    """Fire whatever is due on one instance, as if at ``now``. False when there was nothing to do."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.status != "active" or instance.paused_at is not None:
        return False
    with clock.frozen_at(now):
        flow = runtime.load(session, instance)
        facts = flow.fire_timers()
        runtime.save(session, instance, flow, facts, actor="scheduler", now=now)
        messages.route_thrown(session, instance, facts.thrown, actor="scheduler", now=now)
    runtime.flush_or_conflict(session)
    return True


def run_timer_sweep(factory: sessionmaker[Session], now: datetime) -> int:
    """Fire every due timer, one instance per transaction. Returns how many instances moved."""
    from .db import transaction
    from .errors import Conflict

    with transaction(factory) as session:
        instance_ids = due_timer_instances(session, now)
    fired = 0
    for instance_id in instance_ids:
        try:
            with transaction(factory) as session:
                fired += fire_instance_timers(session, instance_id, now=now)
        except Conflict:
            continue  # another worker stepped this instance first; its timers are handled there
    return fired
