"""The cheaper tree walks (engine/spiff/walks.py) behave as SpiffWorkflow's own:
the same diagrams driven the same way reach the same tasks, timers, waits and ends with it and without it."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.bundles.parsing import parse_bundle, read_bundle_dir
from engine.spiff import walks as spiff_walks
from engine.spiff.adapter import ThrownMessage, Workflow
from engine.spiff.state import SpecCache
from tests.conftest import VERIFIED

from .engine_kit import BUNDLES, NOW


def _settings(fast_paths: bool):
    """The test suite's step settings with LIF's fast paths on or off (the library's own walks and serialization)."""
    return replace(VERIFIED, spiff_fast_paths=fast_paths)

DATA = {"value": 2, "approved": True, "agencies": [{"key": "police"}, {"key": "health"}], "case_ref": "W-1",
        "summary": "s", "decision": "approve", "score": 3}
DIAGRAMS = ["parallel_timers", "cycle_ack", "boundary_timer", "intermediate_timer", "date_timer", "deadlines",
            "multi_instance", "call_activity", "message_receiver", "simple_review"]


def _specs(key: str):
    bundle = parse_bundle(key, read_bundle_dir(BUNDLES / key))
    return SpecCache().get((0, bundle.content_hash), lambda: bundle.spec_json), bundle.primary_process_id


def _drive(key: str, timers_first: bool = False, fast_paths: bool = True) -> list[tuple]:
    """Complete the first ready task, or else deliver the awaited message, or else fire timers a day after the
    earliest is due (timers first, with ``timers_first``), until the case ends or stops moving; the observable
    facts after each step, and each task's state by its spec."""
    specs, process_id = _specs(key)
    seen = []
    with clock.frozen_at(NOW):
        flow, facts = Workflow.start(specs, process_id, dict(DATA), _settings(fast_paths))
    moment = NOW
    for _ in range(25):
        seen.append(_observed(flow, facts))
        if facts.completed or facts.error is not None:
            break
        if facts.timers and timers_first:
            moment = min(t.due_at for t in facts.timers) + timedelta(days=1)
            with clock.frozen_at(moment):
                facts = flow.fire_timers()
        elif facts.ready:
            first = sorted(facts.ready, key=lambda t: (t.name, t.id))[0]
            with clock.frozen_at(moment):
                facts = flow.complete(first.id, dict(DATA))
        elif facts.waits:
            wait = facts.waits[0]
            facts = flow.deliver(ThrownMessage(wait.message_name, {"case_ref": "W-1"}, {"case_ref": "W-1"}))
        elif facts.timers:
            moment = min(t.due_at for t in facts.timers) + timedelta(days=1)
            with clock.frozen_at(moment):
                facts = flow.fire_timers()
        else:
            break
    return seen


def _observed(flow: Workflow, facts) -> tuple:
    states = sorted((t.task_spec.name, TaskState.get_name(t.state)) for t in flow._all_tasks())
    return (sorted(t.name for t in facts.ready), sorted(t.name for t in facts.timers),
            sorted(w.message_name for w in facts.waits), facts.completed,
            facts.error.message if facts.error else None, states)


@pytest.mark.parametrize("key,timers_first",
                         [(k, False) for k in DIAGRAMS] + [("boundary_timer", True), ("cycle_ack", True)])
def test_the_same_steps_reach_the_same_states_as_the_library_walk(key, timers_first):
    ours = _drive(key, timers_first)
    library = _drive(key, timers_first, fast_paths=False)
    assert ours == library
    assert len(ours) > 1


def _counting_walks(wf: BpmnWorkflow) -> list[int]:
    calls = []
    original = wf.update_waiting_tasks

    def walk() -> None:
        calls.append(1)
        original()
    wf.update_waiting_tasks = walk
    spiff_walks.install(wf)
    return calls


def test_nothing_waiting_means_no_walk():
    specs, process_id = _specs("named_assignee")  # two user tasks in a row
    wf = BpmnWorkflow(specs.specs[process_id], specs.subprocess_specs)
    walks = _counting_walks(wf)
    wf.do_engine_steps()
    ready = wf.get_tasks(state=TaskState.READY, manual=True)
    assert ready and not any(t.state == TaskState.WAITING for t in wf.tasks.values())
    ready[0].run()
    wf.do_engine_steps()
    assert walks == []


def _named(wf: BpmnWorkflow, state: TaskState) -> list[str]:
    return sorted(t.task_spec.name for t in wf.tasks.values() if t.state == state)


def test_one_waiting_task_is_updated_without_a_walk_and_several_take_the_walk():
    specs, process_id = _specs("parallel_timers")
    wf = BpmnWorkflow(specs.specs[process_id], specs.subprocess_specs)
    walks = _counting_walks(wf)
    with clock.frozen_at(NOW):
        wf.do_engine_steps()
    assert _named(wf, TaskState.WAITING) == ["one_day", "three_days"] and walks  # two wait: the library's walk ran
    walks.clear()
    with clock.frozen_at(NOW + timedelta(days=2)):
        wf.refresh_timers()
        wf.do_engine_steps()  # the one-day timer fires; its branch reaches the join, which waits
    assert _named(wf, TaskState.WAITING) == ["join", "three_days"] and walks
    walks.clear()
    with clock.frozen_at(NOW + timedelta(days=4)):
        wf.refresh_timers()
        wf.do_engine_steps()
    assert [t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)] == ["follow_up"]
    assert _named(wf, TaskState.WAITING) == []
    wf.get_tasks(state=TaskState.READY, manual=True)[0].run()
    wf.do_engine_steps()
    assert wf.is_completed()


