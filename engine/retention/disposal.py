"""Disposal of a case past its retention date: its personal data is erased, a statistics record and the audit
trail are kept, and the disposal itself is audited.

Erased: the case's data and workflow state, its title and pseudonym (the title becomes "Disposed case"), any
error text; every task's view of the data, answers, draft and instructions; comments; the notes people wrote
(reasons, chaser messages); the subjects and bodies of its notifications (unsent e-mails are not sent); its
message subscriptions and due items; the keyed hashes that matched its child to further referrals
(``child_match_key``); its documents. Kept: the business key, process, version, dates, status,
task names and who did what (staff, not the family), legal holds without their words, the statistics record
(``case_statistics``: the outcome codes the bundle names, copied before erasure) and the audit trail, which
never held personal values.

A coordinator confirms by typing the case's business key. A held case is refused with its hold (409
``case_held``), as is a case not yet past its date or still running."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .. import workdays
from ..bundles.retention_policy import RetentionPolicy
from ..cases import child_match, runtime
from ..documents import erasure
from ..errors import Conflict, InvalidData
from ..records import Actor
from ..states import FINISHED_STATUSES, DueKind
from ..store import audit
from ..store.models import (
    CaseNote,
    CaseStatistics,
    Comment,
    DueItem,
    HumanTask,
    MessageSubscription,
    Notification,
    ProcessInstance,
)
from ..views import paths as view_paths
from . import holds, schedule

DISPOSED_TITLE = "Disposed case"
MAX_CODE = 64  # a kept string longer than this is free text, not an outcome code, and is dropped
_UNSENT = ("pending", "held")  # notifications.states: e-mail not sent yet (the engine does not import that room)


@dataclass(frozen=True)
class DisposalResult:
    instance_id: str
    business_key: str
    process_key: str
    version: int
    disposed_at: datetime
    outcomes: dict[str, Any]
    erased: dict[str, int]  # what was erased, by kind: tasks, comments, notes, notifications, ...


def dispose_case(session: Session, instance_id: str, confirmation: str, *, actor: Actor,
                 now: datetime) -> DisposalResult:
    holds.require_coordinator(actor, "disposing of a case")
    instance = holds.lock_instance(session, instance_id)
    policy = _disposable(session, instance, now)
    if (confirmation or "").strip() != instance.business_key:
        raise InvalidData("type the case's business key to confirm", [
            {"field": "business_key", "message": f"type {instance.business_key} to confirm"}])
    outcomes = kept_outcomes(instance.data or {}, policy)
    session.add(CaseStatistics(instance_id=instance.id, process_key=instance.process_key,
                               version=instance.definition.version, status=instance.status,
                               created_at=instance.created_at, completed_at=instance.completed_at,
                               outcomes=outcomes, disposed_at=now, disposed_by=actor.username))
    erased = _erase(session, instance, now)
    erased["documents"] = erasure.erase_case_documents(session, instance.id, actor=actor, now=now)
    audit.record(session, "instance.disposed", actor=actor.username, now=now, instance_id=instance.id,
                 process_key=instance.process_key, version=instance.definition.version,
                 kept=sorted(outcomes), erased=erased)
    runtime.flush_or_conflict(session)
    return DisposalResult(instance.id, instance.business_key, instance.process_key, instance.definition.version,
                          now, outcomes, erased)


def _disposable(session: Session, instance: ProcessInstance, now: datetime) -> RetentionPolicy:
    """The case's policy, when it may be disposed of now; otherwise the 409 that says why not."""
    info = schedule.retention_of(session, instance)
    if info.disposed_at is not None:
        raise Conflict(f"the case was already disposed of on {_words(info.disposed_at)}")
    if info.hold is not None:
        raise holds.CaseHeld(f"the case is under {info.hold.in_words()}; it cannot be disposed of until the hold "
                             "is lifted", {"hold": {"kind": info.hold.kind, "reason": info.hold.reason,
                                                     "placed_by": info.hold.placed_by,
                                                     "placed_at": info.hold.placed_at.isoformat()}})
    if info.policy is None:
        raise Conflict(f"the process {instance.process_key!r} (version {instance.definition.version}) declares no "
                       "retention period")
    if instance.status not in FINISHED_STATUSES:
        raise Conflict(f"the case is {instance.status}; only a completed or cancelled case can be disposed of")
    if info.retention_date is None or info.retention_date > now:
        raise Conflict("the case is not due for disposal until "
                       f"{_words(info.retention_date) if info.retention_date else 'it ends'}")
    return info.policy


def kept_outcomes(data: dict[str, Any], policy: RetentionPolicy) -> dict[str, Any]:
    """The outcome codes the policy names, in their shape, keeping only codes: numbers, yes/no, and strings of at
    most ``MAX_CODE`` characters on one line (a longer one is free text, whatever the bundle says)."""
    kept = _codes_only(view_paths.project(data, policy.statistics))
    return kept if isinstance(kept, dict) else {}


def _codes_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in ((k, _codes_only(v)) for k, v in value.items()) if v is not _DROPPED}
    if isinstance(value, list):
        return [v for v in (_codes_only(item) for item in value) if v is not _DROPPED]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str) and len(value) <= MAX_CODE and value.isprintable():
        return value
    return _DROPPED


_DROPPED = object()


def _erase(session: Session, instance: ProcessInstance, now: datetime) -> dict[str, int]:
    """Erase the case's personal data (see the module's docstring); how many rows of each kind were touched."""
    runtime.WORKFLOWS.take(instance.id, instance.revision)  # drop a cached copy of the workflow and its data
    instance.data, instance.state, instance.error = {}, "", None
    instance.title, instance.pseudonym, instance.updated_at = DISPOSED_TITLE, None, now
    runtime.flush_or_conflict(session)
    task_ids = select(HumanTask.id).where(HumanTask.instance_id == instance.id)
    of_case = (Notification.instance_id == instance.id) | Notification.task_id.in_(task_ids)
    counts = {
        "tasks": _count(session, update(HumanTask).where(HumanTask.instance_id == instance.id)
                        .values(data={}, answers=None, draft=None, instructions=None)),
        "comments": _count(session, delete(Comment).where(Comment.instance_id == instance.id)),
        "notes": _count(session, delete(CaseNote).where(CaseNote.instance_id == instance.id)),
        "notifications": _count(session, update(Notification).where(of_case)
                                .values(subject=DISPOSED_TITLE, body="", body_html=None)),
        "message_subscriptions": _count(session, delete(MessageSubscription)
                                        .where(MessageSubscription.instance_id == instance.id)),
        "due_items": _count(session, delete(DueItem).where(DueItem.instance_id == instance.id,
                                                           DueItem.kind != DueKind.PROCESS_START)),
        "child_keys": child_match.erase_keys(session, instance.id),
    }
    session.execute(update(Notification).where(of_case, Notification.state.in_(_UNSENT))
                    .values(state="failed", next_attempt_at=None, last_error="the case was disposed of before this "
                                                                             "was sent"))
    return counts


def _count(session: Session, statement: Any) -> int:
    result: Any = session.execute(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount or 0)


def _words(moment: datetime) -> str:
    day = workdays.london_date(moment)
    return f"{day.day} {day:%B %Y}"
