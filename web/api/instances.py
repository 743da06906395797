"""Process instances: start, list, read, cancel, retry."""
from __future__ import annotations

from flask import Response, jsonify, request

from engine.cases import instances
from engine.reads import queries
from engine.store import audit

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, flag, listing, now, paging
from .schemas import InstanceSchema, InstanceSummarySchema, ReasonRequest, StartRequest


def _instance_json(session, row, actor) -> dict:
    dumped: dict = InstanceSchema().dump(queries.instance_info(session, row, actor, now()))
    return dumped


@bp.post("/process-instances")
def start_instance() -> tuple[Response, int]:
    actor = current_actor()
    request_body = body(StartRequest())
    with lif().unit_of_work() as session:
        row = instances.start_instance(session, request_body["process_key"], data=request_body["data"],
                                       business_key=request_body["business_key"], actor=actor, now=now())
        answer = _instance_json(session, row, actor)
    return jsonify(answer), 201


@bp.get("/process-instances")
def list_instances() -> Response:
    actor = current_actor()
    limit, offset = paging()
    with lif().reading() as session:
        page = queries.instances_for(session, actor, now(), process_key=request.args.get("process_key"),
                                     status=request.args.get("status"), overdue=flag("overdue"),
                                     limit=limit, offset=offset)
    return jsonify(listing(page, InstanceSummarySchema()))


@bp.get("/process-instances/<instance_id>")
def get_instance(instance_id: str) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as session:
        row = queries.visible_instance_row(session, actor, instance_id)
        audit.record(session, "instance.viewed", actor=actor.username, now=now(), instance_id=row.id)
        answer = _instance_json(session, row, actor)
    return jsonify(answer)


@bp.post("/process-instances/<instance_id>/cancel")
def cancel_instance(instance_id: str) -> Response:
    actor = current_actor()
    reason = body(ReasonRequest())["reason"]
    with lif().unit_of_work() as session:
        queries.visible_instance_row(session, actor, instance_id)
        row = instances.cancel_instance(session, instance_id, reason, actor=actor, now=now())
        answer = _instance_json(session, row, actor)
    return jsonify(answer)


@bp.post("/process-instances/<instance_id>/retry")
def retry_instance(instance_id: str) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as session:
        queries.visible_instance_row(session, actor, instance_id)
        row = instances.retry_instance(session, instance_id, actor=actor, now=now())
        answer = _instance_json(session, row, actor)
    return jsonify(answer)