def test_a_lone_waiting_task_is_updated_without_the_walk():
    specs, process_id = _specs("intermediate_timer")
    wf = BpmnWorkflow(specs.specs[process_id], specs.subprocess_specs)
    walks = _counting_walks(wf)
    with clock.frozen_at(NOW):
        wf.do_engine_steps()
    assert _named(wf, TaskState.WAITING) == ["cooling_off"]
    with clock.frozen_at(NOW + timedelta(days=3)):
        wf.update_waiting_tasks()  # the timer is due: updating the lone waiting task makes it ready
    assert walks == []
    assert _named(wf, TaskState.READY) == ["cooling_off"]


@pytest.mark.parametrize("key", ["deadlines", "multi_instance", "call_activity", "named_assignee"])
def test_ready_tasks_are_the_library_walks_in_its_order(key):
    """Several ready tasks (parallel branches, multi-instance, a call activity's subprocess) come from the library's
    walk, in its order; a lone one from the task map. Either way the answer is the library's."""
    specs, process_id = _specs(key)
    with clock.frozen_at(NOW):
        flow, _ = Workflow.start(specs, process_id, dict(DATA), _settings(True))
    wf = flow.wf
    for _ in range(6):
        ours = wf.get_tasks(state=TaskState.READY)
        assert ours == BpmnWorkflow.get_tasks(wf, state=TaskState.READY)
        manual = [t for t in ours if t.task_spec.manual]
        if not manual:
            break
        with clock.frozen_at(NOW):
            flow.complete(str(manual[0].id), dict(DATA))


def test_a_cycle_timer_fires_as_often_as_with_the_library_walk():
    """A lone waiting cycle timer, updated hours late, fires once per update, as in the library's walk (its new
    children wait too, but the walk would not visit them in the same pass)."""
    def run(fast_paths: bool) -> tuple:
        specs, process_id = _specs("cycle_ack")
        with clock.frozen_at(NOW):
            flow, facts = Workflow.start(specs, process_id, {}, _settings(fast_paths))
        first = next(t for t in facts.ready if t.name == "a")
        with clock.frozen_at(NOW + timedelta(hours=3, minutes=30)):
            facts = flow.complete(first.id, {})
        return _observed(flow, facts)

    ours = run(fast_paths=True)
    assert ours == run(fast_paths=False)
    assert ours[2].count("ack") >= 1
