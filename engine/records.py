"""Frozen records that cross from the engine into ``web`` and ``notifications``: never ORM rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``None`` agency means the user belongs to no agency."""

    username: str
    roles: frozenset[str]
    agency: str | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_everything(self) -> bool:
        return self.has("coordinator", "chair", "admin")


SYSTEM = Actor("system", frozenset({"coordinator", "admin"}))


@dataclass(frozen=True)
class DefinitionInfo:
    key: str
    name: str
    version: int
    deployed_at: datetime
    description: str = ""
    process_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskInfo:
    id: str
    instance_id: str
    process_key: str
    name: str
    title: str
    state: str
    role: str | None
    agency: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    completed_at: datetime | None
    completed_by: str | None
    priority: int = 3
    business_key: str | None = None
    pseudonym: str | None = None
    bound_to: str | None = None  # whom a release returns it to (None: its agency's or role's queue)


@dataclass(frozen=True)
class TaskDetail:
    task: TaskInfo
    form_schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    instructions: str | None
    data: dict[str, Any]
    draft: dict[str, Any] | None


@dataclass(frozen=True)
class InstanceInfo:
    id: str
    process_key: str
    version: int
    business_key: str
    title: str
    status: str
    created_at: datetime
    updated_at: datetime
    pseudonym: str | None = None
    error: dict[str, Any] | None = None
    paused: bool = False
    tasks: tuple[TaskInfo, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    items: tuple[Any, ...]
    total: int


@dataclass(frozen=True)
class MessagePairingInfo:
    """A process allowed to receive a message; ``process_name`` is its latest version's name, None if undeployed."""
    process_key: str
    process_name: str | None
    message_name: str
    reason: str  # an engine.states.PairingReason
    allowed_by: str | None
    allowed_at: datetime | None
