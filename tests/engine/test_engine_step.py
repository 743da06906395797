"""The step function every change to a running case goes through: its revision check and its refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from engine.cases import runtime, step
from engine.errors import Conflict
from engine.store.db import transaction
from engine.store.models import ProcessInstance

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


@pytest.fixture
def review(deploy, cases):
    deploy("simple_review")
    return cases.start("simple_review")


@pytest.mark.parametrize("cached", [False, True], ids=["restored", "cached"])
def test_step_on_a_stale_revision_is_a_conflict_and_saves_nothing(review, cases, factory, cached, monkeypatch):
    monkeypatch.setattr(runtime.WORKFLOWS, "enabled", cached)
    before = cases.instance(review)
    with pytest.raises(Conflict), transaction(factory) as s:
        instance = s.get(ProcessInstance, review)
        s.execute(update(ProcessInstance).where(ProcessInstance.id == review).values(revision="another-writer")
                  .execution_options(synchronize_session=False))  # a concurrent step saved in between
        step.take_step(s, instance, lambda flow: flow.fire_timers(), actor="scheduler", now=NOW)
    assert cases.instance(review).revision == before.revision
    assert cases.actions(review) == ["instance.started", "task.ready"]


def test_step_whose_action_refuses_saves_nothing(review, cases, factory):
    def refuse(flow):
        raise Conflict("the task is no longer ready")

    before = cases.instance(review)
    with pytest.raises(Conflict, match="no longer ready"), transaction(factory) as s:
        step.take_step(s, s.get(ProcessInstance, review), refuse, actor="coordinator", now=NOW)
    assert cases.instance(review).revision == before.revision
    assert cases.ready_names(review) == ["submit"]


def test_step_returns_its_facts_and_keeps_the_case_where_it_waits(review, cases, factory):
    with transaction(factory) as s:
        facts = step.take_step(s, s.get(ProcessInstance, review), lambda flow: flow.fire_timers(),
                               actor="scheduler", now=NOW)
    assert [t.name for t in facts.ready] == ["submit"] and facts.error is None and facts.thrown == []
    assert cases.ready_names(review) == ["submit"]
    assert cases.actions(review) == ["instance.started", "task.ready"]  # nothing new became ready
