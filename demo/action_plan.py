"""Action plans and their action items (``action_plan``): the form data for every task, how owners answer the
monitored tasks when the demo replays the update timers, and the demo's own plan entered by hand.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from engine.records import TaskInfo

from .forms import Ctx, builds, merged, smart_action
from .partnership import People

if TYPE_CHECKING:
    from .story import Driver

# --- form data ----------------------------------------------------------------------------------------------

@builds("action_plan", "plan_form")
def ap_plan_form(ctx: Ctx, *, actions: int | Sequence[dict[str, Any]] | None = None, update_period: str | None = None,
                 sign_off_by: str | Sequence[str] = "coordinator", due_in_days: int = 180,
                 escalate_to: str = "coordinator", closed_by: str = "chair", **extra: Any) -> dict[str, Any]:
    """Completes the handed-over actions (owner, agency, dates) or, for a plan started by hand, writes
    ``actions`` new ones. ``sign_off_by`` is one value or one per action; ``escalate_to`` says who hears of an
    escalated action besides the coordinator (coordinator, chair or partners); ``closed_by`` who closes the plan
    (chair or partners)."""
    if actions is not None and not isinstance(actions, int):
        proposed = [dict(a) for a in actions]
    else:
        handed = [dict(a) for a in ctx.get("actions") or []]
        count = len(handed) if actions is None else actions
        if not handed and actions is None:
            count = 3
        proposed = [handed[i] if i < len(handed) else {} for i in range(count)]
    out = []
    for i, action in enumerate(proposed):
        agency = str(action["agency"]) if action.get("agency") in ctx.people.leads \
            else ctx.agencies[i % len(ctx.agencies)]
        base = smart_action(ctx, i, agency, due_in_days=due_in_days)
        filled = {k: (action.get(k) or base[k]) for k in base}
        if filled["owner"] not in ctx.people.leads.values() and filled["owner"] not in (ctx.people.coordinator,
                                                                                     ctx.people.chair):
            filled["owner"] = base["owner"]
        for key in ("recommendation", "action", "measure"):
            if len(str(filled[key])) < 5:
                filled[key] = base[key]
        filled["sign_off_by"] = sign_off_by if isinstance(sign_off_by, str) else sign_off_by[i % len(sign_off_by)]
        filled["expected_outcome"] = str(action.get("expected_outcome") or EXPECTED_OUTCOME)
        out.append(filled)
    title = ctx.get("plan_title") or ("Actions from " + str(ctx.get("source_title") or "the partnership"))
    return merged({"plan_title": str(title)[:200] if len(str(title)) >= 3 else "Partnership action plan",
                   "update_period": update_period or ctx.get("update_period", "P28D"), "escalate_to": escalate_to,
                   "closed_by": closed_by, "actions": out}, extra)


EXPECTED_OUTCOME = "Concerns about children are shared and acted on sooner."


def new_actions(people: People, today: date, count: int = 1, *, due_in_days: int = 120,
                first: int = 0) -> list[dict[str, Any]]:
    """``count`` SMART actions to add to an open plan (as ``plan_changes.add_actions`` takes them), for the
    partnership's agencies in turn, each owned by its agency's lead."""
    ctx = Ctx({}, people, today.isoformat())
    agencies = ctx.agencies
    found = []
    for i in range(first, first + count):
        agency = agencies[i % len(agencies)]
        action = smart_action(ctx, i, agency, due_in_days=due_in_days,
                              recommendation=f"Audit finding {i + 1}: follow-up needed")
        found.append({**action, "expected_outcome": EXPECTED_OUTCOME, "sign_off_by": "coordinator"})
    return found


@builds("action_plan", "plan_sign_off", "plan_sign_off_partners")
def ap_plan_sign_off(ctx: Ctx, *, satisfied: bool = True, **extra: Any) -> dict[str, Any]:
    """The chair's (or one partner's) decision on closing the plan: satisfied, or not and what more is needed."""
    if not satisfied:
        return merged({"board_satisfied": "no",
                       "board_concerns": "The re-audit covers one team only: add an action to re-audit the others."},
                      extra)
    return merged({"board_satisfied": "yes",
                   "closing_note": "Every action is done or withdrawn with a reason; the re-audit shows the impact."},
                  extra)


@builds("action_plan", "escalation_chair", "escalation_partners")
def ap_escalation(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"escalation_response": "Please bring a recovery plan with dates to the next board meeting."},
                  extra)


@builds("action_plan", "progress_update")
def ap_progress_update(ctx: Ctx, *, status: str = "on_track", rag: str | None = None, **extra: Any) -> dict[str, Any]:
    rag = rag or {"on_track": "green", "completed": "green", "at_risk": "amber", "not_started": "amber"}[status]
    payload = {"progress_status": status, "rag": rag,
               "progress_note": {"not_started": "Waiting for the new practice lead to start.",
                                 "on_track": "Briefings delivered to two of four teams.",
                                 "at_risk": "Audit delayed by staff sickness.",
                                 "completed": "All teams briefed and the audit re-run."}[status]}
    if status == "completed":
        payload["evidence_of_completion"] = "Attendance registers and the audit report."
        payload["evidence_of_impact"] = "Re-audit: concerns shared within a day in 92% of cases, up from 60%."
    return merged(payload, extra)


@builds("action_plan", "sign_off_coordinator", "sign_off_chair")
def ap_sign_off(ctx: Ctx, *, decision: str = "signed_off", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"sign_off_decision": decision,
                               "sign_off_note": "Evidence of impact is convincing." if decision == "signed_off"
                               else "Please send the re-audit figures."}
    if decision == "signed_off":
        payload["impact_confirmed"] = True
    return merged(payload, extra)


@builds("action_plan", "board_challenge")
def ap_board_challenge(ctx: Ctx, *, outcome: str = "continue", new_due_date: str | None = None,
                       **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"challenge_date": ctx.on, "challenge_outcome": outcome,
                               "challenge_summary": "The board asked why the action slipped and what help is needed."}
    if outcome == "extend":
        payload["new_due_date"] = new_due_date or ctx.date(90)
    if outcome == "withdraw":
        payload["withdraw_reason"] = "Superseded by the new regional protocol."
    return merged(payload, extra)


# --- how the monitored tasks are answered -------------------------------------------------------------------

MONITORED = ("progress_update", "sign_off_coordinator", "sign_off_chair", "board_challenge")


def answer_delay(task: TaskInfo) -> timedelta:
    """How long after it is offered a monitored task is answered: a few days, the same on every run."""
    stable = f"{(task.business_key or '')[-3:]}:{task.name}:{task.created_at.date()}"
    return timedelta(days={"progress_update": 3 + _spread(stable, 9), "board_challenge": 4}.get(task.name, 6))


def owner_answer(task: TaskInfo, action_key: str, updates_done: int, when: datetime, statuses: list[str],
                 overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The choices made on a monitored task of ``action_key``: updates go through ``statuses`` in turn (the last
    repeats; "red" is at risk and rated red, which escalates the action), the board extends an escalated action,
    and one sign-off in four asks for more evidence; ``overrides`` (by task name) say otherwise."""
    if task.name in (overrides or {}):
        return dict((overrides or {})[task.name])
    if task.name == "progress_update":
        status = statuses[min(updates_done, len(statuses) - 1)]
        return {"status": "at_risk", "rag": "red"} if status == "red" else {"status": status}
    if task.name == "board_challenge":
        return {"outcome": "extend", "new_due_date": (when + timedelta(days=120)).date().isoformat()}
    if task.name.startswith("sign_off"):
        asks_more = _spread(f"{action_key[-3:]}:{when.date()}", 4) == 0
        return {"decision": "more_evidence_needed" if asks_more else "signed_off"}
    return {}


def _spread(text: str, n: int) -> int:
    """A stable small number from ``text`` (0 .. n-1), so the demo is the same on every run."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % n


# --- the demo's cases ---------------------------------------------------------------------------------------


def run_cases(d: Driver) -> None:
    """The partnership's own plan, entered by hand, with quarterly updates: both actions done and signed off, it
    waits for the chair to close it. (A plan just handed over from the Child M review waits for the coordinator:
    see ``demo.cdop``; the other plans are monitored from their reviews, audits and Section 11 cycles.)"""
    p = d.start("action_plan", d.ago(215))
    signed = {"sign_off_chair": {"decision": "signed_off"}, "sign_off_coordinator": {"decision": "signed_off"}}
    d.raise_plan(p, d.ago(213), [["on_track", "completed"], ["at_risk", "completed"]], actions=2,
                 plan_title="Neglect strategy: partnership priorities", update_period="P91D",
                 sign_off_by=["chair", "coordinator"], answers={1: signed, 2: signed})
