"""Changing an open action plan: adding actions to it (a later audit's new recommendation) and re-planning one action
(a new target date, with a reason). Coordinators only; each change is a step of the case it changes, audited.

Adding delivers ``actions_added`` to the plan, which waits for it from its agreement to its closure (at its
sign-off too: the sign-off is withdrawn and the plan monitors again): the plan numbers the new actions on from its
last and raises their monitored items, as it raised the first ones. Re-planning is a step
of the action's running item that sets its ``action``: an item waits for a timer, a progress update, a board
challenge or a sign-off, and a message would reach it only where its diagram waits for one, so the step sets the
data wherever it stands; the next progress update, the board challenge and the register all read the new date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import text, workdays
from ..bundles import task_views
from ..cases import step
from ..cases.correlation import Message
from ..errors import Conflict, Forbidden, InvalidData, NotFound
from ..people import accounts
from ..records import Actor
from ..registers.records import CLOSED_STATUSES, ActionEntry
from ..states import InstanceStatus, TaskState
from ..store import audit
from ..store.models import HumanTask, MessageSubscription, PlanAction, ProcessInstance

ADDED = "actions_added"
MOST_ADDED = 50  # actions in one request: more than any recommendation list
MOST_REASONS = 10  # re-plan reasons an action keeps (the register counts every re-plan)
_TEXTS = {"recommendation": (2, 2000), "action": (5, 2000), "measure": (5, 2000), "expected_outcome": (0, 2000)}
SIGNERS = ("coordinator", "chair")


@dataclass(frozen=True)
class AddedActions:
    plan_id: str
    action_keys: tuple[str, ...]


def add_actions(session: Session, plan_id: str, actions: Any, *, actor: Actor, now: datetime) -> AddedActions:
    """Add ``actions`` (dicts with recommendation, action, measure, owner, agency, due_date and optionally
    expected_outcome and sign_off_by) to the open plan ``plan_id``; the keys the plan gave them."""
    require_coordinator(actor)
    plan = _plan_row(session, plan_id)
    cleaned = checked_actions(session, actions, now)
    _require_waiting(session, plan)
    ref = plan.data["plan_ref"]
    before = len(plan.data.get("actions") or [])
    delivered = step.deliver(session, Message(ADDED, {"plan_ref": ref, "actions": cleaned}, {"plan_ref": ref}),
                             actor=actor.username, now=now, source_id=None)
    if plan.id not in delivered or plan.status != InstanceStatus.ACTIVE:  # refused, or its step failed: undo
        raise Conflict("the plan could not take the new actions; reload it and try again")
    keys = tuple(a["action_key"] for a in (plan.data.get("actions") or [])[before:])
    audit.record(session, "plan.actions_added", actor=actor.username, now=now, instance_id=plan.id,
                 action_keys=list(keys))
    return AddedActions(plan.id, keys)


def replan_action(session: Session, action_key: str, due_date: Any, reason: Any, *, actor: Actor,
                  now: datetime) -> ActionEntry:
    """Give the open action ``action_key`` a new target date for ``reason``: its first target date is kept, its
    re-plans are counted and its last reasons kept. The register's row afterwards."""
    require_coordinator(actor)
    item = _running_item(session, action_key)
    day, why = _checked_replan(due_date, reason, now)
    action = dict(item.data["action"])
    if day.isoformat() == action.get("due_date"):
        raise InvalidData("the new target date is the current one",
                          [{"field": "due_date", "message": "must differ from the current target date"}])
    entry = {"date": workdays.london_date(now).isoformat(), "due_date": day.isoformat(), "reason": why}
    action.update(due_date=day.isoformat(), original_due_date=action.get("original_due_date") or action["due_date"],
                  replans=int(action.get("replans") or 0) + 1,
                  replan_reasons=(list(action.get("replan_reasons") or []) + [entry])[-MOST_REASONS:])
    facts = step.take_step(session, item, lambda flow: flow.set_data({"action": action}), actor=actor.username,
                           now=now)
    _refresh_ready_views(session, item, facts.data)
    audit.record(session, "action.replanned", actor=actor.username, now=now, instance_id=item.id,
                 action_key=action_key, due_date=day.isoformat(), replans=action["replans"], note=why)
    session.flush()
    row = session.scalar(select(PlanAction).where(PlanAction.action_key == action_key))
    assert row is not None  # the step projected it
    return ActionEntry.of(row)


def checked_actions(session: Session, actions: Any, now: datetime) -> list[dict[str, Any]]:
    """The actions as the plan keeps them, or ``InvalidData`` naming every field at fault (``actions[0].owner``)."""
    if not isinstance(actions, list) or not actions:
        raise InvalidData("give at least one action",
                          [{"field": "actions", "message": "must list at least one action"}])
    if len(actions) > MOST_ADDED:
        raise InvalidData(f"at most {MOST_ADDED} actions at once",
                          [{"field": "actions", "message": f"must list at most {MOST_ADDED} actions"}])
    workers = {p.username for p in accounts.active_people(session) if p.does_tasks}
    agencies = set(accounts.agency_names(session))
    problems: list[dict[str, str]] = []
    cleaned = [_checked_action(a, f"actions[{i}]", workers, agencies, now, problems) for i, a in enumerate(actions)]
    if problems:
        raise InvalidData("the actions have invalid fields", problems)
    return cleaned


