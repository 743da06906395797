"""A 40-action plan monitored for 3 years of 4-weekly progress updates, through LIF's services on SQLite.

The plan is one case from agreement to closure; each action is an ``action_item`` instance per monitoring period
(the "continue-as-new" design of workflows/action_plan), a part of the plan, so the per-step cost and the stored
state of a period must not grow with the action's history, and the plan's own state must not grow with the
updates at all. The run raises the plan, then for every period fires the update timers with the timer sweep (as
the scheduler does), completes every progress update (which continues the action in a fresh instance), and in a
final period completes and signs off every action (each tells the plan, action_closed); the chair then closes the
plan. It prints the first-month and last-month median step times and stored state sizes side by side with their
ratio (last/first), the month a year on, from which a period's state (its capped history of 4 updates) no longer
grows, and the plan instance's own stored state in the first and last month. It exits 1 when the last month's
median step is more than 1.1 times the first month's. These wall-clock figures live here, not in
tests/scenarios/test_action_plan_long.py, which checks only what the run does and stores.

    python bench/action_plan_long.py [--actions 40] [--years 3] [--no-cache]

The clock is the engine's own (``clock.frozen_at``), moved 28 days at a time; nothing sleeps.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from demo import People, form_data  # noqa: E402
from engine import clock  # noqa: E402
from engine.bundles import definitions  # noqa: E402
from engine.cases import instances, runtime, timers  # noqa: E402
from engine.config import Config  # noqa: E402
from engine.people import accounts  # noqa: E402
from engine.reads import queries  # noqa: E402
from engine.store.db import transaction  # noqa: E402
from engine.store.models import ProcessInstance  # noqa: E402
from engine.work import tasks  # noqa: E402
from web.boot import boot  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START = datetime(2027, 1, 4, 9, tzinfo=UTC)
PERIOD = timedelta(days=28, minutes=1)  # a timer fires at the first sweep after its time
AGENCIES = [("police", "Police"), ("csc", "Children's Social Care"), ("health", "Community Health NHS Trust"),
            ("education", "Education"), ("probation", "Probation")]
PEOPLE = People(coordinator="coordinator", chair="chair", leads={k: f"{k}.lead" for k, _ in AGENCIES})


class Run:
    def __init__(self, factory) -> None:
        self.factory = factory
        self.now = START

    def complete(self, task, **choices) -> float:
        """Complete ``task`` as its person; the seconds the completion's transaction took."""
        actor = PEOPLE.actor_for(task.role, task.agency, task.assignee)
        with clock.frozen_at(self.now):
            with transaction(self.factory) as s:
                data = tasks.task_detail(s, task.id, actor=actor, now=self.now).data
            payload = form_data(task.process_key, task.name, data, PEOPLE, self.now, **choices)
            started = time.perf_counter()
            with transaction(self.factory) as s:
                tasks.complete_task(s, task.id, payload, actor=actor, now=self.now)
            return time.perf_counter() - started

    def ready_named(self, name: str):
        with transaction(self.factory) as s:
            page = queries.tasks_for(s, PEOPLE.actor(PEOPLE.coordinator), self.now, process_key="action_plan",
                                     limit=10_000)
        return [t for t in page.items if t.name == name]

    def state_size(self, instance_id: str) -> int:
        with transaction(self.factory) as s:
            return len(s.get_one(ProcessInstance, instance_id).state)

    def active_items(self) -> list[tuple[str, int, int]]:
        """(business key, stored state size, tasks in the state) of each running action_item instance."""
        with transaction(self.factory) as s:
            rows = s.scalars(select(ProcessInstance).where(ProcessInstance.process_id == "action_item",
                                                           ProcessInstance.status == "active"))
            return [(r.business_key, len(r.state), len(json.loads(r.state)["tasks"])) for r in rows]


def setup(factory) -> None:
    with transaction(factory) as s:
        for key, name in AGENCIES:
            accounts.add_agency(s, key, name, actor="bench", now=START)
            accounts.add_user(s, f"{key}.lead", roles=["reviewer"], agency_key=key, actor="bench", now=START)
        accounts.add_user(s, "coordinator", roles=["coordinator"], actor="bench", now=START)
        accounts.add_user(s, "chair", roles=["chair"], actor="bench", now=START)
        for key, kind in (("csc", "la"), ("health", "icb"), ("police", "police")):  # the plan's statutory partners
            accounts.set_partner_kind(s, key, kind, actor="bench", now=START)
        definitions.deploy_directory(s, REPO / "workflows" / "action_plan", actor="bench", now=START)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--no-cache", action="store_true", help="restore every step from the stored JSON")
    return parser.parse_args()


def _raise_plan(run: Run, args: argparse.Namespace) -> str:
    """Start the plan and raise its actions; the plan's id."""
    with clock.frozen_at(run.now), transaction(run.factory) as s:
        plan_id = instances.start_instance(s, "action_plan", actor=PEOPLE.actor("coordinator"), now=run.now).id
    (plan_form,) = run.ready_named("plan_form")
    run.complete(plan_form, actions=args.actions, due_in_days=int(args.years * 365) + 90,
                 sign_off_by=["coordinator", "chair"])
    return plan_id


