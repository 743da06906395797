"""Frozen records that cross from the engine into ``web`` and ``notifications``: never ORM rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Roles that run the system, not cases: an administrator manages users, agencies and settings, a designer deploys
# and inspects definitions. Neither gives any sight of case data or any case action (SPEC §1, §6); every other
# role (a lane's name, or one added later such as ``partner``) does.
NON_CASE_ROLES = frozenset({"admin", "designer"})
CASE_READERS = ("coordinator", "chair", "scrutineer")  # the roles that see every case whole


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``None`` agency means the user belongs to no agency. Roles add up: a user who is both
    admin and coordinator is a coordinator on cases, and admin on users."""

    username: str
    roles: frozenset[str]
    agency: str | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def case_roles(self) -> frozenset[str]:
        """The roles that count on cases (lanes, coordinating, chairing); never admin or designer."""
        return self.roles - NON_CASE_ROLES

    @property
    def does_tasks(self) -> bool:
        """Whether any task may be this user's: not for the independent scrutineer, who only reads and challenges
        (SPEC §1), nor for administrators and designers."""
        return bool(self.case_roles - {"scrutineer"})

    @property
    def reads_cases(self) -> bool:
        """Whether any case data may reach this user at all: not for administrators and designers alone."""
        return bool(self.case_roles)

    @property
    def sees_everything(self) -> bool:
        """Coordinators, chairs and the independent scrutineer see every case of the partnership, whole (SPEC §1).
        Seeing is not doing: the scrutineer has no lane, coordinates nothing and only comments."""
        return self.has(*CASE_READERS)


SYSTEM = Actor("system", frozenset({"coordinator", "admin"}))  # the scheduler and the command line: a coordinator


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
class RunningInstance:
    """What a designer may know of a case, to plan a migration: which version it runs and where it stands (the
    BPMN ids of its open steps). No title, pseudonym or data: those are case data."""
    id: str
    process_key: str
    version: int
    business_key: str
    status: str
    current_steps: tuple[str, ...]


@dataclass(frozen=True)
class MessagePairingInfo:
    """A process allowed to receive a message; ``process_name`` is its latest version's name, None if undeployed."""
    process_key: str
    process_name: str | None
    message_name: str
    reason: str  # an engine.states.PairingReason
    allowed_by: str | None
    allowed_at: datetime | None
