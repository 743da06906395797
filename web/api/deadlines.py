"""A coordinator's deadline actions: extend a task's deadline, chase it, pause and resume a case's clock."""
from __future__ import annotations

from flask import Response, jsonify

from engine.reads import queries
from engine.work import deadline_changes
from notifications import outbox

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, now
from .schemas import ChaseRequest, ExtendRequest, InstanceSchema, ReasonRequest, TaskSchema


@bp.post("/tasks/<task_id>/extend")
def extend_deadline(task_id: str) -> Response:
    actor = current_actor()
    request_body = body(ExtendRequest())
    with lif().unit_of_work() as session:
        info = deadline_changes.extend_deadline(session, task_id, request_body["due_at"], request_body["reason"],
                                                actor=actor, now=now())
    return jsonify(TaskSchema().dump(info))


@bp.post("/tasks/<task_id>/chase")
def chase_task(task_id: str) -> tuple[Response, int]:
    actor = current_actor()
    message = body(ChaseRequest()).get("message")
    with lif().unit_of_work() as session:
        outbox.send_chaser(session, task_id, message, actor=actor, now=now(), base_url=lif().config.base_url)
    return jsonify({"status": "queued"}), 202


def _clock_action(instance_id: str, action) -> Response:
    actor = current_actor()
    reason = body(ReasonRequest())["reason"]
    with lif().unit_of_work() as session:
        queries.visible_instance_row(session, actor, instance_id)
        row = action(session, instance_id, reason, actor=actor, now=now())
        answer = InstanceSchema().dump(queries.instance_info(session, row, actor, now()))
    return jsonify(answer)


@bp.post("/process-instances/<instance_id>/pause")
def pause_instance(instance_id: str) -> Response:
    return _clock_action(instance_id, deadline_changes.pause_instance)


@bp.post("/process-instances/<instance_id>/resume")
def resume_instance(instance_id: str) -> Response:
    return _clock_action(instance_id, deadline_changes.resume_instance)
