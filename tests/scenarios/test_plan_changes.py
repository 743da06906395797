"""Changing an open plan (engine/work/plan_changes.py): adding actions numbers them on and raises their items as parts
of the plan; re-planning keeps the first target date and counts; every way an action closes tells the plan
(action_closed); an action added at the plan's sign-off sends it back to monitoring; the chair, or the three
partners, close it only when satisfied; a completed plan and one not yet agreed take no new action; bad input, the
wrong role and unknown ids change nothing."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from demo.action_plan import new_actions
from engine.cases import instances
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.store.db import transaction
from engine.store.models import AuditEvent, PlanAction, ProcessInstance
from engine.work import plan_changes

from .scenarios_kit import PEOPLE


def _plan(run, actions: int = 1, **choices) -> str:
    plan = run.start("action_plan")
    run.do(plan, "plan_form", actions=actions, **choices)
    return plan


def _add(run, plan_id: str, actions, who: str = "cora"):
    with transaction(run.factory) as s:
        return plan_changes.add_actions(s, plan_id, actions, actor=PEOPLE.actor(who), now=run.now)


def _replan(run, key: str, day, reason, who: str = "cora"):
    with transaction(run.factory) as s:
        return plan_changes.replan_action(s, key, day, reason, actor=PEOPLE.actor(who), now=run.now)


def _snapshot(run) -> tuple:
    """Everything a refused change must leave as it was: cases, their states and data, the register."""
    with transaction(run.factory) as s:
        cases = sorted((r.id, r.revision, r.status) for r in s.scalars(select(ProcessInstance)))
        rows = sorted((r.action_key, r.due_date, r.replans, r.status) for r in s.scalars(select(PlanAction)))
        return cases, rows


def _today(run) -> date:
    return date.fromisoformat(run.today)


def test_added_actions_are_numbered_on_and_raised_as_parts_of_the_plan(run):
    plan = _plan(run, actions=2)
    added = _add(run, plan, new_actions(PEOPLE, _today(run), 2))
    ref = run.instance(plan).data["plan_ref"]
    assert added.action_keys == (f"{ref}-03", f"{ref}-04")
    data = run.instance(plan).data
    assert [a["number"] for a in data["actions"]] == [1, 2, 3, 4] and data["open_actions"] == 4
    items = {i.business_key: i for i in run.items()}
    assert set(items) == {f"{ref}-{n:02d}" for n in (1, 2, 3, 4)}
    assert {run.parent_of(i.id) for i in items.values()} == {plan}
    with transaction(run.factory) as s:
        numbers = sorted(s.scalars(select(PlanAction.number).where(PlanAction.plan_id == plan)))
        assert numbers == [1, 2, 3, 4]
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "plan.actions_added", AuditEvent.instance_id == plan)) == 1
    again = _add(run, plan, new_actions(PEOPLE, _today(run), 1))  # the plan waits again after raising them
    assert again.action_keys == (f"{ref}-05",)


@pytest.mark.parametrize("how", ["coordinator", "chair", "withdraw"])
def test_every_way_an_action_closes_tells_the_plan(run, how):
    run.move_to("2027-06-01")
    plan = _plan(run, actions=2, sign_off_by="chair" if how == "chair" else "coordinator", due_in_days=20)
    (key, other) = sorted(i.business_key for i in run.items())
    run.later(days=28, minutes=1)
    assert run.sweep() == 2
    item = run.current_item(key)
    run.complete(run.task(item.id, "progress_update"), status="at_risk" if how == "withdraw" else "completed")
    if how == "withdraw":
        run.do(item.id, "board_challenge", outcome="withdraw")
    else:
        run.do(item.id, f"sign_off_{how}")
    data = run.instance(plan).data
    closed = {a["action_key"]: a for a in data["actions"]}[key]
    assert closed["status"] == ("withdrawn" if how == "withdraw" else "signed_off") and closed["closed_at"]
    assert data["open_actions"] == 1 and data["actions_closed"] == 1
    assert run.instance(plan).status == "active" and run.ready(plan) == []
    with transaction(run.factory) as s:
        thrown = s.scalars(select(AuditEvent.details).where(AuditEvent.action == "message.thrown",
                                                            AuditEvent.instance_id == item.id)).all()
    assert [d["delivered_to"] for d in thrown if d["name"] == "action_closed"] == [[plan]]
    assert other  # the other action is still open: no sign-off of the plan yet


def _at_sign_off(run, **choices) -> tuple[str, str]:
    """A plan of one action, that action done and signed off: the plan waits to be closed."""
    plan = _plan(run, actions=1, **choices)
    (key,) = [i.business_key for i in run.items()]
    run.later(days=28, minutes=1)
    run.sweep()
    item = run.current_item(key)
    run.complete(run.task(item.id, "progress_update"), status="completed")
    run.do(item.id, "sign_off_coordinator")
    return plan, key


def _close_last_action(run, plan: str) -> None:
    """Bring the plan's newest open action to sign-off, so the plan comes back to be closed."""
    key = max(a["action_key"] for a in run.instance(plan).data["actions"] if a["status"] == "open")
    run.later(days=28, minutes=1)
    run.sweep()
    item = run.current_item(key)
    run.complete(run.task(item.id, "progress_update"), status="completed")
    run.do(item.id, "sign_off_coordinator")


