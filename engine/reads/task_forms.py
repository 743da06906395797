"""A task's form read on its own: the schema and UI schema a posted form is parsed against. Reading them is not
looking at the task, so, unlike ``work.tasks.task_detail``, this writes no "task viewed" audit row: a post
that saves a draft is not a view."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from ..bundles import definitions, forms
from ..errors import ScriptError
from ..people import accounts
from ..people.accounts import Person
from ..records import Actor
from ..store.models import HumanTask, ProcessInstance
from . import task_people
from .queries import visible_task_with_instance


@dataclass(frozen=True)
class TaskForm:
    schema: dict[str, Any] | None  # None for a task without a form
    ui_schema: dict[str, Any] | None


def task_form(session: Session, task_id: str, *, actor: Actor) -> TaskForm:
    """The form of a task ``actor`` may see (``NotFound`` otherwise), rendered for its case."""
    row, instance = visible_task_with_instance(session, actor, task_id)
    return form_of(session, row, instance)


class Partnership:
    """The partnership's agencies and people as form templates use them, read when a template first needs them and
    then kept: the case summary renders a form for every completed step, and read per step they cost a few
    milliseconds each (the people are read once, for both the context and each task's own pickers)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @cached_property
    def people(self) -> list[Person]:
        return accounts.active_people(self._session)

    @cached_property
    def usernames(self) -> frozenset[str]:
        return frozenset(p.username for p in self.people)

    def people_with(self, held: set[str]) -> list[Person]:
        """The active people, and those named in ``held`` who have since left (a done task keeps their name)."""
        return self.people if held <= self.usernames else accounts.active_people(self._session, also=held)

    @cached_property
    def context(self) -> dict[str, object]:
        return accounts.form_context(self._session, self.people)


def form_of(session: Session, row: HumanTask, instance: ProcessInstance | None,
            partnership: Partnership | None = None) -> TaskForm:
    """``row``'s form files rendered for its case: its data, the partnership's people and the people who can
    do this task (``task_people``), when they are templates; ``ScriptError`` when one fails or overruns on this
    case's data. A caller rendering many forms passes one ``partnership`` for them all."""
    if not row.form_file or instance is None:
        return TaskForm(None, None)
    files = definitions.files_of(session, instance.definition)
    texts = [files.get(row.form_file), files.get(row.ui_file) if row.ui_file else None]
    known = partnership or Partnership(session)

    def context() -> dict[str, Any]:
        held = {name for name in (row.assignee, row.completed_by) if name}
        own = accounts.picker("task_people", "task_people_names", task_people.who_may_do(known.people_with(held), row))
        return {**(row.data or {}), **known.context, **own}

    try:
        schema, ui = forms.render_form_files(texts, context)
    except forms.FormError as exc:
        raise ScriptError(f"the form of this task could not be prepared: {exc}") from None
    return TaskForm(schema, ui)
