"""A coordinator's changes to an open action plan: "Add an action" (from the plan's page) and "Change the due date"
of one action, with the reason. Both are forms with an error summary; the work is ``engine.work.plan_changes``."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from engine.errors import Conflict, InvalidData
from engine.people import accounts
from engine.work import plan_changes

from ..context import lif
from .common import back, current_actor, done, now, requires

bp = Blueprint("plan_changes", __name__)

ACTION_FIELDS = ("recommendation", "action", "measure", "expected_outcome", "owner", "agency", "sign_off_by")
# what to fix, in words, by the field the service names (``actions[0].owner`` -> ``owner``)
PROBLEMS = {"recommendation": "Enter the recommendation this action answers",
            "action": "Enter the action, in at least 5 characters",
            "measure": "Enter how progress and impact will be measured, in at least 5 characters",
            "expected_outcome": "The expected outcome must be 2,000 characters or fewer",
            "owner": "Choose the person who owns the action", "agency": "Choose the owner's agency",
            "due_date": "Enter a target date, today or later", "sign_off_by": "Choose who signs the action off",
            "reason": "Enter why the date changes, in at least 10 characters"}


@bp.route("/cases/<plan_id>/actions/add", methods=["GET", "POST"])
@requires("coordinator")
def add_action(plan_id: str) -> Any:
    actor, values, problems = current_actor(), {"sign_off_by": "coordinator"}, []
    if request.method == "POST":
        values = {name: request.form.get(name, "")[:2100] for name in ACTION_FIELDS}
        action = {**values, "due_date": _typed_date("due")}
        try:
            with lif().unit_of_work() as db:
                plan_changes.add_actions(db, plan_id, [action], actor=actor, now=now())
        except InvalidData as exc:
            problems = _problems(exc)
        except Conflict as exc:
            return back(exc.message.capitalize(), "instances.case", instance_id=plan_id)
        else:
            return done("The action has been added to the plan", "instances.case", instance_id=plan_id)
    with lif().unit_of_work() as db:
        plan = plan_changes.plan_to_change(db, plan_id, actor=actor)
        people = [(p.username, p.full_name) for p in accounts.active_people(db) if p.does_tasks]
        agencies = [{"key": k, "name": n} for k, n in accounts.agency_names(db).items()]
        plan_words = (plan.id, plan.business_key, plan.title)
    page = render_template("plans/add_action.html", plan=plan_words, values=values, problems=problems,
                           due=_typed_parts("due"), people=people, agencies=agencies)
    return (page, 422) if problems else page


@bp.route("/actions/<action_key>/replan", methods=["GET", "POST"])
@requires("coordinator")
def replan(action_key: str) -> Any:
    actor, reason, problems = current_actor(), "", []
    with lif().unit_of_work() as db:
        entry = plan_changes.action_to_replan(db, action_key, actor=actor)
    if request.method == "POST":
        reason = request.form.get("reason", "")[:2100]
        try:
            with lif().unit_of_work() as db:
                plan_changes.replan_action(db, action_key, _typed_date("due"), reason, actor=actor, now=now())
        except InvalidData as exc:
            problems = _problems(exc)
        except Conflict as exc:
            return back(exc.message.capitalize(), "instances.case", instance_id=entry.plan_id)
        else:
            return done(f"The target date of action {entry.number} has been changed", "instances.case",
                        instance_id=entry.plan_id)
    page = render_template("plans/replan.html", entry=entry, reason=reason, problems=problems,
                           due=_typed_parts("due"))
    return (page, 422) if problems else page


def _typed_parts(prefix: str) -> dict[str, str]:
    return {part: request.form.get(f"{prefix}-{part}", "")[:4] for part in ("day", "month", "year")}


def _typed_date(prefix: str) -> str:
    """The date typed in ``<prefix>-day/-month/-year`` as YYYY-MM-DD, or what was typed (the service refuses it)."""
    parts = _typed_parts(prefix)
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])).isoformat()
    except (ValueError, OverflowError):
        return "-".join(parts.values())


def _problems(exc: InvalidData) -> list[tuple[str, str]]:
    """The error summary's lines: what to fix, linked to its field (each field once)."""
    found: dict[str, str] = {}
    for detail in exc.details or []:
        field = str(detail.get("field", "")).rsplit(".", 1)[-1]
        if field in PROBLEMS and field not in found:
            found[field] = PROBLEMS[field]
    return [(text, "#due-day" if field == "due_date" else f"#{field.replace('_', '-')}")
            for field, text in found.items()] or [(exc.message.capitalize(), "")]


@bp.app_template_global("plan_problem")
def plan_problem(problems: list[tuple[str, str]], field: str) -> str | None:
    """The error message of ``field`` on these forms, if any (for the field's own error message)."""
    anchor = "#due-day" if field == "due_date" else f"#{field.replace('_', '-')}"
    return next((text for text, href in problems if href == anchor), None)
