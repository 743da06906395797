"""The scenario driver: runs the shipped processes through the engine's services, one transaction per call (as
the web does), with the clock held by time-machine and the form data from ``demo.forms``."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from demo import People, form_data
from demo.documents import upload_placeholders
from engine.cases import instances, timers
from engine.errors import InvalidData
from engine.reads import queries
from engine.records import TaskInfo
from engine.store.db import transaction
from engine.store.models import DueItem, ProcessInstance
from engine.work import tasks
from tests.conftest import PARTNERS

LONDON = ZoneInfo("Europe/London")
UTC = UTC
# The partnership of tests/conftest.py: three agencies, each with one reviewer and one partner.
PEOPLE = People(coordinator="cora", chair="chad", leads={"police": "pat", "csc": "sam", "health": "hana"},
                partners=PARTNERS)


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` (ISO date) at ``hour`` London time, as an aware UTC datetime."""
    local = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=LONDON).replace(hour=hour,
                                                                                                  minute=minute)
    return local.astimezone(UTC)


def end_of_day(day: str) -> datetime:
    """The end of the London working day ``day`` (how working-day deadlines are stored), in UTC."""
    return datetime.combine(date.fromisoformat(day), datetime.max.time().replace(microsecond=0),
                            tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class Instance:
    id: str
    process_key: str
    process_id: str
    business_key: str
    title: str
    status: str
    data: dict[str, Any]
    error: dict[str, Any] | None
    state_size: int
    created_at: datetime


class Scenario:
    """Drives cases as the people of ``PEOPLE`` would. ``traveller`` is time-machine's, started with
    ``tick=False``; ``now`` is always the travelled time."""

    def __init__(self, factory: Any, traveller: Any, people: People = PEOPLE) -> None:
        self.factory = factory
        self.traveller = traveller
        self.people = people
        self.coordinator = people.actor(people.coordinator)

    # --- the clock ------------------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return datetime.now(UTC)

    @property
    def today(self) -> str:
        return self.now.astimezone(LONDON).date().isoformat()

    def move_to(self, when: datetime | str) -> None:
        self.traveller.move_to(at(when) if isinstance(when, str) else when)

    def later(self, **delta: float) -> None:
        self.traveller.move_to(self.now + timedelta(**delta))

    # --- services -------------------------------------------------------------------------------------------

    def start(self, key: str, *, who: str | None = None, data: dict[str, Any] | None = None,
              business_key: str | None = None) -> str:
        actor = self.people.actor(who or self.people.coordinator)
        with transaction(self.factory) as s:
            return instances.start_instance(s, key, data=data, business_key=business_key, actor=actor,
                                            now=self.now).id

    def sweep(self) -> int:
        """One sweep of due BPMN timers at the travelled time."""
        return timers.run_timer_sweep(self.factory, self.now)

    def ready(self, instance_id: str | None = None, *, process_key: str | None = None,
              name: str | None = None) -> list[TaskInfo]:
        with transaction(self.factory) as s:
            page = queries.tasks_for(s, self.coordinator, self.now, instance_id=instance_id,
                                     process_key=process_key, limit=1000)
        return [t for t in page.items if name is None or t.name == name]

    def ready_names(self, instance_id: str) -> list[str]:
        return sorted(t.name for t in self.ready(instance_id))

    def task(self, instance_id: str, name: str, agency: str | None = None) -> TaskInfo:
        found = [t for t in self.ready(instance_id, name=name) if agency is None or t.agency == agency]
        assert len(found) == 1, f"expected one ready {name!r} ({agency}), have {self.ready_names(instance_id)}"
        return found[0]

    def shown(self, task: TaskInfo) -> dict[str, Any]:
        """What ``task`` shows the person it is offered to: its view of the case data (and, once done, their
        answers)."""
        actor = self.people.actor_for(task.role, task.agency, task.assignee)
        with transaction(self.factory) as s:
            return tasks.task_detail(s, task.id, actor=actor, now=self.now).data

    def complete(self, task: TaskInfo, **choices: Any) -> TaskInfo:
        """Complete ``task`` as the person it is offered to, with the shared demo form data."""
        actor = self.people.actor_for(task.role, task.agency, task.assignee)
        with transaction(self.factory) as s:
            detail = tasks.task_detail(s, task.id, actor=actor, now=self.now)
        payload = form_data(task.process_key, task.name, detail.data, self.people, self.today, agency=task.agency,
                            doer=actor.username, **choices)
        try:
            with transaction(self.factory) as s:
                payload = upload_placeholders(s, task.id, payload, actor=actor, now=self.now)
                tasks.complete_task(s, task.id, payload, actor=actor, now=self.now)
        except InvalidData as exc:
            raise AssertionError(f"{task.process_key}.{task.name}: {exc.message} {exc.details}") from None
        return task

    def do(self, instance_id: str, name: str, agency: str | None = None, **choices: Any) -> TaskInfo:
        """Complete the one ready task ``name`` (bound to ``agency``); returns it as it was (with ``due_at``)."""
        return self.complete(self.task(instance_id, name, agency), **choices)

    def do_each(self, instance_id: str, name: str, per_agency: dict[str, dict[str, Any]] | None = None,
                **choices: Any) -> list[TaskInfo]:
        """Complete every ready ``name`` task (one per agency), with ``per_agency`` choices where given."""
        done = []
        for task in sorted(self.ready(instance_id, name=name), key=lambda t: t.agency or ""):
            done.append(self.complete(task, **{**choices, **(per_agency or {}).get(task.agency or "", {})}))
        assert done, f"no ready {name!r}; have {self.ready_names(instance_id)}"
        return done

    # --- reading --------------------------------------------------------------------------------------------

    def instance(self, instance_id: str) -> Instance:
        with transaction(self.factory) as s:
            return _snapshot(s.get(ProcessInstance, instance_id))

    def instances(self, process_key: str | None = None, *, status: str | None = None,
                  process_id: str | None = None) -> list[Instance]:
        with transaction(self.factory) as s:
            query = select(ProcessInstance).order_by(ProcessInstance.created_at, ProcessInstance.business_key)
            if process_key:
                query = query.where(ProcessInstance.process_key == process_key)
            if process_id:
                query = query.where(ProcessInstance.process_id == process_id)
            if status:
                query = query.where(ProcessInstance.status == status)
            return [_snapshot(row) for row in s.scalars(query)]

    def parent_of(self, instance_id: str) -> str | None:
        """The case the instance is a part of (an action item's plan), if any."""
        with transaction(self.factory) as s:
            return s.get_one(ProcessInstance, instance_id).parent_id

    def newest(self, process_key: str) -> Instance:
        found = self.instances(process_key)
        assert found, f"no {process_key} instance"
        return found[-1]

    def items(self, *, status: str | None = None, business_key: str | None = None) -> list[Instance]:
        """``action_item`` instances (one monitoring period of one action each), oldest first."""
        return [i for i in self.instances("action_plan", status=status)
                if i.process_id == "action_item" and (business_key is None or i.business_key == business_key)]

    def current_item(self, business_key: str) -> Instance:
        """The running period of the action ``business_key``."""
        (item,) = self.items(status="active", business_key=business_key)
        return item

    def timers(self, instance_id: str) -> list[datetime]:
        """When the instance's open BPMN timers are due."""
        with transaction(self.factory) as s:
            return list(s.scalars(select(DueItem.due_at).where(DueItem.instance_id == instance_id,
                                                                DueItem.kind == "timer",
                                                                DueItem.done_at.is_(None))))

    def completed_tasks(self, instance_id: str) -> list[TaskInfo]:
        with transaction(self.factory) as s:
            return list(queries.tasks_for(s, self.coordinator, self.now, state="completed",
                                          instance_id=instance_id, limit=1000).items)

    def run_to_end(self, instance_id: str, plan: dict[str, dict[str, Any]] | None = None,
                   skip: Iterable[str] = (), limit: int = 80) -> list[str]:
        """Complete whatever is ready until the case ends, with ``plan[name]`` as the choices for each task
        name; returns the task names in the order done. Tasks named in ``skip`` are left alone."""
        plan = plan or {}
        order: list[str] = []
        for _ in range(limit):
            ready = [t for t in self.ready(instance_id) if t.name not in skip]
            if not ready:
                break
            task = ready[0]
            self.complete(task, **plan.get(task.name, {}))
            order.append(task.name)
        return order


def _snapshot(row: ProcessInstance) -> Instance:
    assert row is not None
    return Instance(row.id, row.process_key, row.process_id, row.business_key, row.title, row.status,
                    json.loads(json.dumps(row.data)), row.error, len(row.state or ""), row.created_at)
