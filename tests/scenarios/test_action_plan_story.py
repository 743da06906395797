"""An action plan from handover to closure, as one case: a case file audit hands over three actions; one is
re-planned twice (once while its item waits for its update timer), one is rated red and escalated to the chair as
well as the coordinator, one is withdrawn with a reason. The plan is ``active`` until the last action is signed off,
then the chair closes it; the action register (``plan_action``) agrees with the actions at every stage."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.registers.records import ActionEntry
from engine.store.db import transaction
from engine.store.models import PlanAction
from engine.work import plan_changes

from .scenarios_kit import PEOPLE


def _register(run) -> dict[int, ActionEntry]:
    with transaction(run.factory) as s:
        return {r.number: ActionEntry.of(r) for r in s.scalars(select(PlanAction))}


def _replan(run, key: str, day: str, reason: str) -> ActionEntry:
    with transaction(run.factory) as s:
        return plan_changes.replan_action(s, key, day, reason, actor=run.coordinator, now=run.now)


def _update(run, number: int, **choices) -> str:
    (task,) = [t for t in run.ready(process_key="action_plan", name="progress_update")
               if run.instance(t.instance_id).data["action"]["number"] == number]
    run.complete(task, **choices)
    return task.instance_id


def _next_period(run, expected: int) -> None:
    run.later(days=28, minutes=1)
    assert run.sweep() == expected


def test_plan_from_handover_to_closure(run):
    run.move_to("2027-05-04")
    audit = run.start("case_audit")
    run.run_to_end(audit, plan={"audit_meeting": {"actions": 3}})
    (plan,) = run.instances("action_plan", process_id="action_plan")
    run.do(plan.id, "plan_form", escalate_to="chair", due_in_days=200)
    keys = {run.instance(i.id).data["action"]["number"]: i.business_key for i in run.items()}
    assert sorted(keys) == [1, 2, 3]
    register = _register(run)
    assert {e.status for e in register.values()} == {"open"} and {e.plan_id for e in register.values()} == {plan.id}
    first_due = register[2].due_date

    # action 2, re-planned while its item waits for the update timer
    entry = _replan(run, keys[2], "2028-03-01", "The new practice lead starts in January.")
    assert (entry.due_date, entry.original_due_date, entry.replans) == (date(2028, 3, 1), first_due, 1)
    assert run.current_item(keys[2]).data["action"]["due_date"] == "2028-03-01"

    _next_period(run, 3)
    shown = run.shown(run.task(run.current_item(keys[2]).id, "progress_update"))
    assert shown["action"]["due_date"] == "2028-03-01"  # the timer fired with the re-planned action
    _update(run, 1, status="on_track")
    _update(run, 2, status="on_track")
    red = _update(run, 3, status="at_risk", rag="red")
    assert sorted(run.ready_names(red)) == ["board_challenge", "escalation_chair"]  # coordinator and chair
    assert run.task(red, "escalation_chair").role == "chair"
    register = _register(run)
    assert (register[3].rag, register[3].escalations, register[3].latest_update) == \
        ("red", 1, "Audit delayed by staff sickness.")
    run.do(red, "escalation_chair")
    assert run.instance(red).status == "active"  # the board challenge still to come
    run.do(red, "board_challenge", outcome="continue")
    action = run.current_item(keys[3]).data["action"]
    assert action["escalations"] == 1 and action["last_escalation_responses"]
    assert run.instance(plan.id).status == "active"

    # action 2 again, after its first update
    entry = _replan(run, keys[2], "2028-06-30", "Recruitment took longer than planned.")
    assert (entry.replans, entry.original_due_date) == (2, first_due)
    reasons = run.current_item(keys[2]).data["action"]["replan_reasons"]
    assert [r["due_date"] for r in reasons] == ["2028-03-01", "2028-06-30"]

    # action 1 is withdrawn at a board challenge, with a reason
    _next_period(run, 3)
    withdrawn = _update(run, 1, status="at_risk", rag="red")
    run.do(withdrawn, "escalation_chair")
    run.do(withdrawn, "board_challenge", outcome="withdraw")
    assert _register(run)[1].status == "withdrawn" and _register(run)[1].withdrawn_reason
    assert run.instance(plan.id).status == "active" and run.instance(plan.id).data["open_actions"] == 2
    _update(run, 2, status="completed")
    _update(run, 3, status="completed")
    for number in (2, 3):
        run.do(run.current_item(keys[number]).id, "sign_off_coordinator")
        if number == 2:
            assert run.instance(plan.id).status == "active"  # one action still open
            assert run.ready(plan.id) == []

    register = _register(run)
    assert {n: e.status for n, e in register.items()} == {1: "withdrawn", 2: "signed_off", 3: "signed_off"}
    assert all(e.closed_at is not None for e in register.values())
    assert (register[2].replans, register[3].escalations) == (2, 1)
    closing = run.task(plan.id, "plan_sign_off")
    assert closing.role == "chair" and run.instance(plan.id).status == "active"
    run.complete(closing)
    final = run.instance(plan.id)
    assert final.status == "completed" and final.data["actions_closed"] == 3
    assert {i.status for i in run.items()} == {"completed"}
    assert PEOPLE.chair == "chad"
