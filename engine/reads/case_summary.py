"""A case's summary in words: for each completed step the viewer may see, what was decided (the answers its doer
submitted, with the step's own form to name them), by whom and when.

It follows the viewer's data view as the steps table does (``access.visible_task``): a reviewer reads the steps
they took part in and their agency's, coordinators, chairs and the scrutineer every step. The answers come from
the step's own row (``HumanTask.answers``), never from the case's data, so nothing another step wrote shows
under this one. The web renders each step's answers with ``web.forms_render.answers``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ..errors import ScriptError
from ..records import Actor, TaskInfo
from ..states import TaskState
from ..store.models import HumanTask, ProcessInstance
from . import access, names, queries, task_forms

MAX_STEPS = 300  # a long case's summary stays a page: its oldest steps beyond this are left to the API


@dataclass(frozen=True)
class SummaryStep:
    task: TaskInfo
    done_by: str | None  # the full name of whoever completed it (None when the engine did)
    schema: dict[str, Any] | None  # the step's own form, rendered for its case (None without one, or unreadable)
    ui: dict[str, Any] | None
    answers: dict[str, Any]  # what was submitted; empty when nothing was

    @property
    def completed_at(self) -> datetime | None:
        return self.task.completed_at


def case_summary(session: Session, instance: ProcessInstance, actor: Actor, now: datetime) -> tuple[SummaryStep, ...]:
    """The completed steps of ``instance`` that ``actor`` may see, in the order they were completed (the caller
    has checked that ``actor`` may see the case)."""
    access.require_case_reader(actor)
    rows = list(session.scalars(
        select(HumanTask).options(undefer(HumanTask.answers), undefer(HumanTask.data))
        .where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.COMPLETED,
               access.visible_task(actor))
        .order_by(HumanTask.completed_at, HumanTask.created_at, HumanTask.id).limit(MAX_STEPS)))
    people = names.full_names(session, (r.completed_by for r in rows))
    forms: dict[str, dict[str, Any]] = {}
    partnership = task_forms.Partnership(session)  # read once for every step's form, when one needs it
    return tuple(SummaryStep(task=queries.task_info(row, now, instance),
                             done_by=people.get(row.completed_by or ""), answers=dict(row.answers or {}),
                             **_form(session, row, instance, forms, partnership))
                 for row in rows)


def _form(session: Session, row: HumanTask, instance: ProcessInstance, made: dict[str, dict[str, Any]],
          partnership: task_forms.Partnership) -> dict[str, Any]:
    """The step's form; none when it cannot be prepared now (a template that fails on this case's data): the
    summary then says the answers cannot be shown, rather than failing the whole case page. Steps of one form
    with the same data and the same people to pick from (a repeated step of one agency) share one rendering in
    ``made``: the pickers offer the task's own people, so another agency's step renders its own."""
    key = json.dumps([row.form_file, row.ui_file, row.data, row.agency, row.role, row.assignee, row.completed_by],
                     sort_keys=True, default=str)
    if key not in made:
        try:
            form = task_forms.form_of(session, row, instance, partnership)
            made[key] = {"schema": form.schema, "ui": form.ui_schema}
        except ScriptError:
            made[key] = {"schema": None, "ui": None}
    return made[key]
