"""Process definitions: list the latest versions, deploy a bundle, read a version's BPMN."""
from __future__ import annotations

from flask import Response, jsonify

from engine.bundles import definitions
from engine.errors import Forbidden
from engine.store import audit

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, now, paging, query
from .schemas import DefinitionSchema, DeployRequest, DeployResponse, VersionArgs


@bp.get("/process-definitions")
def list_definitions() -> Response:
    current_actor()
    limit, offset = paging()
    with lif().reading() as session:  # reads only: on SQLite it never queues behind a step that holds the write lock
        items = definitions.list_latest(session)
    return jsonify({"items": DefinitionSchema().dump(items[offset:offset + limit], many=True), "total": len(items)})


@bp.post("/process-definitions")
def deploy_definition() -> tuple[Response, int]:
    actor = current_actor()
    if not actor.has("designer", "admin"):
        raise Forbidden("deploying needs the designer role")
    request_body = body(DeployRequest())
    with lif().unit_of_work() as session:
        info, created = definitions.deploy_bundle(session, request_body["key"], request_body["files"],
                                                  actor=actor.username, now=now())
    return jsonify(DeployResponse().dump(info)), 201 if created else 200


@bp.get("/process-definitions/<key>/bpmn")
def definition_bpmn(key: str) -> Response:
    actor = current_actor()
    version = query(VersionArgs())["version"]
    with lif().unit_of_work() as session:
        xml = definitions.bpmn_xml(session, key, version)
        audit.record(session, "definition.downloaded", actor=actor.username, now=now(), key=key, version=version)
    return Response(xml, mimetype="application/xml")
