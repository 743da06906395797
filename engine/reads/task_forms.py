"""A task's form read on its own: the schema and UI schema a posted form is parsed against. Reading them is not
looking at the task, so, unlike ``work.tasks.task_detail``, this writes no "task viewed" audit row: a post
that saves a draft is not a view."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..bundles import definitions, forms
from ..errors import ScriptError
from ..people import accounts
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


def form_of(session: Session, row: HumanTask, instance: ProcessInstance | None) -> TaskForm:
    """``row``'s form files rendered for its case: its data, the partnership's people and the people who can
    do this task (``task_people``), when they are templates; ``ScriptError`` when one fails or overruns on this
    case's data."""
    if not row.form_file or instance is None:
        return TaskForm(None, None)
    files = definitions.files_of(session, instance.definition)
    texts = [files.get(row.form_file), files.get(row.ui_file) if row.ui_file else None]
    try:
        schema, ui = forms.render_form_files(texts, lambda: {**(row.data or {}), **accounts.form_context(session),
                                                             **task_people.task_context(session, row)})
    except forms.FormError as exc:
        raise ScriptError(f"the form of this task could not be prepared: {exc}") from None
    return TaskForm(schema, ui)
