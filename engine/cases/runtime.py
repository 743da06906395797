"""Loading an instance's workflow, and projecting the facts of each step into rows.

A step is: load (from a small in-memory cache keyed by the row's revision, or by restoring the stored
state), act, then ``save``: ready tasks become ``human_task`` rows, waiting timers ``due_item`` rows,
message catches ``message_subscription`` rows, and the state is written back under the optimistic lock.
"""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
from datetime import datetime
from threading import Lock
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import events, text
from ..bundles import deadlines, task_views
from ..errors import Conflict, NotFound
from ..spiff.adapter import Facts, ReadyTask, Workflow
from ..spiff.state import SpecCache
from ..states import DueKind, InstanceStatus, TaskState
from ..store import audit, row_writes
from ..store.db import bulk_execute, step_settings
from ..store.models import DueItem, HumanTask, MessageSubscription, ProcessDefinition, ProcessInstance

log = logging.getLogger(__name__)
SPECS = SpecCache()
_CACHE_SIZE = 512


class _WorkflowCache:
    """Workflows kept between steps, keyed by instance id and valid only for the exact stored revision.
    A revision is a random token written on every save, so an entry can never stand for other data."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[str, Workflow]] = OrderedDict()
        self._lock = Lock()
        self.enabled = True  # tests switch it off to restore from the stored state at every step

    def take(self, instance_id: str, revision: str) -> Workflow | None:
        with self._lock:
            found = self._items.pop(instance_id, None)
        return found[1] if found is not None and found[0] == revision else None

    def put(self, instance_id: str, revision: str, flow: Workflow) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._items[instance_id] = (revision, flow)
            while len(self._items) > _CACHE_SIZE:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


WORKFLOWS = _WorkflowCache()


def specs_for(session: Session, definition: ProcessDefinition) -> Any:
    def load_json() -> str:
        return session.execute(select(ProcessDefinition.spec_json)
                               .where(ProcessDefinition.id == definition.id)).scalar_one()
    # keyed by content too: a row id alone can name another bundle after the database is recreated
    return SPECS.get((definition.id, definition.content_hash), load_json)


def get_instance_row(session: Session, instance_id: str) -> ProcessInstance:
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"no process instance {instance_id!r}")
    return row


def load(session: Session, instance: ProcessInstance) -> Workflow:
    """The instance's workflow, under the limits of the session's factory (a cached one only if made under them)."""
    settings = step_settings(session)
    cached = WORKFLOWS.take(instance.id, instance.revision)
    if cached is not None and cached.settings == settings:
        return cached
    specs = specs_for(session, instance.definition)
    return Workflow.restore(specs, instance.process_id, instance.state, settings)


def save(session: Session, instance: ProcessInstance, flow: Workflow, facts: Facts, *, actor: str | None,
         now: datetime, finished_task_id: str | None = None) -> list[str]:
    """Project ``facts`` into rows and store the state (of a case just started by ``actor``, or one whose
    ``finished_task_id`` they completed, or moved on by a timer or a message). Returns the ids of tasks that
    became ready."""
    with session.no_autoflush:
        # The case's row first, under its revision: every step of a case writes it before any other row, so two
        # steps of one case queue on it (the second is told to reload) instead of deadlocking on each other's.
        _update_instance(session, instance, flow, facts, actor=actor, now=now)
        created = _sync_tasks(session, instance, flow, facts.ready, actor=actor, now=now, finished=finished_task_id)
        _sync_timers(session, instance, flow, facts)
        _sync_subscriptions(session, instance, flow, facts)
    flush_or_conflict(session)
    for task_id in created:
        events.publish(session, events.TaskReady(task_id, instance.id, actor), now)
    WORKFLOWS.put(instance.id, instance.revision, flow)
    return created


def flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("the case changed while this step ran; reload and try again") from None


def _sync_tasks(session: Session, instance: ProcessInstance, flow: Workflow, ready: list[ReadyTask], *,
                actor: str | None, now: datetime, finished: str | None) -> list[str]:
    ready_ids = {t.id for t in ready}
    known = flow.synced.get("ready")  # the ready rows this workflow object left at its previous save
    existing: dict[str, HumanTask | None]
    if known is None:
        existing = {t.id: t for t in session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY))}
    else:
        existing = {task_id: session.get(HumanTask, task_id) for task_id in known - ready_ids - {finished}}
    for task_id, row in existing.items():
        if row is not None and task_id not in ready_ids and task_id != finished and row.state == TaskState.READY:
            row.state, row.completed_at = TaskState.CANCELLED, now
            audit.record(session, "task.withdrawn", actor=actor, now=now, instance_id=instance.id,
                         task_id=task_id, name=row.name)
            events.publish(session, events.TaskClosed(task_id, instance.id, TaskState.CANCELLED), now)
    new_rows = []
    views = task_views.views_of(session, instance.definition) if ready else None
    for task in ready:
        if task.id in existing or (known is not None and task.id in known):
            continue
        if known is None and session.get(HumanTask, task.id) is not None:
            continue
        new_rows.append(_new_task_row(instance, task, views, now))
        audit.record(session, "task.ready", actor=actor, now=now, instance_id=instance.id, task_id=task.id,
                     name=task.name)
    row_writes.insert_tasks(session, new_rows)
    flow.synced["ready"] = ready_ids
    return [r["id"] for r in new_rows]


def _new_task_row(instance: ProcessInstance, task: ReadyTask, views: task_views.BundleViews | None,
                  now: datetime) -> dict[str, Any]:
    """The row of a task that became ready. It keeps only the case data the task's view shows (``shows``, its
    own form's fields, the header), never the whole case."""
    props = task.properties
    lane = (task.lane or "").strip().lower() or None
    try:
        due = deadlines.due_at(props, task.data, now)
    except deadlines.DeadlineError:  # its message may quote the case's data (dueFrom's variable holds a form answer)
        log.warning("instance %s task %s: no due date: its dueIn or dueFrom could not be worked out", instance.id,
                    task.name)
        due = None
    priority = int(props["priority"]) if props.get("priority") in ("1", "2", "3", "4", "5") else 3
    assignee = _bound_value(task.data, props.get("assigneeFrom"), ("username",))
    agency = _bound_value(task.data, props.get("agencyFrom") or task.mi_item, ("agency", "key"))
    assert views is not None
    return dict(
        id=task.id, instance_id=instance.id, process_key=instance.process_key, name=task.name,
        title=task.title, state=TaskState.READY, role=lane,
        agency=agency,
        assignee=assignee, bound_to=assignee, claimed_at=None,
        priority=priority, due_at=due, statutory_due_at=due, clock_started_at=_clock_start(props, task.data, now),
        paused_days=0, form_file=props.get("formJsonSchemaFilename"),
        ui_file=props.get("formUiSchemaFilename"), instructions=task.instructions, properties=props,
        data=_jsonable(views.project(task.name, task.data, agency=agency)), draft=None, created_at=now,
        completed_at=None, completed_by=None,
    )


