"""Bundles in and out over the API (designers and admins): the diff between two versions, a version as a zip in
spiff-arena's process-model layout, and deploying such a zip (answered as ``POST /process-definitions``)."""
from __future__ import annotations

from flask import Response, jsonify, request
from marshmallow import Schema, fields

from engine.designer import diffing, zips
from engine.errors import BadRequest
from engine.store import audit

from ..context import lif
from .blueprint import bp
from .common import now, query
from .designer import designer
from .schemas import DeployResponse, VersionArgs


class FormChangeSchema(Schema):
    file = fields.String(metadata={"description": "the form's JSON schema file"})
    added = fields.List(fields.String(), metadata={"description": "field paths the form gained"})
    removed = fields.List(fields.String(), metadata={"description": "field paths the form lost"})
    used_by = fields.List(fields.String(), metadata={"description": "ids of the tasks that show the form"})


class DiffSchema(Schema):
    added = fields.List(fields.String(), metadata={"description": "ids of the elements only `to` has"})
    removed = fields.List(fields.String(), metadata={"description": "ids of the elements only `from` has"})
    changed = fields.List(fields.String(), metadata={"description": "ids of the elements whose meaning changed "
                                                                    "(not their place in the diagram)"})
    forms = fields.List(fields.Nested(FormChangeSchema))


@bp.get("/process-definitions/<key>/diff")
def diff_definition(key: str) -> Response:
    designer()
    old, new = _version_arg("from"), _version_arg("to")
    with lif().reading() as session:
        found = diffing.diff_versions(session, key, old, new)
    return jsonify(DiffSchema().dump(found.as_dict()))


def _version_arg(name: str) -> int:
    value = request.args.get(name, "")
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) < 2**31:
        raise BadRequest(f"{name} must be a version number", [{"field": name, "message": "a whole number from 1"}])
    return int(value)


@bp.get("/process-definitions/<key>/bundle.zip")
def bundle_zip(key: str) -> Response:
    actor = designer()
    wanted = query(VersionArgs())["version"]
    with lif().unit_of_work() as session:
        version, data = zips.export_zip(session, key, wanted)
        audit.record(session, "definition.downloaded", actor=actor.username, now=now(), key=key, version=version)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{key}-v{version}.zip"'})


@bp.post("/process-definitions/import")
def import_bundle() -> tuple[Response, int]:
    actor = designer()
    sent = request.files.get("bundle")
    if sent is None:
        raise BadRequest("send the zip as the multipart field bundle")
    data = sent.stream.read(zips.MAX_ZIP_BYTES + 1)
    key = request.form.get("key", "").strip() or None
    with lif().unit_of_work() as session:
        info, created = zips.import_zip(session, data, key, actor=actor.username, now=now())
    return jsonify(DeployResponse().dump(info)), 201 if created else 200
