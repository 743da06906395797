"""The story driver: deploys what the demo needs, adds the partnership, and plays every process's cases
(``run_cases`` in ``demo.scr``, ``demo.cdop``, ...) through the engine's services as people would have worked on
them, at times in the past.

Each step is given its own past ``now`` and runs under ``clock.frozen_at`` so that scripts (``today()``) and
BPMN timers see the same moment. Due dates therefore fall in the past where the work has stalled. Action items
are monitored by replaying the timer sweep in time order up to the present. The form data comes from
``demo.forms`` (each process's builders), shared with the scenario tests. Names are invented; children are
pseudonyms.
"""
from __future__ import annotations

import heapq
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine import clock, workdays
from engine.bundles import definitions
from engine.cases import instances, timers
from engine.config import REPO_ROOT
from engine.reads import queries
from engine.records import TaskInfo
from engine.states import DueKind, TaskState
from engine.store.db import transaction
from engine.store.models import Agency, DueItem, HumanTask, ProcessInstance, User
from engine.work import tasks
from notifications import history

from . import action_plan, case_audit, cdop, scr, section11
from .documents import upload_placeholders
from .forms import form_data
from .partnership import AGENCIES, DEMO_PASSWORD, PARTNER_STAFF, PEOPLE, STAFF, add_partnership

SHIPPED = ("scr", "cdop", "section11", "action_plan", "case_audit", "case_audit_programme")
STORIES = (scr, cdop, section11, case_audit, action_plan)  # played in this order, so every run is the same


def load_demo(factory: sessionmaker[Session], *, now: datetime) -> str:
    """Load the demonstration partnership into an empty database; a one-line summary."""
    now = clock.ensure_aware(now)
    with transaction(factory) as session:
        if session.scalar(select(func.count()).select_from(Agency)):
            return "demo data already present; nothing loaded"
        add_partnership(session, now)
        deployed = _deploy_missing(session, now)
    driver = Driver(factory, now)
    for story in STORIES:
        story.run_cases(driver)
    driver.monitor_actions()
    with transaction(factory) as session:
        history.settle(session, now)  # the demo's past is history, not news: none of it is mailed at first start
        return _summary(session, now, deployed)


def is_empty(session: Session) -> bool:
    """No user and no case yet: a fresh database the demo may fill."""
    return not session.scalar(select(func.count()).select_from(ProcessInstance)) and \
        not session.scalar(select(func.count()).select_from(User))


def _deploy_missing(session: Session, now: datetime) -> list[str]:
    """Deploy any shipped bundle that ``lif init`` has not deployed yet (the demo needs all five)."""
    have = {info.key for info in definitions.list_latest(session)}
    missing = [key for key in SHIPPED if key not in have]
    for key in missing:
        definitions.deploy_directory(session, REPO_ROOT / "workflows" / key, actor="lif demo", now=now)
    return missing


def _summary(session: Session, now: datetime, deployed: list[str]) -> str:
    """The line ``lif demo`` prints: what was loaded, and how much of the open work is overdue."""
    cases = dict(session.execute(select(ProcessInstance.status, func.count())
                                 .where(ProcessInstance.process_id != "action_item")
                                 .group_by(ProcessInstance.status)).all())
    actions = session.scalar(select(func.count(func.distinct(ProcessInstance.business_key)))
                             .where(ProcessInstance.process_id == "action_item"))
    periods = session.scalar(select(func.count()).select_from(ProcessInstance)
                             .where(ProcessInstance.process_id == "action_item"))
    ready = session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.state == TaskState.READY))
    overdue = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == TaskState.READY, HumanTask.due_at < now))
    states = ", ".join(f"{n} {s}" for s, n in sorted(cases.items()))
    extra = f" (deployed {', '.join(deployed)})" if deployed else ""
    people = len(STAFF) + len(AGENCIES) + len(PARTNER_STAFF)
    return (f"demo partnership loaded{extra}: {len(AGENCIES)} agencies, {people} users, "
            f"{sum(cases.values())} cases ({states}), {actions} actions monitored over {periods} update periods, "
            f"{ready} open tasks of which {overdue} overdue; every password is {DEMO_PASSWORD!r}")


