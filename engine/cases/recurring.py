"""Recurring processes started by the app, not by a cycle timer on a start event (which would keep one
instance alive forever; see SPIFFWORKFLOW.md). A bundle's ``process_model.json`` may say
``"repeat_every": "P2Y"``: each hand-started instance then schedules the next one that long after it started."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..bundles import deadlines, definitions
from ..states import DueKind
from ..store import audit
from ..store.models import DueItem, ProcessDefinition, ProcessInstance
from . import launch, step

log = logging.getLogger(__name__)


def schedule_next_cycle(session: Session, definition: ProcessDefinition, instance: ProcessInstance,
                        now: datetime) -> None:
    period = definition.model.get("repeat_every")
    if not period:
        return
    session.execute(delete(DueItem).where(DueItem.kind == DueKind.PROCESS_START, DueItem.done_at.is_(None),
                                          DueItem.payload["process_key"].as_string() == definition.key))
    try:
        due = deadlines.add_period(instance.created_at, str(period))
    except deadlines.DeadlineError as exc:  # a bundle deployed before deploy checked repeat_every
        log.warning("process %s: repeat_every not scheduled: %s", definition.key, exc)
        return
    session.add(DueItem(kind=DueKind.PROCESS_START, instance_id=instance.id, task_id=None, due_at=due,
                        payload={"process_key": definition.key, "after": instance.business_key}))
    audit.record(session, "cycle.scheduled", actor="scheduler", now=now, instance_id=instance.id,
                 process_key=definition.key, due_at=due.isoformat())


def start_due_cycle(session: Session, item: DueItem, now: datetime) -> bool:
    """Start the next cycle of a recurring process, and schedule the one after it."""
    key: str = (item.payload or {})["process_key"]  # every process_start item is scheduled with its process
    definition = definitions.latest(session, key)
    instance, thrown = launch.launch_instance(session, definition, definition.primary_process_id, data={},
                                              business_key=None, actor="scheduler", now=now)
    step.route_thrown(session, instance, thrown, actor="scheduler", now=now)
    schedule_next_cycle(session, definition, instance, now)
    return True
