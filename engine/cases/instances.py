"""Starting, cancelling and retrying process instances."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events, text
from ..bundles import definitions
from ..errors import Conflict, Forbidden, InvalidData
from ..records import Actor
from ..spiff.adapter import Facts, Workflow
from ..states import FINISHED_STATUSES, InstanceStatus, TaskState
from ..store import audit
from ..store.models import HumanTask, MessageSubscription, ProcessInstance
from . import business_keys, launch, recurring, runtime, step

DEFAULT_START_ROLES = ("coordinator",)


def start_instance(session: Session, process_key: str, *, data: dict[str, Any] | None = None,
                   business_key: str | None = None, actor: Actor, now: datetime) -> ProcessInstance:
    definition = definitions.latest(session, process_key)
    allowed = definition.model.get("start_roles") or DEFAULT_START_ROLES
    if not actor.case_roles.intersection(allowed):  # never an administrator's or designer's (SPEC §1)
        raise Forbidden(f"starting {process_key!r} needs one of the roles {', '.join(allowed)}")
    if data is not None and not isinstance(data, dict):
        raise InvalidData("data must be an object", [{"field": "data", "message": "must be an object"}])
    data = {**(data or {}), "process_initiator": actor.username}
    key = text.one_line(business_key or "")[:business_keys.MAX_LENGTH]
    if key:
        business_keys.refuse_taken(session, key)
    instance, thrown = launch.launch_instance(session, definition, definition.primary_process_id, data=data,
                                              business_key=business_key, actor=actor.username, now=now)
    step.route_thrown(session, instance, thrown, actor=actor.username, now=now)
    recurring.schedule_next_cycle(session, definition, instance, now)
    return instance


def cancel_instance(session: Session, instance_id: str, reason: str, *, actor: Actor, now: datetime) -> ProcessInstance:
    if not actor.has("coordinator"):
        raise Forbidden("cancelling a case needs the coordinator role")
    if not (reason or "").strip():
        raise InvalidData("a reason is required", [{"field": "reason", "message": "is required"}])
    instance = runtime.get_instance_row(session, instance_id)
    if instance.status in FINISHED_STATUSES:
        raise Conflict(f"the case is already {instance.status}")
    flow = runtime.load(session, instance)
    flow.cancel()
    instance.status, instance.completed_at = InstanceStatus.CANCELLED, now
    instance.state, instance.updated_at = flow.dump(), now
    runtime.flush_or_conflict(session)  # the case's row first, as in every step
    for task in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                        HumanTask.state == TaskState.READY)):
        task.state, task.completed_at = TaskState.CANCELLED, now
        events.publish(session, events.TaskClosed(task.id, instance.id, TaskState.CANCELLED), now)
    runtime.close_due_items(session, instance.id)
    session.query(MessageSubscription).filter(MessageSubscription.instance_id == instance.id).delete()
    audit.record(session, "instance.cancelled", actor=actor.username, now=now, instance_id=instance.id,
                 note=reason.strip())
    runtime.flush_or_conflict(session)
    return instance


def retry_instance(session: Session, instance_id: str, *, actor: Actor, now: datetime,
                   data: dict[str, Any] | None = None) -> ProcessInstance:
    """Run the failed step again. ``data`` supplies or corrects case variables for that step first, when
    the cause was in the case's data rather than outside it."""
    if not actor.has("coordinator"):
        raise Forbidden("retrying a case needs the coordinator role")
    if data is not None and not isinstance(data, dict):
        raise InvalidData("data must be an object", [{"field": "data", "message": "must be an object"}])
    instance = runtime.get_instance_row(session, instance_id)
    if instance.status != InstanceStatus.ERROR:
        raise Conflict("only a case in error can be retried")

    def retry(flow: Workflow) -> Facts:
        facts = flow.retry(data or None)
        audit.record(session, "instance.retried", actor=actor.username, now=now, instance_id=instance.id,
                     fields=sorted(data or {}))
        return facts

    step.take_step(session, instance, retry, actor=actor.username, now=now)
    return instance