def _clock_start(props: dict[str, str], data: dict[str, Any], now: datetime) -> datetime | None:
    """When the task's deadline started counting (the compliance report puts a case in a period by it)."""
    try:
        return deadlines.clock_start(props, data, now)
    except deadlines.DeadlineError:
        return None


def _bound_value(data: dict[str, Any], variable: str | None, keys: tuple[str, ...]) -> str | None:
    if not variable:
        return None
    value = data.get(variable)
    if isinstance(value, dict):
        value = next((value[k] for k in keys if isinstance(value.get(k), str)), None)
    return value if isinstance(value, str) and value else None


def _sync_timers(session: Session, instance: ProcessInstance, flow: Workflow, facts: Facts) -> None:
    wanted = {(t.task_id, t.due_at) for t in facts.timers}
    if flow.synced.get("timers") == wanted:
        return  # this workflow object wrote exactly these rows at its previous save
    flow.synced["timers"] = wanted
    rows = list(session.scalars(select(DueItem).where(DueItem.instance_id == instance.id,
                                                      DueItem.kind == DueKind.TIMER, DueItem.done_at.is_(None))))
    have = {(r.task_id, r.due_at) for r in rows}
    if wanted == have:
        return
    for row in rows:
        if (row.task_id, row.due_at) not in wanted:
            session.delete(row)
    for task_id, due in wanted - have:
        session.add(DueItem(kind=DueKind.TIMER, instance_id=instance.id, task_id=task_id, due_at=due, payload={}))


