"""The elements a case has run (script tasks, gateways, events, people's tasks), kept on its own row for its
diagram: the workflow's task tree need not keep completed tasks, so the row is the record."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine.cases import runtime, timers
from engine.store.db import transaction
from engine.store.models import ProcessInstance

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _executed(factory, instance_id):
    with transaction(factory) as s:
        return s.get(ProcessInstance, instance_id).executed_elements


@pytest.mark.parametrize("cached", [False, True], ids=["restored", "cached"])
def test_every_element_run_is_recorded_and_the_branch_not_taken_is_not(deploy, cases, factory, clock, cached,
                                                                        monkeypatch):
    monkeypatch.setattr(runtime.WORKFLOWS, "enabled", cached)
    deploy("executed_path")
    instance_id = cases.start("executed_path", data={"score": 9})
    assert _executed(factory, instance_id) == ["escalate", "gw_high", "merge", "score_it", "start"]
    clock.move_to(NOW + timedelta(days=1, minutes=1))
    assert timers.run_timer_sweep(factory, NOW + timedelta(days=1, minutes=1)) == 1
    assert "wait_a_day" in _executed(factory, instance_id)
    cases.complete(cases.task(instance_id, "review").id, {}, now=NOW + timedelta(days=1, minutes=1))
    assert cases.instance(instance_id).status == "completed"
    assert _executed(factory, instance_id) == ["end", "escalate", "gw_high", "merge", "review", "score_it", "start",
                                               "wait_a_day"]


def test_the_other_branch_is_recorded_when_taken(deploy, cases, factory, clock):
    deploy("executed_path")
    instance_id = cases.start("executed_path", data={"score": 1})
    assert set(_executed(factory, instance_id)) == {"start", "score_it", "gw_high", "note_low", "merge"}


def test_a_step_that_runs_nothing_new_leaves_the_row_alone(deploy, cases, factory, clock):
    deploy("executed_path")
    instance_id = cases.start("executed_path", data={"score": 1})
    before = cases.instance(instance_id).revision
    assert timers.run_timer_sweep(factory, NOW + timedelta(hours=1)) == 0
    assert cases.instance(instance_id).revision == before


def test_the_record_is_a_bounded_set(deploy, cases, factory, clock, monkeypatch):
    monkeypatch.setattr(runtime, "MAX_EXECUTED", 3)
    deploy("executed_path")
    instance_id = cases.start("executed_path", data={"score": 9})
    assert len(_executed(factory, instance_id)) == 3
