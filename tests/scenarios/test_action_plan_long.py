"""A plan monitored for 3 years of 4-weekly progress updates stays flat: each period is a fresh action_item
instance, so the stored state of a period does not grow with the action's history, and the plan (one case, open
until the chair closes it) is not touched by the updates at all: its own state is the same in the last month as
in the first.

The test runs a smaller plan than bench/action_plan_long.py (5 actions, not 40); every step is still saved to and
restored from the database, and the timers are fired by the timer sweep as time moves. It checks what the run
does and stores; how long the steps take (first month against last) is the benchmark's figure, not a test's."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.store.db import transaction
from engine.store.models import ProcessInstance

pytestmark = pytest.mark.slow  # three years of a plan, step by step (~10 s)

ACTIONS = 5
UPDATES = 39  # 39 periods of 28 days: three years
STATUSES = ("on_track", "at_risk", "not_started")


def _period_states(run) -> list[tuple[int, int]]:
    """(stored state size, tasks in the state) of every running action_item instance."""
    sizes = []
    with transaction(run.factory) as s:
        for item in run.items(status="active"):
            state = s.get(ProcessInstance, item.id).state
            sizes.append((len(state), len(json.loads(state)["tasks"])))
    return sizes


def _monitor_one_period(run, period: int, keys: list[str]) -> list[tuple[int, int]]:
    """Fire the period's update timers with the sweep and complete every progress update (the last period
    completes the actions); the states of the period's instances before their updates."""
    run.later(days=28, minutes=1)
    assert run.sweep() == ACTIONS  # one timer per action, each in its own instance
    states = _period_states(run)
    updates = run.ready(process_key="action_plan", name="progress_update")
    assert sorted(run.instance(t.instance_id).business_key for t in updates) == keys
    for task in updates:
        run.complete(task, status="completed" if period == UPDATES else STATUSES[period % 3])
    return states


def _plan_state(run, plan_id: str) -> str:
    with transaction(run.factory) as s:
        return s.get_one(ProcessInstance, plan_id).state


def _sign_off_and_check_closed(run, keys: list[str], plan_id: str) -> None:
    for name in ("sign_off_coordinator", "sign_off_chair"):
        for task in run.ready(process_key="action_plan", name=name):
            assert run.instance(plan_id).status == "active"  # until the last action is signed off
            run.complete(task)
    assert run.instance(plan_id).data["open_actions"] == 0
    run.do(plan_id, "plan_sign_off")
    assert run.instance(plan_id).status == "completed"
    items = run.items()
    assert len(items) == ACTIONS * (UPDATES + 1) and {i.status for i in items} == {"completed"}
    for key in keys:
        final = run.items(business_key=key)[-1].data
        assert final["action"]["status"] == "signed_off" and final["updates_count"] == UPDATES + 1
        assert len(final["progress_history"]) == 4  # the history a period carries is capped


def test_three_years_of_updates_stay_flat(run):
    run.move_to("2027-01-04")
    plan = run.start("action_plan")
    run.do(plan, "plan_form", actions=ACTIONS, due_in_days=4 * 365, sign_off_by=["coordinator", "chair"])
    keys = sorted(i.business_key for i in run.items())
    assert len(keys) == ACTIONS
    plan_states = []
    months = []
    for period in range(UPDATES + 1):
        months.append(_monitor_one_period(run, period, keys))
        plan_states.append(_plan_state(run, plan))
    _sign_off_and_check_closed(run, keys, plan)
    assert plan_states[0] == plan_states[UPDATES]  # the updates never touch the plan's own state

    first, last = months[0], months[UPDATES - 1]  # the last month of updates that continue
    first_size, last_size = max(size for size, _ in first), max(size for size, _ in last)
    year_on_size = max(size for size, _ in months[13])
    assert {tasks for _, tasks in first + last} == {first[0][1]}  # the same task count, first month and last
    assert last_size <= 2 * first_size, (first_size, last_size)  # 12 history entries more, then flat
    assert abs(last_size - year_on_size) <= 0.02 * year_on_size, (year_on_size, last_size)


BENCH = Path(__file__).resolve().parents[2] / "bench" / "action_plan_long.py"


def test_the_benchmark_runs_small_and_prints_the_plan_state():
    """bench/action_plan_long.py end to end on a small plan (its figures are the benchmark's, not asserted)."""
    done = subprocess.run([sys.executable, str(BENCH), "--actions", "2", "--years", "0.3"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr  # 1: not flat, which a loaded machine can make of a short run
    for line in ("progress update, median", "the plan instance own stored state", "the plan: completed", "flat: "):
        assert line in done.stdout, done.stdout
