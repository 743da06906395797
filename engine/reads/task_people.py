"""Who can do a task: the people a coordinator may reassign it to, and whom a form's "Completed by" can name.
Both follow ``access.may_do`` for the task as if nobody held it (its agency and its role), so a picker never
offers an administrator, a designer, the scrutineer or another agency's lead; the person it is assigned to now
is offered too, since they may do it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from ..people import accounts
from ..people.accounts import Person
from ..records import Actor
from . import access


class Step(access.OfferedTask, Protocol):
    """A task with its id: a ``TaskInfo`` or a ``HumanTask`` row."""
    @property
    def id(self) -> str: ...


@dataclass(frozen=True)
class _Unassigned:
    assignee: None
    agency: str | None
    role: str | None


def who_may_do(people: Iterable[Person], task: access.OfferedTask) -> list[Person]:
    """Of ``people``, those who may do ``task`` (by full name): its current assignee, whoever completed it (so a
    done task's form still names them), and everyone it would be offered to if nobody held it."""
    free = _Unassigned(None, task.agency, task.role)
    held = {task.assignee, getattr(task, "completed_by", None)} - {None}
    return [p for p in people if p.username in held or
            access.may_do(Actor(p.username, p.roles, p.agency), free)]


def people_by_task(session: Session, tasks: Iterable[Step]) -> dict[str, list[Person]]:
    """``who_may_do`` for each task (by its ``id``), reading the people once."""
    people = accounts.active_people(session)
    return {t.id: who_may_do(people, t) for t in tasks}


def task_context(session: Session, task: access.OfferedTask) -> dict[str, list[str]]:
    """The task's own picker lists for its form: ``task_people`` (usernames) and ``task_people_names``."""
    held = (task.assignee, getattr(task, "completed_by", None))
    return accounts.picker("task_people", "task_people_names",
                           who_may_do(accounts.active_people(session, also=held), task))
