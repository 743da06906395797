"""Cases that belong under another case on the lists: an action plan's action items. Each action is monitored by a
chain of ``action_item`` cases (one per update period), so listing them beside the cases would bury the cases;
the dashboard shows them under their plan ("3 actions, 1 overdue") and lists them as rows only when asked. A
grouped case and the case it belongs under are of one bundle and hold the same value of one variable."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..states import InstanceStatus, TaskState
from ..store.models import HumanTask, ProcessInstance

GROUPED = {"action_item": "plan_ref"}  # process id -> the variable it shares with the case it belongs under


@dataclass(frozen=True)
class GroupSummary:
    """What is open under a case: how many members (actions, counted once however many periods they ran), how
    many of them are overdue, and their soonest deadline."""

    open: int
    overdue: int
    next_due_at: datetime | None


def grouped() -> ColumnElement[bool]:
    """SQL condition: the case belongs under another (an action item)."""
    return ProcessInstance.process_id.in_(list(GROUPED))


def _shared(model: type[ProcessInstance] | ProcessInstance, variable: str) -> ColumnElement[str]:
    shared: ColumnElement[str] = model.data[variable].as_string()
    return shared


def members_of(parent_id: str) -> ColumnElement[bool]:
    """SQL condition: the case belongs under the case ``parent_id``."""
    parent = aliased(ProcessInstance)
    return or_(*(and_(ProcessInstance.process_id == process_id,
                      ProcessInstance.process_key == select(parent.process_key).where(parent.id == parent_id)
                      .scalar_subquery(),
                      _shared(ProcessInstance, variable) == select(_shared(parent, variable))
                      .where(parent.id == parent_id).scalar_subquery())
                 for process_id, variable in GROUPED.items()))


def has_active_members() -> ColumnElement[bool]:
    """SQL condition: an active case belongs under this one (a completed plan whose actions still run)."""
    member = aliased(ProcessInstance)
    return or_(false(), *(exists(select(member.id).where(
        member.process_id == process_id, member.process_key == ProcessInstance.process_key,
        member.status == InstanceStatus.ACTIVE, _shared(member, variable) == _shared(ProcessInstance, variable)))
        for process_id, variable in GROUPED.items()))


def summaries(session: Session, parent_ids: Iterable[str], now: datetime) -> dict[str, GroupSummary]:
    """The open members of each of ``parent_ids`` that has any."""
    found: dict[str, GroupSummary] = {}
    for process_id, variable in GROUPED.items():
        parents = dict(session.execute(select(_shared(ProcessInstance, variable), ProcessInstance.id).where(
            ProcessInstance.id.in_(list(parent_ids)), ProcessInstance.process_id.not_in(list(GROUPED)),
            _shared(ProcessInstance, variable).is_not(None))).all())
        if not parents:
            continue
        members = session.execute(
            select(_shared(ProcessInstance, variable), ProcessInstance.business_key, HumanTask.due_at)
            .outerjoin(HumanTask, and_(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == TaskState.READY))
            .where(ProcessInstance.process_id == process_id, ProcessInstance.status == InstanceStatus.ACTIVE,
                   _shared(ProcessInstance, variable).in_(list(parents)))).all()
        by_parent: dict[str, dict[str, list[datetime]]] = {}
        for shared, key, due_at in members:
            by_parent.setdefault(parents[shared], {}).setdefault(key, []).extend([due_at] if due_at else [])
        for parent_id, actions in by_parent.items():
            dues = [d for ds in actions.values() for d in ds]
            found[parent_id] = GroupSummary(open=len(actions), overdue=sum(any(d < now for d in ds)
                                                                           for ds in actions.values()),
                                            next_due_at=min(dues) if dues else None)
    return found


def members_next_due(session: Session, conditions: list) -> dict[str, datetime]:
    """The soonest deadline of the open members of each case that meets ``conditions`` (conditions on
    ``ProcessInstance``, as the dashboard's), so a plan with an overdue action sorts with overdue cases."""
    found: dict[str, datetime] = {}
    for process_id, variable in GROUPED.items():
        member = aliased(ProcessInstance)
        rows = session.execute(
            select(ProcessInstance.id, func.min(HumanTask.due_at))
            .join(member, and_(member.process_key == ProcessInstance.process_key, member.process_id == process_id,
                               member.status == InstanceStatus.ACTIVE,
                               _shared(member, variable) == _shared(ProcessInstance, variable)))
            .join(HumanTask, and_(HumanTask.instance_id == member.id, HumanTask.state == TaskState.READY,
                                  HumanTask.due_at.is_not(None)))
            .where(*conditions, ProcessInstance.process_id.not_in(list(GROUPED)))
            .group_by(ProcessInstance.id))
        for parent_id, due_at in rows:
            if due_at is not None:
                found[parent_id] = min(due_at, found.get(parent_id, due_at))
    return found
