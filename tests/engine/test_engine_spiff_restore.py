"""Restoring a stored state with LIF's restorer (its converter, the version's shared specs) gives the workflow
SpiffWorkflow's own deserialization gives: the same tasks, states and data, for every shipped bundle at several
points of a case (demo form data at each human task, timers fired when nothing else moves)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from functools import cache
from typing import Any

import pytest

from demo import People, form_data
from engine import clock
from engine.bundles import carry_forward
from engine.bundles.parsing import parse_bundle, read_bundle_dir
from engine.config import REPO_ROOT
from engine.spiff.adapter import Workflow
from engine.spiff.state import LIBRARY, SpecCache
from tests.conftest import VERIFIED

from .engine_kit import NOW


def _settings(fast_paths: bool):
    """The test suite's step settings with LIF's fast paths on or off (the library's own walks and serialization)."""
    return replace(VERIFIED, spiff_fast_paths=fast_paths)

SHIPPED = sorted(p.name for p in (REPO_ROOT / "workflows").iterdir() if (p / "process_model.json").is_file())
PEOPLE = People(coordinator="coordinator", chair="chair", leads={"police": "lead.police", "health": "lead.health"})
STEPS = 8


@cache  # each bundle parsed once for the module: parsing is not what these tests check
def _specs(key: str) -> tuple[Any, str, dict[str, str], dict[str, Any]]:
    bundle = parse_bundle(key, read_bundle_dir(REPO_ROOT / "workflows" / key))
    specs = SpecCache().get((0, bundle.content_hash), lambda: bundle.spec_json)
    first = {name: None for name in carry_forward.targets(bundle.model)}  # a first case: nothing carried forward
    return specs, bundle.primary_process_id, bundle.message_starts, first


@cache
def _stored_points(key: str) -> tuple[Any, tuple[tuple[str, str], ...]]:
    """(process id, stored state) after the start and after each of up to ``STEPS`` steps of a case of ``key``;
    when the case ends, or waits for nothing but messages, having thrown a message that starts another process of
    the bundle (an action plan's actions), the case of that process goes on."""
    specs, process_id, message_starts, first = _specs(key)
    with clock.frozen_at(NOW):
        flow, facts = Workflow.start(specs, process_id, first, _settings(True))
    moment, points = NOW, [(process_id, flow.dump())]
    for _ in range(STEPS):
        started = [m for m in facts.thrown if m.name in message_starts]
        if started and (facts.completed or not (facts.ready or facts.timers)):
            process_id = message_starts[started[0].name]
            with clock.frozen_at(moment):
                flow, facts = Workflow.start(specs, process_id, {}, _settings(True), message=started[0])
        elif facts.completed or facts.error is not None:
            break
        elif facts.ready:
            task = min(facts.ready, key=lambda t: (t.name, t.id))
            with clock.frozen_at(moment):
                facts = flow.complete(task.id, form_data(key, task.name, task.data, PEOPLE, moment))
        elif facts.timers:
            moment = min(t.due_at for t in facts.timers) + timedelta(days=1)
            with clock.frozen_at(moment):
                facts = flow.fire_timers()
        else:
            break
        points.append((process_id, flow.dump()))
    return specs, tuple(points)


def _tasks(wf: Any) -> list[tuple]:
    return sorted((str(t.id), t.task_spec.name, t.state, t.data, t.internal_data, t.last_state_change, t.triggered,
                   str(t.parent.id) if t.parent is not None else None, [str(c.id) for c in t.children])
                  for t in wf.tasks.values())


def _snapshot(wf: Any) -> dict[str, Any]:
    """Everything a restore sets, read through the library's public attributes."""
    return {
        "tasks": _tasks(wf), "data": wf.data, "correlations": wf.correlations, "success": wf.success,
        "completed": wf.completed, "root": str(wf.task_tree.id),
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "subprocesses": {str(k): (sp.spec.name, str(sp.parent_task_id), _tasks(sp), sp.data)
                         for k, sp in wf.subprocesses.items()},
        "events": [LIBRARY.to_dict(e) for e in wf.bpmn_events],
        "waiting_events": sorted(str(t.id) for t in wf.event_manager.tasks.values()),
        "spec": wf.spec.name, "subprocess_specs": sorted(wf.subprocess_specs),
    }


def _library_restore(state: str, specs: Any, process_id: str) -> Any:
    """SpiffWorkflow's own ``deserialize_json``, of the state with its specs written back in as it writes them."""
    return Workflow.restore(specs, process_id, state, _settings(False)).wf


@pytest.mark.parametrize("key", SHIPPED)
def test_our_restore_matches_the_library_deserialization_at_every_point_of_a_case(key):
    specs, points = _stored_points(key)
    assert len(points) >= 4, "the case should move through several points"
    for process_id, state in points:
        ours = Workflow.restore(specs, process_id, state, _settings(True)).wf
        assert _snapshot(ours) == _snapshot(_library_restore(state, specs, process_id))


@pytest.mark.parametrize("key", SHIPPED)
def test_a_restored_case_dumps_the_same_state_both_ways(key):
    """Our incremental dump of our restore says what the library's serialization of its restore says."""
    specs, points = _stored_points(key)
    for process_id, state in points:
        fast = Workflow.restore(specs, process_id, state, _settings(True))
        library = Workflow.restore(specs, process_id, state, _settings(False))
        assert json.loads(fast.dump()) == json.loads(library.dump()) == json.loads(state)
        assert len(fast.wf.tasks) > 1


def test_the_library_restore_does_not_share_our_specs():
    """The comparison is honest: the library's restore builds its own specs from the stored JSON."""
    specs, points = _stored_points(SHIPPED[0])
    process_id, state = points[-1]
    library = _library_restore(state, specs, process_id)
    ours = Workflow.restore(specs, process_id, state, _settings(True)).wf
    assert ours.spec is specs.specs[process_id] and library.spec is not ours.spec