def test_adding_to_a_completed_plan_or_one_not_agreed_is_a_conflict(run):
    draft = run.start("action_plan")
    with pytest.raises(Conflict, match="not agreed"):
        _add(run, draft, new_actions(PEOPLE, _today(run)))
    plan, key = _at_sign_off(run)
    assert run.ready_names(plan) == ["plan_sign_off"]
    before = _snapshot(run)
    with pytest.raises(Conflict, match="signed off"):
        _replan(run, key, "2028-01-01", "A reason long enough to count.")
    assert _snapshot(run) == before
    run.do(plan, "plan_sign_off")
    assert run.instance(plan).status == "completed"
    assert run.instance(plan).data["closing_note"] and run.instance(plan).data["plan_closed_at"]
    with pytest.raises(Conflict, match="completed"):
        _add(run, plan, new_actions(PEOPLE, _today(run)))


@pytest.mark.parametrize("closed_by", ["chair", "partners"])
def test_an_action_added_at_sign_off_withdraws_it_and_the_plan_monitors_again(run, closed_by):
    plan, _ = _at_sign_off(run, closed_by=closed_by)
    closing = "plan_sign_off" if closed_by == "chair" else "plan_sign_off_partners"
    assert run.ready_names(plan) == [closing] * (1 if closed_by == "chair" else 3)
    ref = run.instance(plan).data["plan_ref"]
    added = _add(run, plan, new_actions(PEOPLE, _today(run)))
    assert added.action_keys == (f"{ref}-02",)
    assert run.ready_names(plan) == [] and run.instance(plan).status == "active"
    assert run.instance(plan).data["open_actions"] == 1
    assert f"{ref}-02" in {i.business_key for i in run.items()}
    _close_last_action(run, plan)
    assert run.ready_names(plan) == [closing] * (1 if closed_by == "chair" else 3)


def test_a_chair_not_satisfied_keeps_the_plan_open_for_new_actions(run):
    plan, _ = _at_sign_off(run)
    run.do(plan, "plan_sign_off", satisfied=False)
    found = run.instance(plan)
    assert (found.status, run.ready_names(plan)) == ("active", [])
    assert found.data["closure_concerns"][-1]["concerns"] == [
        "The re-audit covers one team only: add an action to re-audit the others."]
    assert "board_satisfied" not in found.data and not found.data.get("closing_note")  # the next decision is new
    _add(run, plan, new_actions(PEOPLE, _today(run)))
    _close_last_action(run, plan)
    run.do(plan, "plan_sign_off")
    assert run.instance(plan).status == "completed"


def test_the_three_partners_close_a_plan_when_each_is_satisfied(run):
    plan, _ = _at_sign_off(run, closed_by="partners")
    tasks = run.ready(plan, name="plan_sign_off_partners")
    assert sorted((t.role, t.agency) for t in tasks) == [("partner", a) for a in
                                                          sorted(run.instance(plan).data["safeguarding_partners"])]
    run.do_each(plan, "plan_sign_off_partners")
    found = run.instance(plan)
    assert found.status == "completed" and found.data["closing_note"]


def test_one_partner_not_satisfied_keeps_the_plan_open(run):
    plan, _ = _at_sign_off(run, closed_by="partners")
    doubter = sorted(run.instance(plan).data["safeguarding_partners"])[0]
    run.do_each(plan, "plan_sign_off_partners", per_agency={doubter: {"satisfied": False}})
    found = run.instance(plan)
    assert (found.status, run.ready_names(plan)) == ("active", [])
    assert len(found.data["closure_concerns"][-1]["concerns"]) == 1
    _add(run, plan, new_actions(PEOPLE, _today(run)))
    _close_last_action(run, plan)
    run.do_each(plan, "plan_sign_off_partners")
    assert run.instance(plan).status == "completed"


