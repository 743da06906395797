"""BPMN timers: stored as ``due_item`` rows and fired by the sweep once their time has come, never before.
The clock is moved with time-machine (never slept on)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.cases import instances, timers
from engine.store.db import transaction
from engine.store.models import ProcessInstance

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

TWO_DAYS = NOW + timedelta(days=2)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _sweep(factory, clock, moment: datetime) -> int:
    clock.move_to(moment)
    return timers.run_timer_sweep(factory, moment)


def test_boundary_timer_stored_as_due_item(deploy, cases, clock, restore_every_step):
    deploy("boundary_timer")
    instance_id = cases.start("boundary_timer")
    assert cases.ready_names(instance_id) == ["review"]
    assert cases.due_items(instance_id) == [("timer", TWO_DAYS, None)]


def test_boundary_timer_does_not_fire_before_due(deploy, cases, factory, clock, restore_every_step):
    deploy("boundary_timer")
    instance_id = cases.start("boundary_timer")
    assert _sweep(factory, clock, NOW + timedelta(days=1)) == 0
    assert _sweep(factory, clock, TWO_DAYS - timedelta(seconds=1)) == 0
    assert cases.ready_names(instance_id) == ["review"]
    assert cases.due_items(instance_id) == [("timer", TWO_DAYS, None)]


def test_boundary_timer_fires_when_due_and_withdraws_task(deploy, cases, factory, clock, restore_every_step):
    deploy("boundary_timer")
    instance_id = cases.start("boundary_timer")
    review_id = cases.task(instance_id, "review").id
    assert _sweep(factory, clock, TWO_DAYS + timedelta(minutes=5)) == 1
    assert cases.ready_names(instance_id) == ["escalate"]
    assert cases.task(instance_id, "escalate").role == "coordinator"
    assert [(t.id, t.state) for t in cases.tasks(instance_id, state="cancelled")] == [(review_id, "cancelled")]
    assert cases.due_items(instance_id) == []
    assert "task.withdrawn" in cases.actions(instance_id)
    assert _sweep(factory, clock, TWO_DAYS + timedelta(days=1)) == 0  # fired once only


def test_boundary_timer_dropped_when_task_done_in_time(deploy, cases, factory, clock, restore_every_step):
    deploy("boundary_timer")
    instance_id = cases.start("boundary_timer")
    clock.move_to(NOW + timedelta(days=1))
    cases.complete(cases.task(instance_id, "review").id, {}, who="police", now=NOW + timedelta(days=1))
    assert cases.instance(instance_id).status == "completed"
    assert cases.due_items(instance_id) == []
    assert _sweep(factory, clock, TWO_DAYS + timedelta(days=1)) == 0


def test_intermediate_duration_timer_waits_two_days(deploy, cases, factory, clock, restore_every_step):
    deploy("intermediate_timer")  # <timeDuration>P2D</timeDuration>, a plain ISO literal
    instance_id = cases.start("intermediate_timer")
    assert cases.instance(instance_id).status == "active"
    assert cases.ready_names(instance_id) == []
    assert cases.due_items(instance_id) == [("timer", TWO_DAYS, None)]
    assert _sweep(factory, clock, TWO_DAYS - timedelta(minutes=1)) == 0
    assert cases.ready_names(instance_id) == []
    assert _sweep(factory, clock, TWO_DAYS + timedelta(seconds=1)) == 1
    assert cases.ready_names(instance_id) == ["follow_up"]
    assert cases.due_items(instance_id) == []


def test_intermediate_timer_counts_from_when_it_was_reached(deploy, cases, factory, clock, restore_every_step):
    deploy("intermediate_timer")
    later = NOW + timedelta(days=10, hours=3)
    clock.move_to(later)
    instance_id = cases.start("intermediate_timer", now=later)
    assert cases.due_items(instance_id) == [("timer", later + timedelta(days=2), None)]


def test_date_timer_fires_on_its_date(deploy, cases, factory, clock, restore_every_step):
    deploy("date_timer")  # <timeDate>2026-12-24T12:00:00Z</timeDate>
    instance_id = cases.start("date_timer")
    due = datetime.fromisoformat("2026-12-24T12:00:00+00:00")
    assert cases.due_items(instance_id) == [("timer", due, None)]
    assert _sweep(factory, clock, due - timedelta(seconds=1)) == 0
    assert cases.ready_names(instance_id) == []
    assert _sweep(factory, clock, due + timedelta(hours=1)) == 1
    assert cases.ready_names(instance_id) == ["publish"]


def test_sweep_fires_only_due_instances(deploy, cases, factory, clock, restore_every_step):
    deploy("intermediate_timer")
    deploy("date_timer")
    early = cases.start("intermediate_timer")
    late = cases.start("date_timer")
    assert _sweep(factory, clock, TWO_DAYS + timedelta(seconds=1)) == 1
    assert (cases.ready_names(early), cases.ready_names(late)) == (["follow_up"], [])


def test_sweep_after_downtime_fires_everything_overdue(deploy, cases, factory, clock, restore_every_step):
    deploy("intermediate_timer")
    deploy("date_timer")
    first, second = cases.start("intermediate_timer"), cases.start("date_timer")
    assert _sweep(factory, clock, datetime.fromisoformat("2027-01-05T09:00:00+00:00")) == 2
    assert (cases.ready_names(first), cases.ready_names(second)) == (["follow_up"], ["publish"])


def test_cancelled_instance_timer_never_fires(deploy, cases, factory, clock, restore_every_step):
    deploy("intermediate_timer")
    instance_id = cases.start("intermediate_timer")
    with transaction(factory) as s:
        instances.cancel_instance(s, instance_id, "Withdrawn", actor=cases.actor("coordinator"), now=NOW)
    assert cases.due_items(instance_id) == []
    assert _sweep(factory, clock, TWO_DAYS + timedelta(seconds=1)) == 0
    assert cases.instance(instance_id).status == "cancelled"


def test_sweep_leaves_a_busy_case_for_the_next_sweep(deploy, cases, factory, db, clock, restore_every_step):
    """On PostgreSQL the sweep locks a row's case before the row, as every step does, and skips a case another
    step holds, so the two never wait on each other in a cycle; the timer fires at the next sweep."""
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    deploy("intermediate_timer")
    instance_id = cases.start("intermediate_timer")
    busy = factory()
    busy.execute(select(ProcessInstance.id).where(ProcessInstance.id == instance_id).with_for_update())
    try:
        assert _sweep(factory, clock, TWO_DAYS + timedelta(seconds=1)) == 0
        assert cases.ready_names(instance_id) == []
    finally:
        busy.rollback()
        busy.close()
    assert _sweep(factory, clock, TWO_DAYS + timedelta(seconds=2)) == 1
    assert cases.ready_names(instance_id) == ["follow_up"]