def _monitor(run: Run, period: int, last: bool, actions: int, plan_id: str) -> dict:
    """One period: fire the update timers with the sweep, complete every progress update (closing the actions
    in the last period); the sweep's seconds per timer, each completion's seconds and the stored states."""
    run.now += PERIOD
    started = time.perf_counter()
    fired = timers.run_timer_sweep(run.factory, run.now)
    sweep = (time.perf_counter() - started) / max(fired, 1)
    assert fired == actions, (period, fired)
    items = run.active_items()
    steps = [run.complete(t, status="completed" if last else ("on_track", "at_risk")[period % 2])
             for t in run.ready_named("progress_update")]
    return {"sweep": sweep, "steps": steps, "sizes": [i[1] for i in items], "tasks": [i[2] for i in items],
            "plan_size": run.state_size(plan_id)}


def _outcome(factory) -> tuple[dict[str, int], int]:
    """action_item instances by status, and how many were signed off."""
    with transaction(factory) as s:
        by_status = dict(s.execute(select(ProcessInstance.status, func.count()).where(
            ProcessInstance.process_id == "action_item").group_by(ProcessInstance.status)).all())
        signed = sum(1 for d in s.scalars(select(ProcessInstance.data).where(
            ProcessInstance.process_id == "action_item", ProcessInstance.status == "completed"))
            if d["action"]["status"] == "signed_off")
    return by_status, signed


def _report(args: argparse.Namespace, periods: int, plan_id: str, months: list[dict]) -> None:
    """The first month, a year on (the 12 history entries a period carries are full from then) and the last
    month of updates that continue (the one after it closes the actions), side by side, with the ratios."""
    first, year, final = months[0], months[min(13, len(months) - 2)], months[-2]
    ms = lambda v: f"{v * 1000:8.2f} ms"  # noqa: E731
    print(f"action plan of {args.actions} actions, {periods} four-weekly updates ({periods * 28} days) + close; "
          f"workflow cache {'off (restore every step)' if args.no_cache else 'on'}; plan {plan_id[:8]}")
    print(f"{'':34}{'first month':>14}{'a year on':>14}{'last month':>14}{'last/first':>12}{'last/year':>11}")
    rows = [("progress update, median", *(statistics.median(m["steps"]) for m in (first, year, final))),
            ("progress update, fastest", *(min(m["steps"]) for m in (first, year, final))),
            ("timer fired (sweep, per instance)", *(m["sweep"] for m in (first, year, final)))]
    for label, a, y, b in rows:
        print(f"{label:34}{ms(a):>14}{ms(y):>14}{ms(b):>14}{b / a:12.2f}{b / y:11.2f}")
    a, y, b = (statistics.median(m["sizes"]) for m in (first, year, final))
    print(f"{'stored state per instance':34}{a:>12.0f} B{y:>12.0f} B{b:>12.0f} B{b / a:12.2f}{b / y:11.2f}")
    print(f"{'tasks in the state':34}{max(first['tasks']):>14}{max(year['tasks']):>14}{max(final['tasks']):>14}")
    a, y, b = (m["plan_size"] for m in (first, year, final))
    print(f"{'the plan instance own stored state':34}{a:>12} B{y:>12} B{b:>12} B{b / a:12.2f}{b / y:11.2f}")


def main() -> None:
    args = _arguments()
    runtime.WORKFLOWS.enabled = not args.no_cache
    periods = int(args.years * 365 // 28)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        # wired as the app is (reminders, LIF_SCRIPT_* and LIF_SPIFF_FAST_PATHS in the sessions' step settings)
        wired = boot(Config.from_env(secret_key="bench", database_url=url), create_tables=True)
        engine, factory = wired.engine, wired.factory
        setup(factory)
        run = Run(factory)
        began = time.perf_counter()
        plan_id = _raise_plan(run, args)
        months = [_monitor(run, period, period == periods, args.actions, plan_id) for period in range(periods + 1)]
        for name in ("sign_off_coordinator", "sign_off_chair", "plan_sign_off"):  # then the chair closes the plan
            for task in run.ready_named(name):
                run.complete(task)
        with transaction(factory) as s:
            plan_status = s.get_one(ProcessInstance, plan_id).status
        total = time.perf_counter() - began
        by_status, signed = _outcome(factory)
        db_size = (Path(folder) / "bench.sqlite3").stat().st_size
        engine.dispose()
    _report(args, periods, plan_id, months)
    print(f"action_item instances: {sum(by_status.values())} ({by_status}); signed off at the end: {signed}")
    print(f"the plan: {plan_status} after its last action was signed off and the chair closed it")
    print(f"whole run {total:.1f} s for {periods + 1} months x {args.actions} actions; database {db_size / 1e6:.1f} MB")
    first, final = statistics.median(months[0]["steps"]), statistics.median(months[-2]["steps"])
    flat = final <= 1.1 * first
    print(f"flat: {'yes' if flat else 'NO'} (last month's median progress update {final / first:.2f} x the first's; "
          f"at most 1.10)")
    if not flat:
        sys.exit(1)


if __name__ == "__main__":
    main()
