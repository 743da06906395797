"""Human tasks: reading a task with its form, claiming, assigning, drafts, comments, and completing it."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..bundles import forms
from ..cases import step
from ..documents import fields as file_fields
from ..errors import Conflict, Forbidden, InvalidData, TooLarge
from ..people import accounts
from ..reads import queries, task_forms
from ..records import NON_CASE_ROLES, Actor, TaskDetail, TaskInfo
from ..sandbox import templates
from ..spiff.adapter import Facts, Workflow
from ..states import InstanceStatus, TaskState
from ..store import audit
from ..store.models import Comment, HumanTask, ProcessInstance, User
from ..views import paths as view_paths

MAX_DATA_BYTES = 512 * 1024


def task_detail(session: Session, task_id: str, *, actor: Actor, now: datetime) -> TaskDetail:
    row = queries.visible_task_row(session, actor, task_id)
    instance = session.get(ProcessInstance, row.instance_id)
    schema, ui_schema = _forms(session, row, instance)
    audit.record(session, "task.viewed", actor=actor.username, now=now, instance_id=row.instance_id, task_id=row.id)
    return TaskDetail(task=queries.task_info(row, now, instance), form_schema=schema, ui_schema=ui_schema,
                      instructions=_render_instructions(session, row), data=_shown(row), draft=row.draft)


def _names(session: Session, source: str) -> dict[str, Any]:
    """The partnership's agencies and people (``[{"key", "name"}]``, ``[{"username", "full_name"}]``, as form
    schemas have them), for instructions that name an agency or a person the case data holds by key; read only
    when the instructions use them."""
    names: dict[str, Any] = {}
    if "agencies" in source:
        names["agencies"] = [{"key": k, "name": n} for k, n in accounts.agency_names(session).items()]
    if "users" in source:
        names["users"] = [{"username": u, "full_name": n or u} for u, n in
                          session.execute(select(User.username, User.full_name))]
    return names


def _shown(row: HumanTask) -> dict[str, Any]:
    """What a task shows: the part of the case its view names and, once done, what its doer answered."""
    return view_paths.merge(dict(row.data or {}), row.answers or {})


def complete_task(session: Session, task_id: str, data: dict[str, Any], *, actor: Actor,
                  now: datetime) -> tuple[TaskInfo, ProcessInstance]:
    row, instance = queries.ready_task_to_do(session, actor, task_id)
    data = _checked_data(data)
    schema, ui_schema = _forms(session, row, instance)
    if schema is not None:
        problems = forms.submission_problems(schema, data, ui_schema)
        problems += file_fields.completion_problems(session, row.id, schema, data)  # this task's documents only
        if problems:
            raise InvalidData("the form has errors", problems)
        data = _known_fields(schema, data)
    if instance.status != InstanceStatus.ACTIVE:
        raise Conflict(f"the case is {instance.status}; tasks cannot be completed")

    def complete(flow: Workflow) -> Facts:
        if not flow.is_ready(row.id):
            raise Conflict("the task is no longer ready")
        facts = flow.complete(row.id, data)
        audit.record(session, "task.completed", actor=actor.username, now=now, instance_id=instance.id,
                     task_id=row.id, name=row.name, fields=sorted(data))
        return facts

    step.take_step(session, instance, complete, actor=actor.username, now=now, finished_task=row, answers=data)
    return queries.task_info(row, now, instance), instance


def claim_task(session: Session, task_id: str, *, actor: Actor, now: datetime) -> TaskInfo:
    row, instance = queries.ready_task_to_do(session, actor, task_id)
    # Lock the row and read it again: on PostgreSQL a claim racing this one waits here, then sees the winner's
    # assignee and is refused, instead of both callers being told the task is theirs.
    session.refresh(row, with_for_update=True)
    row, instance = queries.ready_task_to_do(session, actor, task_id)
    if row.assignee == actor.username:
        return queries.task_info(row, now, instance)
    row.assignee, row.claimed_at = actor.username, now
    audit.record(session, "task.claimed", actor=actor.username, now=now, instance_id=row.instance_id, task_id=row.id)
    session.flush()
    return queries.task_info(row, now, instance)


def unclaim_task(session: Session, task_id: str, *, actor: Actor, now: datetime) -> TaskInfo:
    """Release a claim: the task goes back to whoever it was bound to before it was claimed (the user named by
    ``assigneeFrom`` or by a coordinator's reassign, else its agency's or role's queue), never to more people."""
    row = queries.visible_task_row(session, actor, task_id)
    if row.state != TaskState.READY:
        raise Conflict(f"the task is {row.state}")
    if row.assignee != actor.username and not actor.has("coordinator"):
        raise Forbidden("only the assignee or a coordinator can release this task")
    row.assignee, row.claimed_at = row.bound_to, None
    audit.record(session, "task.unclaimed", actor=actor.username, now=now, instance_id=row.instance_id,
                 task_id=row.id, returned_to=row.bound_to)
    session.flush()
    return queries.task_info(row, now, session.get(ProcessInstance, row.instance_id))


def assign_task(session: Session, task_id: str, username: str, *, actor: Actor, now: datetime) -> TaskInfo:
    if not actor.has("coordinator"):
        raise Forbidden("assigning tasks needs the coordinator role")
    row = queries.visible_task_row(session, actor, task_id)
    if row.state != TaskState.READY:
        raise Conflict(f"the task is {row.state}")
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise InvalidData("unknown user", [{"field": "username", "message": f"no active user {username!r}"}])
    if not user.roles - NON_CASE_ROLES - {"scrutineer"}:  # an admin or designer would see the case; a scrutineer
        raise InvalidData("not a case worker", [{"field": "username",  # only reads and challenges (SPEC §1)
                                                 "message": f"{username!r} does no case tasks (an administrator, "
                                                            "designer or the independent scrutineer)"}])
    previous, row.assignee, row.claimed_at = row.assignee, user.username, None
    row.bound_to = user.username  # a release returns the task to the person a coordinator chose
    audit.record(session, "task.assigned", actor=actor.username, now=now, instance_id=row.instance_id,
                 task_id=row.id, assignee=user.username, previous=previous)
    session.flush()
    return queries.task_info(row, now, session.get(ProcessInstance, row.instance_id))


def task_draft(session: Session, task_id: str, *, actor: Actor) -> dict[str, Any]:
    """The saved draft of a task ``actor`` may do ({} when none): a long form's page is saved into it, the other
    pages' answers kept. Reading it is not a view of the task (no audit row)."""
    row, _ = queries.ready_task_to_do(session, actor, task_id)
    return dict(row.draft or {})


def save_draft(session: Session, task_id: str, data: dict[str, Any], *, actor: Actor, now: datetime) -> TaskInfo:
    row, instance = queries.ready_task_to_do(session, actor, task_id)
    row.draft = _checked_data(data)
    audit.record(session, "task.draft_saved", actor=actor.username, now=now, instance_id=row.instance_id,
                 task_id=row.id)
    session.flush()
    return queries.task_info(row, now, instance)


def add_comment(session: Session, task_id: str, body: str, *, actor: Actor, now: datetime) -> Comment:
    row = queries.visible_task_row(session, actor, task_id)
    if not (body or "").strip():
        raise InvalidData("empty comment", [{"field": "body", "message": "is required"}])
    # the scrutineer's only data entry is challenge (SPEC §1); one who also coordinates or chairs comments as such
    challenge = actor.has("scrutineer") and not actor.has("coordinator", "chair")
    comment = Comment(instance_id=row.instance_id, task_id=row.id, author=actor.username, body=body.strip(),
                      created_at=now, challenge=challenge)
    session.add(comment)
    audit.record(session, "comment.added", actor=actor.username, now=now, instance_id=row.instance_id, task_id=row.id,
                 challenge=challenge)
    session.flush()
    if challenge:
        events.publish(session, events.ChallengeRaised(comment.id, row.id, row.instance_id), now)
    return comment


def comments(session: Session, task_id: str, *, actor: Actor) -> list[Comment]:
    row = queries.visible_task_row(session, actor, task_id)
    return list(session.scalars(select(Comment).where(Comment.task_id == row.id).order_by(Comment.created_at)))


def _checked_data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidData("data must be an object", [{"field": "data", "message": "must be an object"}])
    if len(json.dumps(data, default=str)) > MAX_DATA_BYTES:
        raise TooLarge(f"form data is larger than {MAX_DATA_BYTES} bytes")
    return data


def _forms(session: Session, row: HumanTask, instance: ProcessInstance | None) -> tuple[dict | None, dict | None]:
    form = task_forms.form_of(session, row, instance)
    return form.schema, form.ui_schema


def _render_instructions(session: Session, row: HumanTask) -> str | None:
    if not row.instructions:
        return None
    try:
        return templates.render(row.instructions, {**_names(session, row.instructions), **(row.data or {})})
    except templates.TemplateError:  # a broken or runaway template: the designer's words as written
        return row.instructions


def _known_fields(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields the form declares reach the case data, so a client cannot overwrite other variables."""
    names = _declared_properties(schema)
    if names is None:
        return data
    return {k: v for k, v in data.items() if k in names}


def _declared_properties(schema: Any) -> set[str] | None:
    """Every property name a schema can accept, or None when it accepts any."""
    if not isinstance(schema, dict) or schema.get("additionalProperties") not in (None, False):
        return None
    names = set(schema.get("properties", {}))
    parts = [*schema.get("allOf", []), *schema.get("anyOf", []), *schema.get("oneOf", []),
             *(schema.get(k) for k in ("if", "then", "else")), *(schema.get("dependentSchemas") or {}).values()]
    for part in parts:
        names |= _declared_properties(part) or set()
    return names or None
