"""Starting, cancelling, withdrawing and retrying process instances."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import events, text
from ..bundles import definitions
from ..errors import Conflict, Forbidden, InvalidData
from ..records import Actor
from ..spiff.adapter import Facts, Workflow
from ..states import FINISHED_STATUSES, InstanceStatus, TaskState
from ..store import audit
from ..store.models import AuditEvent, Comment, HumanTask, MessageSubscription, ProcessInstance
from . import business_keys, launch, recurring, runtime, step

DEFAULT_START_ROLES = ("coordinator",)
WITHDRAWN_REASON = "withdrawn by the person who started it"
# Audited actions that only read a case: another person viewing or downloading does not make it theirs too.
READ_ACTIONS = ("instance.viewed", "task.viewed", "document.downloaded", "instance.access_reported",
                "definition.downloaded")
NOT_PEOPLE = ("scheduler",)  # the actor of the sweep's timers and recurring starts


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
    if instance.parent_id is not None:  # its case would wait for it for ever
        raise Conflict("this is a part of another case (an action of a plan): withdraw the action at its board "
                       "challenge, or cancel the plan")
    cancelled = _cancel(session, instance, reason.strip(), actor=actor, now=now)
    for part in session.scalars(select(ProcessInstance).where(ProcessInstance.parent_id == instance.id,
                                                              ProcessInstance.status == InstanceStatus.ACTIVE)):
        _cancel(session, part, reason.strip(), actor=actor, now=now)  # a cancelled plan's actions stop too
    return cancelled


def withdraw_instance(session: Session, instance_id: str, *, actor: Actor, now: datetime) -> ProcessInstance:
    """Cancel a case its starter no longer wants (started by mistake, or twice), with the reason
    ``WITHDRAWN_REASON``. Only the starter may, and only while the case is theirs alone (``touched_by_others``);
    once anyone else has worked on it, cancelling is a coordinator's decision with a reason of their own. The case
    row and its audit trail stay, as with every cancel."""
    instance = runtime.get_instance_row(session, instance_id)
    refusal = withdraw_refusal(session, instance, actor)
    if refusal is not None:
        raise refusal
    return _cancel(session, instance, WITHDRAWN_REASON, actor=actor, now=now, withdrawn=True)


def may_withdraw(session: Session, instance_id: str, actor: Actor) -> bool:
    """Whether ``actor`` may withdraw the case: for the pages' "Withdraw this case" link."""
    return withdraw_refusal(session, runtime.get_instance_row(session, instance_id), actor) is None


def withdraw_refusal(session: Session, instance: ProcessInstance, actor: Actor) -> Forbidden | Conflict | None:
    """Why ``actor`` may not withdraw ``instance`` (the error to raise), or None when they may."""
    if not instance.started_by or instance.started_by != actor.username or not started_by_hand(instance):
        return Forbidden("only the person who started a case may withdraw it")
    if instance.status in FINISHED_STATUSES:
        return Conflict(f"the case is already {instance.status}")
    if touched_by_others(session, instance):
        return Conflict("someone else has worked on this case, so only a coordinator can cancel it")
    return None


def started_by_hand(instance: ProcessInstance) -> bool:
    """Whether a person started the case themselves (``start_instance``, which names them ``process_initiator``),
    rather than a step of theirs in another case sending the message that started it: the chair who approves a
    board plan is recorded as the action plan's starter, but did not choose to start it and may not withdraw it."""
    return (instance.data or {}).get("process_initiator") == instance.started_by


def touched_by_others(session: Session, instance: ProcessInstance) -> bool:
    """Whether a person other than the starter has touched the case: completed, claimed or drafted one of its
    tasks, had one assigned to them, commented, or taken any other audited action on it (assigned, extended,
    chased, paused, uploaded, sent it a message...). Reading it (views, downloads, access reports) is not touching
    it, and neither is the scheduler firing its timers."""
    me = instance.started_by
    others_task = select(HumanTask.id).where(HumanTask.instance_id == instance.id, or_(
        HumanTask.completed_by.is_not(None) & (HumanTask.completed_by != me),
        HumanTask.claimed_at.is_not(None) & (HumanTask.assignee != me)))
    others_comment = select(Comment.id).where(Comment.instance_id == instance.id, Comment.author != me)
    audit.write_pending(session)
    others_event = select(AuditEvent.id).where(
        AuditEvent.instance_id == instance.id, AuditEvent.actor.is_not(None), AuditEvent.actor != me,
        AuditEvent.actor.not_in(NOT_PEOPLE), AuditEvent.action.not_in(READ_ACTIONS))
    return any(session.scalar(query.limit(1)) is not None for query in (others_task, others_comment, others_event))


def _cancel(session: Session, instance: ProcessInstance, reason: str, *, actor: Actor, now: datetime,
            withdrawn: bool = False) -> ProcessInstance:
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
    details: dict[str, Any] = {"withdrawn": True} if withdrawn else {}
    audit.record(session, "instance.cancelled", actor=actor.username, now=now, instance_id=instance.id,
                 note=reason, **details)
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
