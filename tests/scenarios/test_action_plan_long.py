"""A plan monitored for 3 years of 4-weekly progress updates stays flat: each period is a fresh action_item
instance, so the stored state of a period and the cost of a step do not grow with the action's history.

The test runs a smaller plan than bench/action_plan_long.py (40 actions) to keep its time reasonable; every step
is still saved to and restored from the database, and the timers are fired by the timer sweep as time moves."""
from __future__ import annotations

import json
import statistics
import time

from engine.store.db import transaction
from engine.store.models import ProcessInstance

ACTIONS = 5
UPDATES = 39  # 39 periods of 28 days: three years


def _period_states(run):
    """(stored state size, tasks in the state) of every running action_item instance."""
    sizes = []
    with transaction(run.factory) as s:
        for item in run.items(status="active"):
            state = s.get(ProcessInstance, item.id).state
            sizes.append((len(state), len(json.loads(state)["tasks"])))
    return sizes


def test_three_years_of_updates_stay_flat(run):
    run.move_to("2027-01-04")
    plan = run.start("action_plan")
    run.do(plan, "plan_form", actions=ACTIONS, due_in_days=4 * 365, sign_off_by=["coordinator", "chair"])
    keys = sorted(i.business_key for i in run.items())
    assert len(keys) == ACTIONS
    months = []
    for period in range(UPDATES + 1):
        run.later(days=28, minutes=1)
        started = time.perf_counter()
        assert run.sweep() == ACTIONS  # one timer per action, each in its own instance
        sweep = (time.perf_counter() - started) / ACTIONS
        states = _period_states(run)
        updates = run.ready(process_key="action_plan", name="progress_update")
        assert sorted(run.instance(t.instance_id).business_key for t in updates) == keys
        steps = []
        for task in updates:
            status = "completed" if period == UPDATES else ("on_track", "at_risk", "not_started")[period % 3]
            run.complete(task, status=status)
            steps.append(run.last_step_seconds)
        months.append({"steps": steps, "sweep": sweep, "states": states})

    # the last period completed every action; signing them off closes the plan
    for name in ("sign_off_coordinator", "sign_off_chair"):
        for task in run.ready(process_key="action_plan", name=name):
            run.complete(task)
    items = run.items()
    assert len(items) == ACTIONS * (UPDATES + 1) and {i.status for i in items} == {"completed"}
    for key in keys:
        final = run.items(business_key=key)[-1].data
        assert final["action"]["status"] == "signed_off" and final["updates_count"] == UPDATES + 1
        assert len(final["progress_history"]) == 12  # the history a period carries is capped

    first, last = months[0], months[UPDATES - 1]  # the last month of updates that continue
    first_size = max(size for size, _ in first["states"])
    last_size = max(size for size, _ in last["states"])
    year_on_size = max(size for size, _ in months[13]["states"])
    assert {tasks for _, tasks in first["states"] + last["states"]} == {first["states"][0][1]}  # same task count
    assert last_size <= 2 * first_size, (first_size, last_size)  # 12 history entries more, then flat
    assert abs(last_size - year_on_size) <= 0.02 * year_on_size, (year_on_size, last_size)
    # Per step: the completion of a progress update (which also starts the next period's instance), and the
    # sweep's cost per timer fired. Compared on the lower quartile, with a generous margin: a busy machine slows
    # some steps, but growth with the action's history would slow them all.
    early, late = months[:2], months[UPDATES - 2:UPDATES]  # the first and the last months, two of each
    first_step = _lower_quartile([t for m in early for t in m["steps"]])
    last_step = _lower_quartile([t for m in late for t in m["steps"]])
    assert last_step <= 3 * first_step + 0.02, (first_step, last_step)
    first_sweep, last_sweep = min(m["sweep"] for m in early), min(m["sweep"] for m in late)
    assert last_sweep <= 3 * first_sweep + 0.02, (first_sweep, last_sweep)


def _lower_quartile(values):
    return statistics.quantiles(values, n=4)[0]
