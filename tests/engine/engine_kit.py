"""Helpers for the engine tests: a ``Cases`` driver that runs each service call in its own transaction (one
unit of work, as the web does) and reads rows back as plain snapshots, so no test holds a detached ORM row.
(A module with its own name, so test modules can import it without clashing with either conftest.)"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.cases import instances
from engine.records import Actor
from engine.store import audit
from engine.store.db import transaction
from engine.store.models import DueItem, HumanTask, MessageSubscription, ProcessInstance
from engine.work import tasks

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BUNDLES = FIXTURES / "bundles"
NOW = datetime.fromisoformat("2026-12-01T09:00:00+00:00")


@dataclass(frozen=True)
class TaskRow:
    id: str
    name: str
    state: str
    role: str | None
    agency: str | None
    assignee: str | None
    due_at: datetime | None
    data: dict[str, Any]
    draft: dict[str, Any] | None
    completed_by: str | None


@dataclass(frozen=True)
class InstanceRow:
    id: str
    status: str
    business_key: str
    version: int
    data: dict[str, Any]
    error: dict[str, Any] | None
    revision: str


class Cases:
    """Drives instances through the services, one transaction per call."""

    def __init__(self, factory: Any, actors: dict[str, Actor]) -> None:
        self.factory = factory
        self.actors = actors

    def actor(self, who: str | Actor) -> Actor:
        return who if isinstance(who, Actor) else self.actors[who]

    def start(self, key: str, *, data: dict[str, Any] | None = None, who: str | Actor = "coordinator",
              business_key: str | None = None, now: datetime = NOW) -> str:
        with transaction(self.factory) as s:
            return instances.start_instance(s, key, data=data, business_key=business_key, actor=self.actor(who),
                                            now=now).id

    def complete(self, task_id: str, data: dict[str, Any] | None = None, *, who: str | Actor = "coordinator",
                 now: datetime = NOW) -> None:
        with transaction(self.factory) as s:
            tasks.complete_task(s, task_id, data or {}, actor=self.actor(who), now=now)

    def tasks(self, instance_id: str, state: str | None = "ready") -> list[TaskRow]:
        with transaction(self.factory) as s:
            query = select(HumanTask).where(HumanTask.instance_id == instance_id)
            if state is not None:
                query = query.where(HumanTask.state == state)
            return [TaskRow(t.id, t.name, t.state, t.role, t.agency, t.assignee, t.due_at, t.data, t.draft,
                            t.completed_by)
                    for t in s.scalars(query.order_by(HumanTask.created_at, HumanTask.name))]

    def task(self, instance_id: str, name: str) -> TaskRow:
        """The one ready task called ``name``."""
        found = [t for t in self.tasks(instance_id) if t.name == name]
        assert len(found) == 1, f"expected one ready {name!r}, found {self.tasks(instance_id)}"
        return found[0]

    def ready_names(self, instance_id: str) -> list[str]:
        return sorted(t.name for t in self.tasks(instance_id))

    def instance(self, instance_id: str) -> InstanceRow:
        with transaction(self.factory) as s:
            row = s.get(ProcessInstance, instance_id)
            return InstanceRow(row.id, row.status, row.business_key, row.definition.version, row.data, row.error,
                               row.revision)

    def due_items(self, instance_id: str, kind: str = "timer") -> list[tuple[str, datetime, datetime | None]]:
        with transaction(self.factory) as s:
            rows = s.scalars(select(DueItem).where(DueItem.instance_id == instance_id, DueItem.kind == kind)
                             .order_by(DueItem.due_at))
            return [(r.kind, r.due_at, r.done_at) for r in rows]

    def subscriptions(self, instance_id: str) -> list[tuple[str, dict[str, Any]]]:
        with transaction(self.factory) as s:
            rows = s.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == instance_id))
            return [(r.message_name, r.correlation) for r in rows]

    def trail(self, instance_id: str) -> list[dict[str, Any]]:
        with transaction(self.factory) as s:
            return audit.trail(s, instance_id)

    def actions(self, instance_id: str) -> list[str]:
        return [e["action"] for e in self.trail(instance_id)]
