"""Human tasks: list, read, claim, unclaim, assign, draft, complete, comments."""
from __future__ import annotations

from flask import Response, jsonify, request

from engine.errors import BadRequest
from engine.reads import queries
from engine.states import TaskState
from engine.work import tasks

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, flag, listing, now, paging
from .schemas import (
    AssignRequest,
    CommentRequest,
    CommentSchema,
    CompletedInstanceSchema,
    DataRequest,
    TaskSchema,
)

STATES = tuple(TaskState)


@bp.get("/tasks")
def list_tasks() -> Response:
    actor = current_actor()
    limit, offset = paging()
    state = request.args.get("state", TaskState.READY)
    if state not in STATES:
        raise BadRequest(f"state must be one of {', '.join(STATES)}")
    with lif().reading() as session:
        page = queries.tasks_for(session, actor, now(), state=state, overdue=flag("overdue"),
                                 process_key=request.args.get("process_key"), limit=limit, offset=offset)
    return jsonify(listing(page, TaskSchema()))


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as session:
        detail = tasks.task_detail(session, task_id, actor=actor, now=now())
    answer = TaskSchema().dump(detail.task)
    answer.update(form_schema=detail.form_schema, ui_schema=detail.ui_schema, instructions=detail.instructions,
                  data=detail.data, draft=detail.draft)
    return jsonify(answer)


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as session:
        info = tasks.claim_task(session, task_id, actor=actor, now=now())
    return jsonify(TaskSchema().dump(info))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim_task(task_id: str) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as session:
        info = tasks.unclaim_task(session, task_id, actor=actor, now=now())
    return jsonify(TaskSchema().dump(info))


@bp.post("/tasks/<task_id>/assign")
def assign_task(task_id: str) -> Response:
    actor = current_actor()
    username = body(AssignRequest())["username"]
    with lif().unit_of_work() as session:
        info = tasks.assign_task(session, task_id, username, actor=actor, now=now())
    return jsonify(TaskSchema().dump(info))


@bp.post("/tasks/<task_id>/draft")
def save_draft(task_id: str) -> Response:
    actor = current_actor()
    data = body(DataRequest())["data"]
    with lif().unit_of_work() as session:
        info = tasks.save_draft(session, task_id, data, actor=actor, now=now())
    return jsonify(TaskSchema().dump(info))


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id: str) -> Response:
    actor = current_actor()
    data = body(DataRequest())["data"]
    with lif().unit_of_work() as session:
        info, row = tasks.complete_task(session, task_id, data, actor=actor, now=now())
        instance = CompletedInstanceSchema().dump(queries.instance_info(session, row, actor, now(), with_data=False))
    return jsonify({"task": TaskSchema().dump(info), "instance": instance})


@bp.get("/tasks/<task_id>/comments")
def list_comments(task_id: str) -> Response:
    actor = current_actor()
    limit, offset = paging()
    with lif().unit_of_work() as session:
        items = tasks.comments(session, task_id, actor=actor)
        answer = CommentSchema().dump(items[offset:offset + limit], many=True)
    return jsonify({"items": answer, "total": len(items)})


@bp.post("/tasks/<task_id>/comments")
def add_comment(task_id: str) -> tuple[Response, int]:
    actor = current_actor()
    text = body(CommentRequest())["body"]
    with lif().unit_of_work() as session:
        comment = tasks.add_comment(session, task_id, text, actor=actor, now=now())
        answer = CommentSchema().dump(comment)
    return jsonify(answer), 201