def _sync_subscriptions(session: Session, instance: ProcessInstance, flow: Workflow, facts: Facts) -> None:
    wanted = sorted((w.message_name, _jsonable(w.correlation)) for w in facts.waits)
    if flow.synced.get("subscriptions") == wanted:
        return
    flow.synced["subscriptions"] = wanted
    rows = list(session.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == instance.id)))
    if sorted((r.message_name, r.correlation) for r in rows) == wanted:
        return
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == instance.id))
    for name, correlation in wanted:
        session.add(MessageSubscription(instance_id=instance.id, message_name=name, correlation=correlation))


def _update_instance(session: Session, instance: ProcessInstance, flow: Workflow, facts: Facts, *,
                     actor: str | None, now: datetime) -> None:
    values: dict[str, Any] = {"state": flow.dump(), "data": _jsonable(facts.data), "updated_at": now}
    for name, column, length in (("case_title", "title", 300), ("pseudonym", "pseudonym", 100)):
        value = facts.data.get(name)
        line = text.one_line(value) if isinstance(value, str) else ""  # whatever set it: a form, a script, a message
        if line:
            values[column] = text.shorten(line, length)
    if instance.status != InstanceStatus.CANCELLED:
        values.update(_status_values(session, instance, facts, actor=actor, now=now))
    values.update(executed_values(instance, flow, facts))
    row_writes.update_instance(session, instance, values)
    if values.get("status") == InstanceStatus.COMPLETED:
        close_due_items(session, instance.id)


MAX_EXECUTED = 2000  # element ids kept per case: more than any diagram LIF deploys has elements


def executed_values(instance: ProcessInstance, flow: Workflow, facts: Facts) -> dict[str, Any]:
    """The case's ``executed_elements`` with what this step ran, when that adds any: a set of ids, so it stays as
    small as the diagram however long the case runs. The workflow object remembers the set it last wrote, so only
    a restored one reads the row's."""
    known: set[str] | None = flow.synced.get("executed")
    if known is None:
        known = set(instance.executed_elements or ())
        flow.synced["executed"] = known
    if facts.executed <= known or len(known) >= MAX_EXECUTED:
        return {}
    known |= set(sorted(facts.executed - known)[:MAX_EXECUTED - len(known)])
    return {"executed_elements": sorted(known)}


def _status_values(session: Session, instance: ProcessInstance, facts: Facts, *, actor: str | None,
                   now: datetime) -> dict[str, Any]:
    if facts.error is not None:
        if instance.status != InstanceStatus.ERROR:
            # the message can quote the case's data (a script's ValueError does): a note of the case, not a detail
            audit.record(session, "instance.error", actor=actor, now=now, instance_id=instance.id,
                         task_id=facts.error.task_id, task_name=facts.error.task_name, line=facts.error.line,
                         note=facts.error.message)
        return {"status": InstanceStatus.ERROR, "error": facts.error.as_dict()}
    if facts.completed:
        audit.record(session, "instance.completed", actor=actor, now=now, instance_id=instance.id)
        return {"status": InstanceStatus.COMPLETED, "error": None, "completed_at": now}
    return {"status": InstanceStatus.ACTIVE, "error": None}


_CLOSE_DUE_ITEMS = delete(DueItem).where(DueItem.instance_id == bindparam("instance_id"), DueItem.done_at.is_(None),
                                          DueItem.kind != DueKind.PROCESS_START)


def close_due_items(session: Session, instance_id: str) -> None:
    """Drop a finished case's open timers and reminders; a scheduled next cycle (``process_start``) stays."""
    bulk_execute(session, _CLOSE_DUE_ITEMS, {"instance_id": instance_id})


def _jsonable(value: Any) -> Any:
    """Task data as plain JSON (dates become ISO strings), so rows never hold engine objects."""
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, datetime) or hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