class Driver:
    """Runs each step as the person it is offered to, at a given moment in the past."""

    def __init__(self, factory: sessionmaker[Session], now: datetime) -> None:
        self.factory = factory
        self.now = now
        self.coordinator = PEOPLE.actor(PEOPLE.coordinator)
        self.update_statuses: dict[str, list[str]] = {}  # action key -> how its successive updates go
        self.steps = 0

    def ago(self, days: float, hour: int = 10) -> datetime:
        """``days`` before today at ``hour`` London time (never later than an hour ago)."""
        day = workdays.london_date(self.now) - timedelta(days=int(days))
        moment = datetime.combine(day, time(hour), tzinfo=workdays.LONDON).astimezone(UTC)
        return min(moment, self.now - timedelta(hours=1))

    def start(self, key: str, at: datetime, who: str = "coordinator") -> str:
        with clock.frozen_at(at), transaction(self.factory) as session:
            return instances.start_instance(session, key, actor=PEOPLE.actor(who), now=at).id

    def ready(self, instance_id: str | None = None, name: str | None = None, *,
              process_key: str | None = None) -> list[TaskInfo]:
        with transaction(self.factory) as session:
            page = queries.tasks_for(session, self.coordinator, self.now, instance_id=instance_id,
                                     process_key=process_key, limit=10_000)
        return [t for t in page.items if name is None or t.name == name]

    def complete(self, task: TaskInfo, at: datetime, **choices: Any) -> None:
        actor = PEOPLE.actor_for(task.role, task.agency, task.assignee)
        with clock.frozen_at(at):
            with transaction(self.factory) as session:
                data = session.get_one(HumanTask, task.id).data or {}  # what the task page would show
            payload = form_data(task.process_key, task.name, data, PEOPLE, workdays.london_date(at), agency=task.agency,
                                doer=actor.username, **choices)
            with transaction(self.factory) as session:
                payload = upload_placeholders(session, task.id, payload, actor=actor, now=at)
                tasks.complete_task(session, task.id, payload, actor=actor, now=at)
        self.steps += 1

    def do(self, instance_id: str, name: str, at: datetime, **choices: Any) -> None:
        found = self.ready(instance_id, name)
        if len(found) != 1:
            raise RuntimeError(f"demo: expected one ready {name!r}, found {[t.name for t in self.ready(instance_id)]}")
        self.complete(found[0], at, **choices)

    def do_each(self, instance_id: str, name: str, at: datetime, agencies: dict[str, dict[str, Any]] | None = None,
                only: list[str] | None = None, spread_days: float = 0, **choices: Any) -> None:
        """Complete the ready ``name`` task of each agency in ``only`` (default: all), a little apart."""
        found = sorted(self.ready(instance_id, name), key=lambda t: t.agency or "")
        for i, task in enumerate(t for t in found if only is None or t.agency in only):
            when = at + timedelta(days=spread_days * i)
            self.complete(task, when, **{**choices, **(agencies or {}).get(task.agency or "", {})})

    def cancel(self, instance_id: str, at: datetime, reason: str) -> None:
        with clock.frozen_at(at), transaction(self.factory) as session:
            instances.cancel_instance(session, instance_id, reason, actor=self.coordinator, now=at)

    def ids(self, process_id: str) -> set[str]:
        with transaction(self.factory) as session:
            return set(session.scalars(select(ProcessInstance.id).where(ProcessInstance.process_id == process_id)))

    def do_and_catch(self, instance_id: str, name: str, at: datetime, process_id: str, **choices: Any) -> str:
        """Do the step that starts one ``process_id`` instance by a message; that instance's id."""
        before = self.ids(process_id)
        self.do(instance_id, name, at, **choices)
        (started,) = self.ids(process_id) - before
        return started

    def raise_plan(self, plan_id: str, at: datetime, statuses: list[list[str]], **choices: Any) -> None:
        """Agree the plan; ``statuses[i]`` is how action i's successive updates go (see monitor_actions)."""
        self.do(plan_id, "plan_form", at, **choices)
        with transaction(self.factory) as session:
            data = session.get_one(ProcessInstance, plan_id).data
        for i, action in enumerate(data["actions"]):
            self.update_statuses[action["action_key"]] = statuses[i % len(statuses)]

    # --- action monitoring, replayed in time order ---------------------------------------------------------

    def monitor_actions(self) -> None:
        """Fire the action items' update timers at their times and work their tasks as the owners would, in
        time order, up to now. A task whose turn comes after now stays open (overdue when it is late)."""
        until = self.now - timedelta(minutes=30)
        queue: list[tuple[datetime, int, str]] = []
        scheduled: set[str] = set()
        while True:
            self._schedule(queue, scheduled)
            next_timer = self._next_timer()
            fire_at = next_timer + timedelta(minutes=1) if next_timer is not None else None
            if queue and (fire_at is None or queue[0][0] <= fire_at):
                when, _, task_id = heapq.heappop(queue)
                if when >= until:
                    break
                self._work(task_id, when)
            elif fire_at is not None and fire_at < until:
                timers.run_timer_sweep(self.factory, fire_at)
                self.steps += 1
            else:
                break

    def _next_timer(self) -> datetime | None:
        with transaction(self.factory) as session:
            return session.scalar(select(func.min(DueItem.due_at)).where(DueItem.kind == DueKind.TIMER,
                                                                          DueItem.done_at.is_(None)))

    def _schedule(self, queue: list[tuple[datetime, int, str]], scheduled: set[str]) -> None:
        for task in self.ready(process_key="action_plan"):
            if task.name in action_plan.MONITORED and task.id not in scheduled:
                scheduled.add(task.id)
                heapq.heappush(queue, (task.created_at + action_plan.answer_delay(task), len(scheduled), task.id))

    def _work(self, task_id: str, when: datetime) -> None:
        with transaction(self.factory) as session:
            row = session.get(HumanTask, task_id)
            if row is None or row.state != TaskState.READY:
                return
            instance = session.get_one(ProcessInstance, row.instance_id)
            key, done = instance.business_key, int((instance.data or {}).get("updates_count", 0))
            task = queries.task_info(row, when, instance)
        statuses = self.update_statuses.get(key) or ["on_track"]
        self.complete(task, when, **action_plan.owner_answer(task, key, done, when, statuses))
