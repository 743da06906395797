"""Who may see and do what. Every query for tasks or instances on behalf of a user goes through here.

Only case roles count (``Actor.case_roles``): an administrator or a designer takes part in no case, sees no task
and may do none, whatever agency their account names. ``require_case_reader`` turns that into a 403 for the
services that read or change cases, so that a list answers "not for you" rather than an empty page."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from ..errors import Forbidden
from ..records import Actor
from ..store.models import HumanTask, PlanAction, ProcessInstance


class OfferedTask(Protocol):
    """Whom a task is offered to: a ``HumanTask`` row, or the ``TaskInfo`` record read from one."""
    @property
    def assignee(self) -> str | None: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...


def require_case_reader(actor: Actor) -> None:
    """``Forbidden`` for a user whose roles give no sight of cases (administrators and designers)."""
    if not actor.reads_cases:
        raise Forbidden("administrators and designers do not see case data or take case actions")


def may_do(actor: Actor, task: OfferedTask) -> bool:
    """A user may do a task assigned to them, or an unassigned one bound to their agency or their roles; never the
    scrutineer, who reads and challenges only."""
    if not actor.does_tasks:
        return False
    roles = actor.case_roles
    if task.assignee is not None:
        return task.assignee == actor.username
    if task.agency is not None:
        return actor.agency == task.agency and (task.role is None or task.role in roles)
    if task.role is not None:
        return task.role in roles
    return actor.has("coordinator")


def offered_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the task is one ``actor`` may do (mirrors ``may_do``)."""
    if not actor.does_tasks:
        return false()
    roles = sorted(actor.case_roles)
    by_agency = and_(HumanTask.agency == actor.agency, or_(HumanTask.role.is_(None), HumanTask.role.in_(roles))) \
        if actor.agency else false()
    unbound = and_(HumanTask.agency.is_(None), HumanTask.role.in_(roles))
    no_lane = and_(HumanTask.agency.is_(None), HumanTask.role.is_(None)) if actor.has("coordinator") else false()
    return or_(HumanTask.assignee == actor.username,
               and_(HumanTask.assignee.is_(None), or_(by_agency, unbound, no_lane)))


def visible_task(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the task is one ``actor`` may see: the partnership's for coordinators, chairs and the
    scrutineer; for anyone else the tasks offered to them, those they did, and their agency's tasks in their own
    lanes (an agency's reviewers see each other's returns; its partner's sign-offs are the partner's)."""
    if not actor.reads_cases:
        return false()
    if actor.sees_everything:
        return HumanTask.id.is_not(None)
    own = or_(offered_to(actor), HumanTask.completed_by == actor.username)
    if actor.agency:  # the agency's tasks in the actor's own lanes: a reviewer never reads their partner's sign-off
        own = or_(own, and_(HumanTask.agency == actor.agency,
                            or_(HumanTask.role.is_(None), HumanTask.role.in_(sorted(actor.case_roles)))))
    return own


def may_see_task(actor: Actor, task: HumanTask) -> bool:
    if not actor.reads_cases:
        return False
    if actor.sees_everything or may_do(actor, task) or task.completed_by == actor.username:
        return True
    return actor.agency is not None and task.agency == actor.agency and \
        (task.role is None or task.role in actor.case_roles)


def visible_instance(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the instance is one ``actor`` takes part in (or any, for coordinators and chairs)."""
    if not actor.reads_cases:
        return false()
    if actor.sees_everything:
        return ProcessInstance.id.is_not(None)
    takes_part = exists(select(HumanTask.id).where(HumanTask.instance_id == ProcessInstance.id,
                                                   visible_task(actor)))
    # an action plan's work is done in its parts (the monitored actions), and the register shows an agency its own
    # actions: either makes the plan one the actor takes part in
    part = aliased(ProcessInstance)
    in_a_part = exists(select(HumanTask.id).join(part, part.id == HumanTask.instance_id)
                       .where(part.parent_id == ProcessInstance.id, visible_task(actor)))
    owns_an_action = exists(select(PlanAction.id).where(
        PlanAction.plan_id == ProcessInstance.id,
        or_(PlanAction.owner == actor.username,
            PlanAction.agency == actor.agency if actor.agency is not None else false())))
    return or_(ProcessInstance.started_by == actor.username, takes_part, in_a_part, owns_an_action)