BAD_ACTIONS = [
    ([], "actions"),
    ("an action", "actions"),
    ([{}], "actions[0].action"),
    ([{"owner": "nobody"}], "actions[0].owner"),
    ([{"agency": "mars"}], "actions[0].agency"),
    ([{"due_date": "2020-01-01"}], "actions[0].due_date"),
    ([{"due_date": "31/12/2030"}], "actions[0].due_date"),
    ([{"sign_off_by": "admin"}], "actions[0].sign_off_by"),
    ([{"colour": "red"}], "actions[0].colour"),
    (["text"], "actions[0]"),
    ([{"measure": "x" * 2001}], "actions[0].measure"),
]


@pytest.mark.parametrize(("given", "field"), BAD_ACTIONS)
def test_bad_actions_are_refused_naming_the_field_and_change_nothing(run, given, field):
    plan = _plan(run)
    good = new_actions(PEOPLE, _today(run))[0]
    actions = [{**good, **g} if isinstance(g, dict) else g for g in given] if isinstance(given, list) else given
    if isinstance(given, list) and given and given[0] == {}:
        actions = [{}]
    before = _snapshot(run)
    with pytest.raises(InvalidData) as refused:
        _add(run, plan, actions)
    assert field in [d["field"] for d in refused.value.details]
    assert _snapshot(run) == before


@pytest.mark.parametrize(("day", "reason", "field"), [
    ("2020-01-01", "A reason long enough to count.", "due_date"),
    ("not a date", "A reason long enough to count.", "due_date"),
    (None, "A reason long enough to count.", "due_date"),
    ("2030-01-01", "", "reason"),
    ("2030-01-01", "short", "reason"),
    ("2030-01-01", 42, "reason"),
])
def test_bad_replans_are_refused_naming_the_field_and_change_nothing(run, day, reason, field):
    _plan(run)
    (key,) = [i.business_key for i in run.items()]
    before = _snapshot(run)
    with pytest.raises(InvalidData) as refused:
        _replan(run, key, day, reason)
    assert [d["field"] for d in refused.value.details] == [field]
    assert _snapshot(run) == before


def test_only_coordinators_change_plans_and_unknown_ids_are_not_found(run):
    plan = _plan(run)
    (key,) = [i.business_key for i in run.items()]
    before = _snapshot(run)
    for who in ("chad", "pat", "lena", "scot"):
        with pytest.raises(Forbidden):
            _add(run, plan, new_actions(PEOPLE, _today(run)), who=who)
        with pytest.raises(Forbidden):
            _replan(run, key, "2030-01-01", "A reason long enough to count.", who=who)
    with pytest.raises(NotFound):
        _add(run, "no-such-plan", new_actions(PEOPLE, _today(run)))
    with pytest.raises(NotFound):
        _add(run, run.current_item(key).id, new_actions(PEOPLE, _today(run)))  # an action's item is no plan
    with pytest.raises(NotFound):
        _replan(run, "AP-NONE-01", "2030-01-01", "A reason long enough to count.")
    assert _snapshot(run) == before


def test_replan_keeps_the_first_date_counts_and_keeps_the_last_reasons(run):
    _plan(run, due_in_days=100)
    (key,) = [i.business_key for i in run.items()]
    first = run.current_item(key).data["action"]["due_date"]
    for n in range(1, 13):
        entry = _replan(run, key, date(2030, 1, n).isoformat(), f"Re-planned for the {n}th time, with a reason.")
        assert entry.replans == n and entry.original_due_date == date.fromisoformat(first)
    action = run.current_item(key).data["action"]
    assert len(action["replan_reasons"]) == plan_changes.MOST_REASONS and action["due_date"] == "2030-01-12"
    with pytest.raises(InvalidData):
        _replan(run, key, "2030-01-12", "The same date as now, refused.")


def test_cancelling_a_plan_stops_its_actions_and_an_action_alone_cannot_be_cancelled(run):
    plan = _plan(run, actions=2)
    item = run.items()[0]
    with pytest.raises(Conflict, match="part of another case"), transaction(run.factory) as s:
        instances.cancel_instance(s, item.id, "Started twice.", actor=run.coordinator, now=run.now)
    with transaction(run.factory) as s:
        instances.cancel_instance(s, plan, "Superseded by the new plan.", actor=run.coordinator, now=run.now)
    assert {i.status for i in run.items()} == {"cancelled"} and run.timers(item.id) == []
    with transaction(run.factory) as s:  # the register shows them withdrawn, with the plan's reason
        rows = {(r.status, r.withdrawn_reason, r.closed_at) for r in s.scalars(select(PlanAction))}
    assert rows == {("withdrawn", "The plan was cancelled: Superseded by the new plan.", run.now)}
