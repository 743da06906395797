"""action_plan and action_item: every hand-over into the action register, one action_item per raised action (a part
of the plan's case), the update timer, and every branch of a monitoring period (sign-off by coordinator or chair,
more evidence, board challenge: extend, continue or withdraw), each period continuing in a fresh instance
(action_continue); the plan stays active until every action is closed (action_closed) and the chair closes it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import Forbidden, NotFound
from engine.reads import queries
from engine.store.db import transaction
from engine.work import tasks

from .scenarios_kit import PEOPLE

# How to run each source process so that it hands actions over, and how many it hands over.
SOURCES = {
    "scr": ({"referral": {}}, 2),
    "cdop": ({"panel_review": {"recommendations": 2}}, 2),
    "section11": ({"self_evaluation": {"ratings": ["green"] * 7 + ["red"]}, "challenge_event": {"agreed_actions": 1}},
                  4),  # a red standard in each of the three returns, and one agreed action
    "case_audit": ({"audit_meeting": {"actions": 3}}, 3),
}


@pytest.mark.parametrize("source", list(SOURCES))
def test_hand_over_raise_and_continue(run, source):
    plan, count = SOURCES[source]
    run.move_to("2027-05-04")
    case = run.start(source, who="pat" if source == "scr" else None)
    run.run_to_end(case, plan=plan)
    assert run.instance(case).status == "completed"
    (handed,) = run.instances("action_plan")
    assert handed.process_id == "action_plan" and handed.status == "active"
    assert handed.data["source_process"] == source and len(handed.data["actions"]) == count
    assert handed.title == "Action plan: Actions from " + handed.data["source_title"]  # words, not a process key
    plan_form = run.task(handed.id, "plan_form")
    assert plan_form.role == "coordinator"

    run.complete(plan_form)
    plan_row = run.instance(handed.id)
    assert plan_row.status == "active" and plan_row.data["actions_raised"] == count  # open while its actions are
    assert run.ready(handed.id) == []  # waiting for its actions to close, or for new ones
    plan_ref = plan_row.data["plan_ref"]
    keys = [a["action_key"] for a in plan_row.data["actions"]]
    assert keys == [f"{plan_ref}-{i:02d}" for i in range(1, count + 1)]
    items = run.items()
    assert sorted(i.business_key for i in items) == keys  # action_raised: one action_item per action
    for item in items:
        assert item.status == "active" and item.data["plan_ref"] == plan_ref
        assert run.parent_of(item.id) == handed.id  # a part of the plan's case
        number = int(item.business_key.rsplit("-", 1)[1])
        assert item.title.startswith(f"Action {number} of the action plan for {handed.data['source_reference']}: ")
        assert item.title.rstrip("…").split()[-1] in plan_row.data["actions"][number - 1]["action"].split()
        assert run.timers(item.id) == [run.now + timedelta(days=28)]  # the plan's default period, P28D
        assert run.ready(item.id) == []

    _first_period_continues(run, count, plan_row.data["actions"])


def _first_period_continues(run, count, actions):
    """The update timers fire after 28 days; completing a progress update continues the action in a fresh
    instance that carries its history."""
    run.later(days=27)
    assert run.sweep() == 0
    run.later(days=1, minutes=1)  # SpiffWorkflow fires a timer once its time has passed: the next sweep
    assert run.sweep() == count
    updates = run.ready(process_key="action_plan", name="progress_update")
    assert sorted(t.agency for t in updates) == sorted(a["agency"] for a in actions)
    first = updates[0]
    before = run.instance(first.instance_id)
    run.complete(first, status="at_risk")
    assert run.instance(first.instance_id).status == "completed"
    nxt = run.current_item(before.business_key)  # action_continue: the next period, a fresh instance
    assert nxt.id != before.id
    assert nxt.data["updates_count"] == 1 and nxt.data["action"]["status"] == "at_risk"
    assert nxt.data["action"]["rag"] == "amber"
    assert [h["status"] for h in nxt.data["progress_history"]] == ["at_risk"]
    assert run.timers(nxt.id) == [run.now + timedelta(days=28)]


def _one_action(run, **plan_choices):
    """A plan started by hand with one action; its action key once raised."""
    plan = run.start("action_plan")
    assert run.instance(plan).data["source_process"] == "manual"
    run.do(plan, "plan_form", actions=1, **plan_choices)
    (item,) = run.items()
    return item.business_key


def _plan_of(run):
    (plan,) = run.instances("action_plan", process_id="action_plan")
    return plan


def _next_update(run, key, period_days=28, **choices):
    run.later(days=period_days, minutes=1)
    assert run.sweep() == 1
    item = run.current_item(key)
    task = run.task(item.id, "progress_update")
    assert task.agency == item.data["action_agency"] and task.role == "reviewer"
    run.complete(task, **choices)
    return item.id


@pytest.mark.parametrize("signer", ["coordinator", "chair"])
def test_completed_action_is_signed_off_and_ends(run, signer):
    key = _one_action(run, sign_off_by=signer)
    item = _next_update(run, key, status="completed")
    sign_off = run.task(item, f"sign_off_{signer}")
    assert sign_off.role == signer
    run.complete(sign_off, decision="signed_off")
    final = run.instance(item)
    assert final.status == "completed"
    action = final.data["action"]
    assert action["status"] == "signed_off" and action["signed_off_at"].startswith(run.today)
    assert action["evidence_of_impact"].startswith("Re-audit")
    assert action["closed_at"] == action["signed_off_at"]
    assert run.items(status="active") == []  # nothing continues after a sign-off
    plan = _plan_of(run)  # the last action closed: the chair closes the plan
    assert plan.status == "active" and plan.data["open_actions"] == 0
    assert plan.data["actions"][0]["status"] == "signed_off"
    closing = run.task(plan.id, "plan_sign_off")
    assert closing.role == "chair"
    run.complete(closing)
    assert run.instance(plan.id).status == "completed"


def test_more_evidence_needed_keeps_monitoring(run):
    key = _one_action(run)
    item = _next_update(run, key, status="completed")
    run.do(item, "sign_off_coordinator", decision="more_evidence_needed")
    nxt = run.current_item(key)
    assert nxt.data["action"]["status"] == "awaiting_evidence"
    assert nxt.data["action"]["sign_off_returned_date"] == run.today
    item = _next_update(run, key, status="completed")
    run.do(item, "sign_off_coordinator", decision="signed_off")
    assert [i.status for i in run.items(business_key=key)] == ["completed"] * 2


@pytest.mark.parametrize("outcome", ["extend", "continue", "withdraw"])
def test_overdue_action_goes_to_board_challenge(run, outcome):  # escalated, to the coordinator only
    run.move_to("2027-06-01")
    key = _one_action(run, due_in_days=20)  # due 2027-06-21, before the first update
    item = _next_update(run, key, status="on_track")
    assert run.instance(item).data["is_overdue"] is True
    challenge = run.task(item, "board_challenge")
    assert challenge.role == "coordinator"
    run.complete(challenge, outcome=outcome, new_due_date="2027-09-30")
    active = run.items(status="active")
    if outcome == "withdraw":
        assert active == []
        action = run.instance(item).data["action"]
        assert action["status"] == "withdrawn" and action["withdrawn_reason"] and action["closed_at"]
        assert _plan_of(run).data["actions"][0]["status"] == "withdrawn"  # action_closed reached the plan
        assert run.ready(_plan_of(run).id, name="plan_sign_off")
        return
    action = run.current_item(key).data["action"]
    assert action["board_challenges"] == 1 and action["last_challenge_outcome"] == outcome
    assert action["escalations"] == 1 and action["escalated_for"] == "overdue"
    if outcome == "extend":
        assert (action["due_date"], action["original_due_date"]) == ("2027-09-30", "2027-06-21")
        assert action["replans"] == 1 and action["replan_reasons"][0]["due_date"] == "2027-09-30"
        _next_update(run, key, status="on_track")
        assert run.ready(process_key="action_plan", name="board_challenge") == []  # no longer overdue
    else:
        assert action["due_date"] == "2027-06-21"
        item = _next_update(run, key, status="at_risk")  # still overdue: challenged again
        assert run.task(item, "board_challenge")


def test_on_track_continues_with_the_plan_period(run):
    key = _one_action(run, update_period="P14D")
    item = run.current_item(key)
    assert item.data["update_period"] == "P14D"
    assert run.timers(item.id) == [run.now + timedelta(days=14)]
    first = _next_update(run, key, period_days=14, status="on_track")
    assert run.instance(first).status == "completed"
    nxt = run.current_item(key)
    assert nxt.data["updates_count"] == 1 and run.timers(nxt.id) == [run.now + timedelta(days=14)]
    assert nxt.title == run.instance(first).title  # the same action, period after period


def test_updates_are_offered_to_the_action_agency_only(run):
    key = _one_action(run)
    run.later(days=28, minutes=1)
    run.sweep()
    task = run.task(run.current_item(key).id, "progress_update")
    mine = PEOPLE.actor(PEOPLE.lead(task.agency))
    other = PEOPLE.actor(PEOPLE.lead(next(a for a in PEOPLE.agencies if a != task.agency)))
    with transaction(run.factory) as s:
        assert [t.id for t in queries.tasks_for(s, mine, run.now).items] == [task.id]
        assert queries.tasks_for(s, other, run.now).items == ()
    with pytest.raises((NotFound, Forbidden)), transaction(run.factory) as s:
        tasks.complete_task(s, task.id, {"progress_status": "on_track", "rag": "green", "progress_note": "Done"},
                            actor=other, now=run.now)
    run.complete(task)
    assert run.current_item(key).data["updates_count"] == 1
