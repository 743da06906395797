"""Cases that are parts of another case (``process_instance.parent_id``): an action plan's monitored actions. Each
action is monitored by a chain of ``action_item`` instances (one per update period), so they are never rows of the
case lists: the list shows them under their plan ("3 actions, 1 overdue"), and the plan's page lists its actions.
Their open tasks still reach the people who do them (My tasks)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..records import Actor
from ..states import InstanceStatus, TaskState
from ..store.models import HumanTask, ProcessInstance
from . import access


@dataclass(frozen=True)
class GroupSummary:
    """What is open under a case: how many members (actions, counted once however many periods they ran), how
    many of them are overdue, and their soonest deadline."""

    open: int
    overdue: int
    next_due_at: datetime | None


def is_part() -> ColumnElement[bool]:
    """SQL condition: the case is a part of another (an action plan's monitored action)."""
    return ProcessInstance.parent_id.is_not(None)


def not_part() -> ColumnElement[bool]:
    """SQL condition: the case is a case of its own, as every list shows them."""
    return ProcessInstance.parent_id.is_(None)


def has_active_members() -> ColumnElement[bool]:
    """SQL condition: an active part belongs to this case (its actions still run)."""
    member = aliased(ProcessInstance)
    return exists(select(member.id).where(member.parent_id == ProcessInstance.id,
                                          member.status == InstanceStatus.ACTIVE))


def summaries(session: Session, parent_ids: Iterable[str], now: datetime) -> dict[str, GroupSummary]:
    """The open parts of each of ``parent_ids`` that has any (one query)."""
    ids = list(parent_ids)
    if not ids:
        return {}
    members = session.execute(
        select(ProcessInstance.parent_id, ProcessInstance.business_key, HumanTask.due_at)
        .outerjoin(HumanTask, and_(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == TaskState.READY))
        .where(ProcessInstance.parent_id.in_(ids), ProcessInstance.status == InstanceStatus.ACTIVE)).all()
    by_parent: dict[str, dict[str, list[datetime]]] = {}
    for parent_id, key, due_at in members:
        assert parent_id is not None  # the query reads parts only
        by_parent.setdefault(parent_id, {}).setdefault(key, []).extend([due_at] if due_at else [])
    found = {}
    for parent_id, actions in by_parent.items():
        dues = [d for ds in actions.values() for d in ds]
        found[parent_id] = GroupSummary(open=len(actions), overdue=sum(any(d < now for d in ds)
                                                                       for ds in actions.values()),
                                        next_due_at=min(dues) if dues else None)
    return found


def members_next_due(session: Session, conditions: list) -> dict[str, datetime]:
    """The soonest deadline of the open parts of each case that meets ``conditions`` (conditions on
    ``ProcessInstance``, as the dashboard's), so a plan with an overdue action sorts with overdue cases."""
    member = aliased(ProcessInstance)
    rows = session.execute(
        select(ProcessInstance.id, func.min(HumanTask.due_at))
        .join(member, and_(member.parent_id == ProcessInstance.id, member.status == InstanceStatus.ACTIVE))
        .join(HumanTask, and_(HumanTask.instance_id == member.id, HumanTask.state == TaskState.READY,
                              HumanTask.due_at.is_not(None)))
        .where(*conditions).group_by(ProcessInstance.id))
    return {parent_id: due_at for parent_id, due_at in rows if due_at is not None}


@dataclass(frozen=True)
class PartOf:
    """The case a part belongs to, as its pages name it: its business key and title, and whether the viewer may
    open it (an agency lead doing an action's update does not see the whole plan)."""

    id: str
    business_key: str
    title: str
    visible: bool


def part_of(session: Session, instance_id: str, actor: Actor) -> PartOf | None:
    """The case ``instance_id`` is a part of, or None when it is a case of its own."""
    parent = aliased(ProcessInstance)
    row = session.execute(select(parent.id, parent.business_key, parent.title)
                          .join(ProcessInstance, ProcessInstance.parent_id == parent.id)
                          .where(ProcessInstance.id == instance_id)).first()
    if row is None:
        return None
    visible = session.scalar(select(ProcessInstance.id).where(ProcessInstance.id == row.id,
                                                              access.visible_instance(actor))) is not None
    return PartOf(row.id, row.business_key, row.title, visible)
