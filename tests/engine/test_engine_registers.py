"""The registers' rows follow the case data: a bundle that declares ``registers`` gets a ``plan_action`` row per
monitored action (keyed by its ``action_key``) and a ``lesson`` row per entry of its lessons list, written in the
step's own transaction; a process named in ``parts`` starts as a part of the case that sent its message. A step
that changes neither writes nothing, and a bad declaration is refused at deploy."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import clock
from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.cases import runtime
from engine.errors import InvalidData
from engine.registers.records import ActionEntry, LessonEntry
from engine.store.db import transaction
from engine.store.models import Lesson, PlanAction, ProcessInstance

from .engine_kit import BUNDLES, NOW

pytestmark = pytest.mark.postgres  # rows written inside the step: both databases

ACTIONS = [{"recommendation": "R1 Share information sooner", "action": "Train front-door staff", "measure": "Audit",
            "owner": "pat", "agency": "police", "due_date": "2027-03-31", "sign_off_by": "chair"},
           {"recommendation": "R2 Hear the child", "action": "Add the child's view to the template",
            "measure": "Case audit", "owner": "sam", "agency": "csc", "due_date": "2027-01-31"}]
LESSONS = [{"theme": "neglect", "lesson": "Chronic neglect was not recognised", "good_practice": "Health visiting",
            "agencies": ["health", "csc"]},
           {"theme": "information_sharing", "lesson": "Police did not share the callout", "agencies": ["police"]}]


@pytest.fixture
def plan(deploy, cases):
    deploy("register_plan")
    return cases.start("register_plan", data={"actions": ACTIONS, "learning_log": []})


def _actions(factory):
    with transaction(factory) as s:
        return {r.action_key: ActionEntry.of(r) for r in s.scalars(select(PlanAction))}


def _lessons(factory):
    with transaction(factory) as s:
        return [LessonEntry.of(r) for r in s.scalars(select(Lesson).order_by(Lesson.position))]


def _items(factory, plan_id):
    with transaction(factory) as s:
        return {r.business_key: (r.id, r.parent_id) for r in s.scalars(
            select(ProcessInstance).where(ProcessInstance.process_id == "register_item"))}


def test_each_raised_action_has_a_row_and_its_item_is_a_part_of_the_plan(plan, cases, factory):
    rows = _actions(factory)
    assert sorted(rows) == ["RP-1", "RP-2"]
    items = _items(factory, plan)
    for key, row in rows.items():
        assert row.plan_id == plan and row.item_id == items[key][0] and items[key][1] == plan
        assert row.status == "open" and row.is_open and row.raised_at == NOW
        assert (row.source_process, row.source_reference) == ("scr", "SCR-2026-0001")
    first = rows["RP-1"]
    assert (first.number, first.recommendation, first.action, first.owner, first.agency, first.sign_off_by) == \
        (1, "R1 Share information sooner", "Train front-door staff", "pat", "police", "chair")
    assert first.due_date.isoformat() == "2027-03-31" and first.due_at.isoformat() == "2027-03-31T22:59:59+00:00"
    assert rows["RP-2"].sign_off_by == "coordinator"  # the default when the action names none
    assert cases.instance(plan).status == "active"


def test_a_progress_update_changes_the_row_and_closing_it_records_when(plan, cases, factory):
    items = _items(factory, plan)
    later = NOW + timedelta(days=30)
    task = cases.task(items["RP-2"][0], "update")
    with clock.frozen_at(later):  # the scripts' today() and now_iso() read the engine's clock
        cases.complete(task.id, {"status": "on_track", "rag": "red", "note": "Template drafted"}, now=later)
    row = _actions(factory)["RP-2"]
    assert (row.status, row.rag, row.latest_update, row.updates_count, row.updated_at) == \
        ("on_track", "red", "Template drafted", 1, later)
    assert row.latest_update_date == later.date()
    assert row.overdue(later + timedelta(days=60)) and not row.overdue(later)
    done = cases.task(items["RP-1"][0], "update")
    with clock.frozen_at(later):
        cases.complete(done.id, {"status": "completed", "rag": "green", "note": "All trained"}, now=later)
    closed = _actions(factory)["RP-1"]
    assert closed.status == "signed_off" and not closed.is_open and closed.signed_off_at == later == closed.closed_at
    assert not closed.overdue(later + timedelta(days=900))


def test_lessons_follow_the_list_by_position_and_keep_when_first_recorded(plan, cases, factory):
    task = cases.task(plan, "learning")
    assert task.agency is None  # the task after a multi-instance one is not bound by the last item's agency
    cases.complete(task.id, {"learning_log": LESSONS}, now=NOW + timedelta(days=2))
    found = _lessons(factory)
    assert [(x.position, x.theme, x.lesson, x.agencies) for x in found] == [
        (0, "neglect", "Chronic neglect was not recognised", ("health", "csc")),
        (1, "information_sharing", "Police did not share the callout", ("police",))]
    assert {(x.instance_id, x.process_key, x.recorded_by, x.recorded_at) for x in found} == \
        {(plan, "register_plan", "cora", NOW + timedelta(days=2))}
    assert found[0].good_practice == "Health visiting" and found[1].good_practice == ""


def test_a_shorter_list_drops_the_lessons_past_its_end(deploy, cases, factory):
    deploy("register_plan")
    case = cases.start("register_plan", data={"actions": [], "learning_log": LESSONS})
    assert len(_lessons(factory)) == 2
    cases.complete(cases.task(case, "learning").id, {"learning_log": LESSONS[1:]})
    assert [(x.position, x.theme) for x in _lessons(factory)] == [(0, "information_sharing")]


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "restored"])
def test_a_step_that_changes_nothing_of_a_register_writes_no_row(plan, cases, factory, cached):
    runtime.WORKFLOWS.enabled = cached
    try:
        items = _items(factory, plan)
        before = _actions(factory)["RP-1"]
        other = cases.task(items["RP-2"][0], "update")
        cases.complete(other.id, {"status": "at_risk", "rag": "amber", "note": "Late"},
                       now=NOW + timedelta(days=3))
        assert _actions(factory)["RP-1"] == before  # the other action's step touched only its own row
    finally:
        runtime.WORKFLOWS.enabled = True


@pytest.mark.parametrize("change, words", [
    ({"registers": {"actions": {"no_such_process": "action"}}}, "no_such_process"),
    ({"registers": {"tasks": {"register_item": "action"}}}, "registers"),
    ({"registers": {"lessons": {"register_plan": "not a name"}}}, "variable names"),
    ({"parts": ["register_plan", 3]}, "parts"),
    ({"parts": ["nowhere"]}, "nowhere"),
])
def test_a_bad_declaration_is_refused_at_deploy_and_deploys_nothing(factory, change, words):
    files = read_bundle_dir(BUNDLES / "register_plan")
    model = {**json.loads(files["process_model.json"]), **change}
    with transaction(factory) as s:
        with pytest.raises(InvalidData) as refused:
            definitions.deploy_bundle(s, "register_plan", {**files, "process_model.json": json.dumps(model)},
                                      actor="dee", now=NOW)
    assert words in json.dumps(refused.value.details) + str(refused.value)
    with transaction(factory) as s:
        assert definitions.list_latest(s) == []
