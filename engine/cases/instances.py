"""Starting, cancelling and retrying process instances."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import audit
from . import business_keys, messages, recurring, runtime
from ..bundles import definitions
from .. import events, text
from ..errors import Conflict, Forbidden, InvalidData
from ..store.db import step_settings
from ..store.models import HumanTask, MessageSubscription, ProcessDefinition, ProcessInstance
from ..records import Actor
from ..spiff.adapter import Workflow

DEFAULT_START_ROLES = ("coordinator",)


def start_instance(session: Session, process_key: str, *, data: dict[str, Any] | None = None,
                   business_key: str | None = None, actor: Actor, now: datetime) -> ProcessInstance:
    definition = definitions.latest(session, process_key)
    allowed = definition.model.get("start_roles") or DEFAULT_START_ROLES
    if not actor.has(*allowed, "admin"):
        raise Forbidden(f"starting {process_key!r} needs one of the roles {', '.join(allowed)}")
    if data is not None and not isinstance(data, dict):
        raise InvalidData("data must be an object", [{"field": "data", "message": "must be an object"}])
    data = {**(data or {}), "process_initiator": actor.username}
    key = text.one_line(business_key or "")[:business_keys.MAX_LENGTH]
    if key:
        business_keys.refuse_taken(session, key)
    instance = create_instance(session, definition, definition.primary_process_id, data=data,
                               business_key=business_key, actor=actor.username, now=now)
    recurring.schedule_next_cycle(session, definition, instance, now)
    return instance


def create_instance(session: Session, definition: ProcessDefinition, process_id: str, *, data: dict[str, Any],
                    business_key: str | None, actor: str | None, now: datetime,
                    first_message: messages.Message | None = None, depth: int = 0,
                    shares_key: bool = False) -> ProcessInstance:
    """Create and run an instance up to its first wait; ``first_message`` feeds a message start event. The
    business key (given, or the next generated one) is claimed for it, unless it ``shares_key`` with the cases
    whose work it continues (a message start whose payload names the key)."""
    specs = runtime.specs_for(session, definition)
    flow, facts = Workflow.start(specs, process_id, data, step_settings(session),
                                 message=first_message.as_thrown() if first_message is not None else None)
    instance = ProcessInstance(
        definition=definition, definition_id=definition.id, process_key=definition.key, process_id=process_id,
        business_key=(text.one_line(business_key or "")[:business_keys.MAX_LENGTH]
                      or business_keys.next_business_key(session, definition.key, now)),
        title=definition.name, status="active", started_by=actor, created_at=now, updated_at=now,
        data={}, state="",
    )
    instance.title = f"{definition.name} {instance.business_key}"
    session.add(instance)
    session.flush()
    if not (shares_key and business_key):
        business_keys.claim(session, instance.business_key, instance.id)
    audit.record(session, "instance.started", actor=actor, now=now, instance_id=instance.id,
                 process_key=definition.key, version=definition.version, business_key=instance.business_key)
    runtime.save(session, instance, flow, facts, actor=actor, now=now)
    messages.route_thrown(session, instance, facts.thrown, actor=actor, now=now, depth=depth)
    return instance


def cancel_instance(session: Session, instance_id: str, reason: str, *, actor: Actor, now: datetime) -> ProcessInstance:
    if not actor.has("coordinator", "admin"):
        raise Forbidden("cancelling a case needs the coordinator role")
    if not (reason or "").strip():
        raise InvalidData("a reason is required", [{"field": "reason", "message": "is required"}])
    instance = runtime.get_instance_row(session, instance_id)
    if instance.status in ("completed", "cancelled"):
        raise Conflict(f"the case is already {instance.status}")
    flow = runtime.load(session, instance)
    flow.cancel()
    instance.status, instance.completed_at = "cancelled", now
    instance.state, instance.updated_at = flow.dump(), now
    runtime.flush_or_conflict(session)  # the case's row first, as in every step
    for task in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                        HumanTask.state == "ready")):
        task.state, task.completed_at = "cancelled", now
        events.publish(session, events.TaskClosed(task.id, instance.id, "cancelled"), now)
    runtime.close_due_items(session, instance.id)
    session.query(MessageSubscription).filter(MessageSubscription.instance_id == instance.id).delete()
    audit.record(session, "instance.cancelled", actor=actor.username, now=now, instance_id=instance.id,
                 reason=reason.strip())
    runtime.flush_or_conflict(session)
    return instance


def retry_instance(session: Session, instance_id: str, *, actor: Actor, now: datetime,
                   data: dict[str, Any] | None = None) -> ProcessInstance:
    """Run the failed step again. ``data`` supplies or corrects case variables for that step first, when
    the cause was in the case's data rather than outside it."""
    if not actor.has("coordinator", "admin"):
        raise Forbidden("retrying a case needs the coordinator role")
    if data is not None and not isinstance(data, dict):
        raise InvalidData("data must be an object", [{"field": "data", "message": "must be an object"}])
    instance = runtime.get_instance_row(session, instance_id)
    if instance.status != "error":
        raise Conflict("only a case in error can be retried")
    flow = runtime.load(session, instance)
    facts = flow.retry(data or None)
    audit.record(session, "instance.retried", actor=actor.username, now=now, instance_id=instance.id,
                 fields=sorted(data or {}))
    runtime.save(session, instance, flow, facts, actor=actor.username, now=now)
    messages.route_thrown(session, instance, facts.thrown, actor=actor.username, now=now)
    runtime.flush_or_conflict(session)
    return instance
