"""Firing BPMN timers that are due. Reads only ``due_item`` rows whose time has come."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker

from .. import clock
from ..states import DueKind, InstanceStatus
from ..store.models import DueItem, ProcessInstance
from . import step
from .due import run_due

RECHECK_PAUSED = timedelta(hours=1)
RECHECK_NOT_FIRED = timedelta(minutes=1)


def fire_instance_timers(session: Session, instance_id: str, *, now: datetime) -> bool:
    """Fire whatever is due on one instance, as if at ``now``. False when there was nothing to do."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.status != InstanceStatus.ACTIVE or instance.paused_at is not None:
        return False
    with clock.frozen_at(now):
        step.take_step(session, instance, lambda flow: flow.fire_timers(), actor="scheduler", now=now)
    return True


def fire_timer_item(session: Session, item: DueItem, now: datetime) -> bool:
    """Run a due timer row. False keeps the row open: the case is paused (its timers wait for the resume),
    or the engine did not consider the timer due yet."""
    instance = session.get(ProcessInstance, item.instance_id)
    if instance is None or instance.status != InstanceStatus.ACTIVE:
        return True
    if instance.paused_at is not None:
        item.due_at = now + RECHECK_PAUSED
        return False
    fire_instance_timers(session, item.instance_id, now=now)
    state = inspect(item)
    if state.deleted or state.was_deleted:
        return True
    item.due_at = max(item.due_at, now) + RECHECK_NOT_FIRED
    return False


def run_timer_sweep(factory: sessionmaker[Session], now: datetime, worker: str = "timer-sweep") -> int:
    """Fire every due BPMN timer, one claimed row per transaction. Returns how many rows ran."""
    with clock.frozen_at(now):
        return run_due(factory, now, {DueKind.TIMER: fire_timer_item}, worker)[DueKind.TIMER]