def _checked_action(given: Any, at: str, workers: set[str], agencies: set[str], now: datetime,
                    problems: list[dict[str, str]]) -> dict[str, Any]:
    if not isinstance(given, dict):
        problems.append({"field": at, "message": "must be an object"})
        return {}
    out: dict[str, Any] = {}
    for name, (least, most) in _TEXTS.items():
        value = given.get(name, "")
        value = value.strip() if isinstance(value, str) else None
        if value is None or len(value) < least or len(value) > most:
            problems.append({"field": f"{at}.{name}", "message": f"must be text of {least} to {most} characters"
                             if least else f"must be text of at most {most} characters"})
        out[name] = value or ""
    for name, known in (("owner", workers), ("agency", agencies)):
        if given.get(name) not in known:
            problems.append({"field": f"{at}.{name}", "message": f"must name one of the partnership's {name}s"
                             if name == "agency" else "must name a person who works on cases"})
        out[name] = given.get(name)
    day = _day(given.get("due_date"))
    if day is None or day < workdays.london_date(now):
        problems.append({"field": f"{at}.due_date", "message": "must be a date (YYYY-MM-DD), today or later"})
    out["due_date"] = day.isoformat() if day else None
    signer = given.get("sign_off_by", "coordinator")
    if signer not in SIGNERS:
        problems.append({"field": f"{at}.sign_off_by", "message": "must be coordinator or chair"})
    out["sign_off_by"] = signer
    unknown = sorted(set(given) - set(_TEXTS) - {"owner", "agency", "due_date", "sign_off_by"})
    problems += [{"field": f"{at}.{name}", "message": "is not a field of an action"} for name in unknown[:5]]
    return out


def _checked_replan(due_date: Any, reason: Any, now: datetime) -> tuple[date, str]:
    problems = []
    day = due_date if isinstance(due_date, date) and not isinstance(due_date, datetime) else _day(due_date)
    if day is None or day < workdays.london_date(now):
        problems.append({"field": "due_date", "message": "must be a date (YYYY-MM-DD), today or later"})
    why = text.one_line(reason).strip() if isinstance(reason, str) else ""
    if not 10 <= len(why) <= 2000:
        problems.append({"field": "reason", "message": "must say why, in 10 to 2000 characters"})
    if problems or day is None:
        raise InvalidData("the re-plan has invalid fields", problems)
    return day, why


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def require_coordinator(actor: Actor) -> None:
    if not actor.has("coordinator"):
        raise Forbidden("changing an action plan needs the coordinator role")


def _plan_row(session: Session, plan_id: str) -> ProcessInstance:
    plan = session.get(ProcessInstance, plan_id)
    if plan is None or plan.parent_id is not None or not isinstance((plan.data or {}).get("plan_ref"), str) \
            or "actions" not in (plan.definition.model.get("registers") or {}):
        raise NotFound(f"no action plan {plan_id!r}")
    return plan


def _require_waiting(session: Session, plan: ProcessInstance) -> None:
    """``Conflict`` unless the plan is open and waits for new actions: while actions are open, once the board said it
    is not satisfied, and at the plan's sign-off (an action added there withdraws the sign-off); not once completed,
    nor before it is agreed."""
    if plan.status != InstanceStatus.ACTIVE:
        raise Conflict(f"the plan is {plan.status}: actions can be added to an open plan only")
    waits = session.scalar(select(MessageSubscription.id).where(MessageSubscription.instance_id == plan.id,
                                                                MessageSubscription.message_name == ADDED).limit(1))
    if waits is None:
        open_steps = set(session.scalars(select(HumanTask.name).where(HumanTask.instance_id == plan.id,
                                                                      HumanTask.state == TaskState.READY)))
        if "plan_form" in open_steps:
            raise Conflict("the plan is not agreed yet: add the actions on its form")
        raise Conflict("the plan cannot take new actions now; reload it and try again")


def _running_item(session: Session, action_key: str) -> ProcessInstance:
    """The instance monitoring ``action_key`` now; ``Conflict`` once the action is closed."""
    row = session.scalar(select(PlanAction).where(PlanAction.action_key == str(action_key)[:64]))
    if row is None:
        raise NotFound(f"no action {action_key!r}")
    if row.status in CLOSED_STATUSES:
        raise Conflict(f"the action is {row.status.replace('_', ' ')}: only an open action can be re-planned")
    item = session.scalar(select(ProcessInstance).where(ProcessInstance.business_key == row.action_key,
                                                        ProcessInstance.parent_id == row.plan_id,
                                                        ProcessInstance.status == InstanceStatus.ACTIVE)
                          .order_by(ProcessInstance.created_at.desc()).limit(1))
    if item is None or not isinstance((item.data or {}).get("action"), dict):
        raise Conflict("the action is not being monitored now; reload the plan and try again")
    if item.data["action"].get("status") == "completed":
        raise Conflict("the action is completed and waits for sign-off: it cannot be re-planned")
    return item


def _refresh_ready_views(session: Session, item: ProcessInstance, data: dict[str, Any]) -> None:
    """The open tasks of the item show the new date too: a task row keeps its view of the case as it was made."""
    views = task_views.views_of(session, item.definition)
    for task in session.scalars(select(HumanTask).where(HumanTask.instance_id == item.id,
                                                        HumanTask.state == TaskState.READY)):
        task.data = views.project(task.name, data, agency=task.agency)


def action_to_replan(session: Session, action_key: str, *, actor: Actor) -> ActionEntry:
    """The action a coordinator is about to re-plan, as the register holds it (for the re-plan page)."""
    require_coordinator(actor)
    row = session.scalar(select(PlanAction).where(PlanAction.action_key == str(action_key)[:64]))
    if row is None:
        raise NotFound(f"no action {action_key!r}")
    return ActionEntry.of(row)


def plan_to_change(session: Session, plan_id: str, *, actor: Actor) -> ProcessInstance:
    """The plan a coordinator is about to add actions to (for the page), open or not."""
    require_coordinator(actor)
    return _plan_row(session, plan_id)
