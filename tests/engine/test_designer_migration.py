"""Moving running cases to another version of their process, through the real engine: which can move and why
not, the move itself and every row it keeps true (tasks, timers, subscriptions, the workflow cache, audit)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.cases import messages, runtime, timers
from engine.designer import migration
from engine.errors import Conflict, Forbidden, NotFound
from engine.store.db import transaction
from engine.store.models import HumanTask, ProcessInstance

from .engine_kit import BUNDLES, NOW

pytestmark = pytest.mark.postgres  # stored state, row writes and the revision check: on PostgreSQL as well
DESIGNER = "designer"

# v2 of simple_review: a "Check the summary" task for the reviewer between "Submit summary" and the script
ADD_CHECK = {
    '<bpmn:flowNodeRef>score_it</bpmn:flowNodeRef>':
        '<bpmn:flowNodeRef>score_it</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>',
    '<bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="score_it"/>':
        '<bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="check"/>'
        '<bpmn:sequenceFlow id="f2b" sourceRef="check" targetRef="score_it"/>',
    '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>':
        '<bpmn:incoming>f2b</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>',
    '<bpmn:scriptTask id="score_it"':
        '<bpmn:userTask id="check" name="Check the summary"><bpmn:incoming>f2</bpmn:incoming>'
        '<bpmn:outgoing>f2b</bpmn:outgoing></bpmn:userTask><bpmn:scriptTask id="score_it"',
}
SUBMIT = {"summary": "A long enough summary", "agency": "police"}


@pytest.fixture
def version_2(deploy, bundle_copy):
    """simple_review version 1 deployed; the function deploys its version 2 (by default with a task added after
    "Submit summary"), after which new cases start on version 2 and those begun before stay on 1."""
    deploy("simple_review")

    def _deploy(replace=ADD_CHECK, key="simple_review"):
        return deploy(bundle_copy(key, replace=replace), key=key)
    return _deploy


def _migrate(factory, cases, instance_id, version, who=DESIGNER):
    with transaction(factory) as s:
        return migration.migrate(s, instance_id, version, actor=cases.actor(who), now=NOW + timedelta(hours=1))


def _preview(factory, cases, instance_id, version, who=DESIGNER):
    with transaction(factory) as s:
        return migration.preview(s, instance_id, version, actor=cases.actor(who))


def _snapshot(factory, cases, instance_id):
    with transaction(factory) as s:
        row = s.get(ProcessInstance, instance_id)
        state = (row.definition_id, row.revision, row.state, row.executed_elements)
    return state, cases.tasks(instance_id, None), cases.due_items(instance_id), cases.subscriptions(instance_id), \
        cases.actions(instance_id)


def test_a_case_started_before_stays_on_version_1_until_moved_then_stops_at_the_new_task(factory, cases,
                                                                                          version_2):
    case = cases.start("simple_review", data={"case_ref": "CR-1"})
    assert version_2().version == 2
    assert cases.instance(case).version == 1
    submit = cases.task(case, "submit")

    found = _preview(factory, cases, case, 2)
    assert (found.can_migrate, found.problems, found.from_version, found.to_version) == (True, (), 1, 2)
    assert found.current_steps == ("Submit summary",)

    moved = _migrate(factory, cases, case, 2)
    assert (moved.version, moved.current_steps) == (2, ("submit",)) and cases.instance(case).version == 2
    assert [t.id for t in cases.tasks(case)] == [submit.id]  # the same ready task, its row kept
    trail = [e for e in cases.trail(case) if e["action"] == "instance.migrated"]
    assert len(trail) == 1 and trail[0]["actor"] == "dee"
    assert (trail[0]["details"]["from_version"], trail[0]["details"]["to_version"]) == (1, 2)

    cases.complete(submit.id, SUBMIT, who="police")  # a step after the move: the cached workflow is version 2's
    assert cases.ready_names(case) == ["check"]
    assert cases.task(case, "check").role == "reviewer"


def test_the_workflow_cache_never_serves_the_old_version_after_a_move(factory, cases, version_2):
    case = cases.start("simple_review", data={"case_ref": "CR-1"})
    submit = cases.task(case, "submit")
    version_2()
    with transaction(factory) as s:  # the version 1 workflow cached at the case's revision
        row = s.get(ProcessInstance, case)
        runtime.WORKFLOWS.put(case, row.revision, runtime.load(s, row))
    _migrate(factory, cases, case, 2)
    cases.complete(submit.id, SUBMIT, who="police")
    assert cases.ready_names(case) == ["check"]


def test_removing_the_step_where_a_case_stands_is_refused_with_reasons_and_nothing_changes(
        factory, cases, deploy, bundle_copy):
    deploy("intermediate_timer")
    case = cases.start("intermediate_timer")
    text = (BUNDLES / "intermediate_timer" / "intermediate_timer.bpmn").read_text()
    catch = text[text.index("<bpmn:intermediateCatchEvent"):text.index("<bpmn:userTask")]
    without_timer = {catch: "", "<bpmn:flowNodeRef>cooling_off</bpmn:flowNodeRef>": "",
                     'targetRef="cooling_off"': 'targetRef="follow_up"',
                     '<bpmn:sequenceFlow id="f2" sourceRef="cooling_off" targetRef="follow_up"/>': "",
                     "<bpmn:incoming>f2</bpmn:incoming>": "<bpmn:incoming>f1</bpmn:incoming>"}
    deploy(bundle_copy("intermediate_timer", replace=without_timer), key="intermediate_timer")
    before = _snapshot(factory, cases, case)
    found = _preview(factory, cases, case, 2)
    assert found.can_migrate is False and found.current_steps == ("Two days",)
    assert found.problems == ("the case stands at “Two days”, which version 2 removes",
                              "“start” has been done or is under way but version 2 changes what follows it")
    with pytest.raises(Conflict) as refused:
        _migrate(factory, cases, case, 2)
    assert refused.value.details == list(found.problems)
    assert _snapshot(factory, cases, case) == before


def test_a_done_task_changed_is_refused_naming_it_and_nothing_changes(factory, cases, version_2):
    case = cases.start("simple_review", data={"case_ref": "CR-1"})
    cases.complete(cases.task(case, "submit").id, SUBMIT, who="police")
    version_2({'name="Submit summary"': 'name="Submit the summary"'})
    before = _snapshot(factory, cases, case)
    found = _preview(factory, cases, case, 2)
    assert found.problems == ("“Submit summary” has been done or is under way but version 2 changes its name",)
    with pytest.raises(Conflict):
        _migrate(factory, cases, case, 2)
    assert _snapshot(factory, cases, case) == before


def test_a_ready_task_renamed_and_moved_to_another_lane_gets_its_new_row(factory, cases, version_2):
    case = cases.start("simple_review", data={"case_ref": "CR-1"})
    submit = cases.task(case, "submit")
    assert submit.role == "reviewer"
    version_2({'name="Submit summary"': 'name="Submit the summary"',
               '<bpmn:flowNodeRef>submit</bpmn:flowNodeRef>': '',
               '<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>':
                   '<bpmn:flowNodeRef>approve</bpmn:flowNodeRef><bpmn:flowNodeRef>submit</bpmn:flowNodeRef>'})
    _migrate(factory, cases, case, 2)
    row = cases.task(case, "submit")
    assert (row.id, row.role, row.data, row.due_at) == (submit.id, "chair", submit.data, submit.due_at)
    with transaction(factory) as s:
        assert s.get(HumanTask, submit.id).title == "Submit the summary"


def test_a_case_waiting_on_a_timer_moves_and_the_timer_keeps_its_time(factory, cases, deploy, bundle_copy):
    deploy("intermediate_timer")
    case = cases.start("intermediate_timer")
    deploy(bundle_copy("intermediate_timer", replace={'name="Follow up"': 'name="Follow up the wait"'}),
           key="intermediate_timer")
    due = cases.due_items(case)
    assert len(due) == 1
    _migrate(factory, cases, case, 2)
    assert cases.due_items(case) == due  # the same time: the wait does not start again at the move
    with transaction(factory) as s:
        timers.fire_instance_timers(s, case, now=due[0][1] + timedelta(minutes=1))
    assert cases.ready_names(case) == ["follow_up"]
    with transaction(factory) as s:
        assert s.scalar(select(HumanTask.title).where(HumanTask.instance_id == case)) == "Follow up the wait"


def test_a_case_waiting_on_a_message_moves_and_still_receives_it(factory, cases, deploy, bundle_copy):
    deploy("message_receiver")
    case = cases.start("message_receiver", data={"case_ref": "CR-1"})
    deploy(bundle_copy("message_receiver", replace={'name="Follow up the closure"': 'name="Follow it up"'}),
           key="message_receiver")
    _migrate(factory, cases, case, 2)
    assert cases.subscriptions(case) == [("case_closed", {"case_ref": "CR-1"})]
    with transaction(factory) as s:
        assert messages.send_message(s, "case_closed", {"case_ref": "CR-1"}, {"outcome": "closed"},
                                     actor="api", now=NOW) == [case]
    assert cases.ready_names(case) == ["follow_up"]
    assert cases.instance(case).version == 2


def test_move_all_moves_those_that_can_and_names_the_others(factory, cases, version_2):
    movable = [cases.start("simple_review", data={"case_ref": f"CR-{n}"}) for n in range(2)]
    done = cases.start("simple_review", data={"case_ref": "CR-3"})
    cases.complete(cases.task(done, "submit").id, SUBMIT, who="police")
    version_2()
    on_two = cases.start("simple_review", data={"case_ref": "CR-9"})
    with transaction(factory) as s:
        listed = migration.preview_all(s, "simple_review", 2, actor=cases.actor(DESIGNER))
    assert {p.instance_id for p in listed} == {*movable, done}  # not the one already on version 2
    with transaction(factory) as s:
        summary = migration.migrate_all_safe(s, "simple_review", 2, actor=cases.actor(DESIGNER), now=NOW)
    assert set(summary.moved) == set(movable)
    assert [p.instance_id for p in summary.skipped] == [done]
    assert "Approve" in summary.skipped[0].problems[0] or "Submit" in summary.skipped[0].problems[0]
    assert [cases.instance(c).version for c in (*movable, done, on_two)] == [2, 2, 1, 2]


def test_the_same_version_finished_cases_and_unknown_ones_are_refused_in_words(factory, cases, version_2):
    version_2()
    on_two = cases.start("simple_review", data={"case_ref": "CR-9"})
    assert _preview(factory, cases, on_two, 2).problems == ("the case already runs version 2",)
    with pytest.raises(Conflict, match="already runs version 2"):
        _migrate(factory, cases, on_two, 2)
    with pytest.raises(NotFound):
        _preview(factory, cases, on_two, 7)
    with pytest.raises(NotFound):
        _preview(factory, cases, "no-such-case", 1)
    with transaction(factory) as s:
        s.get(ProcessInstance, on_two).status = "cancelled"
    assert _preview(factory, cases, on_two, 1).problems == ("the case is cancelled: only a running case can move",)


@pytest.mark.parametrize("role", ["coordinator", "chair", "police", "partner:csc", "scrutineer"])
def test_only_designers_and_admins_preview_or_move(factory, cases, version_2, role):
    case = cases.start("simple_review", data={"case_ref": "CR-1"})
    version_2()
    with pytest.raises(Forbidden):
        _preview(factory, cases, case, 2, who=role)
    with pytest.raises(Forbidden):
        _migrate(factory, cases, case, 2, who=role)
    assert _preview(factory, cases, case, 2, who="admin").can_migrate is True


def test_a_case_inside_a_call_activity_moves_with_the_child_process_and_carries_on(factory, cases, deploy,
                                                                                   bundle_copy):
    deploy("call_activity")
    case = cases.start("call_activity", data={"value": 21})
    review = cases.task(case, "child_review")
    deploy(bundle_copy("call_activity", file="call_child.bpmn",
                       replace={'name="Review in the child"': 'name="Review it in the child"'}), key="call_activity")
    assert _preview(factory, cases, case, 2).current_steps == ("Review in the child",)
    _migrate(factory, cases, case, 2)
    with transaction(factory) as s:
        assert s.get(HumanTask, review.id).title == "Review it in the child"
    cases.complete(review.id, _child_answer(), who="chair")
    assert cases.ready_names(case) == ["after_call"]  # the child ended and the parent carried on
    assert cases.instance(case).version == 2


def _child_answer():
    return {"child_note": "fine"}


def test_a_done_script_changed_inside_a_call_activity_is_refused_naming_it(factory, cases, deploy, bundle_copy):
    deploy("call_activity")
    case = cases.start("call_activity", data={"value": 21})
    deploy(bundle_copy("call_activity", file="call_child.bpmn", replace={"value * 2": "value * 3"}),
           key="call_activity")
    assert _preview(factory, cases, case, 2).problems == (
        "“Double it” has been done or is under way but version 2 changes its script",)


def test_a_multi_instance_task_under_way_that_changes_is_refused(factory, cases, deploy, bundle_copy):
    deploy("multi_instance")
    case = cases.start("multi_instance", data={"agencies": ["police", "csc"]})
    deploy(bundle_copy("multi_instance", replace={'name="Agency return"': 'name="The agency\'s return"'}),
           key="multi_instance")
    problems = _preview(factory, cases, case, 2).problems
    assert problems == ("“Agency return” repeats for several items and version 2 changes it",)


def test_a_waiting_timer_the_new_version_changes_counts_again_from_the_move(factory, cases, deploy, bundle_copy):
    deploy("intermediate_timer")
    case = cases.start("intermediate_timer")
    deploy(bundle_copy("intermediate_timer", replace={"<bpmn:timeDuration>P2D": "<bpmn:timeDuration>P3D"}),
           key="intermediate_timer")
    assert len(cases.due_items(case)) == 1
    _migrate(factory, cases, case, 2)  # an hour after NOW
    assert [d[1] for d in cases.due_items(case)] == [NOW + timedelta(hours=1, days=3)]
