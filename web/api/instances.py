"""Process instances: start, list (JSON or CSV, with a search over the case header), read, their tasks,
cancel, retry; and a process's running cases as a designer sees them (no case data)."""
from __future__ import annotations

import csv
import io

from flask import Response, jsonify, request

from engine.cases import instances
from engine.errors import BadRequest
from engine.reads import queries, running
from engine.states import TaskState
from engine.store import audit

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, flag, listing, now, paging, query
from .schemas import (
    InstanceSchema,
    InstanceSummarySchema,
    ReasonRequest,
    RunningInstanceSchema,
    StartRequest,
    TaskSchema,
    VersionArgs,
)

EXPORT_LIMIT = 10_000  # rows in one CSV export; a partnership has a few thousand cases at most
MAX_SEARCH = 200
CSV_COLUMNS = ("id", "process_key", "version", "business_key", "title", "pseudonym", "status", "paused",
               "created_at", "updated_at")


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
    """The cases the caller may see; ``q`` searches their business key, title and pseudonym; ``format=csv``
    gives the same rows (every one matching, unless ``limit`` is given) as a CSV file."""
    actor = current_actor()
    export = request.args.get("format", "json")
    if export not in ("json", "csv"):
        raise BadRequest("format must be json or csv")
    limit, offset = paging()
    if export == "csv" and "limit" not in request.args:
        limit = EXPORT_LIMIT
    search = request.args.get("q", "")
    if len(search) > MAX_SEARCH:
        raise BadRequest(f"q must be at most {MAX_SEARCH} characters")
    with lif().unit_of_work() as session:
        page = queries.instances_for(session, actor, now(), process_key=request.args.get("process_key"),
                                     status=request.args.get("status"), overdue=flag("overdue"), search=search,
                                     limit=limit, offset=offset)
        if export == "csv":
            audit.record(session, "instances.exported", actor=actor.username, now=now(), rows=len(page.items))
    if export == "csv":
        return _csv(InstanceSummarySchema().dump(page.items, many=True))
    return jsonify(listing(page, InstanceSummarySchema()))


def _csv(rows: list[dict]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="cases.csv"', "X-Content-Type-Options": "nosniff"})


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text that starts like a formula is quoted with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/process-instances/<instance_id>")
def get_instance(instance_id: str) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as session:
        row = queries.visible_instance_row(session, actor, instance_id)
        audit.record(session, "instance.viewed", actor=actor.username, now=now(), instance_id=row.id)
        answer = _instance_json(session, row, actor)
    return jsonify(answer)


@bp.get("/process-instances/<instance_id>/tasks")
def list_instance_tasks(instance_id: str) -> Response:
    actor = current_actor()
    limit, offset = paging()
    state = request.args.get("state") or None
    if state is not None and state not in tuple(TaskState):
        raise BadRequest(f"state must be one of {', '.join(TaskState)}")
    with lif().reading() as session:
        page = queries.instance_tasks(session, actor, instance_id, now(), state=state, limit=limit, offset=offset)
    return jsonify(listing(page, TaskSchema()))


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


@bp.get("/process-definitions/<key>/instances")
def list_running_instances(key: str) -> Response:
    """A process's cases for a designer planning a migration: ids, business keys, versions and open steps."""
    actor = current_actor()
    limit, offset = paging()
    version = query(VersionArgs())["version"]
    with lif().reading() as session:
        page = running.running_instances(session, key, actor=actor, version=version,
                                         status=request.args.get("status") or None, limit=limit, offset=offset)
    return jsonify(listing(page, RunningInstanceSchema()))
