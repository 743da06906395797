"""Case documents: ``POST /tasks/<id>/files`` (multipart ``file`` and ``field``) uploads a document, or a new
version of it, to a file field of a ready task; ``GET /files/<id>`` downloads it, for those whose view of the case
holds it (404 for everyone else)."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields, validate

from engine.documents import reading
from engine.documents.records import DocumentInfo
from engine.errors import InvalidData

from ..context import lif
from ..documents import attachment_response, receive_upload
from .blueprint import bp
from .common import current_actor, now, query


class DocumentSchema(Schema):
    id = fields.String()
    name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime(format="iso")
    version = fields.Integer()
    field = fields.String()
    task_id = fields.String()
    instance_id = fields.String()


class DownloadArgs(Schema):
    version = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))


@bp.post("/tasks/<task_id>/files")
def upload_file(task_id: str) -> tuple[Response, int]:
    actor = current_actor()
    sent, field = request.files.get("file"), request.form.get("field", "")
    missing = [{"field": name, "message": "is required"} for name, given in (("file", sent), ("field", field))
               if not given]
    if missing or sent is None:
        raise InvalidData("send the document as multipart form data: file and field", missing)
    info = receive_upload(task_id, field, sent, actor=actor)
    return jsonify(DocumentSchema().dump(flat(info))), 201


@bp.get("/files/<document_id>")
def download_file(document_id: str) -> Response:
    actor = current_actor()
    version = query(DownloadArgs())["version"]
    with lif().unit_of_work() as session:  # a download is audited
        found = reading.open_document(session, document_id, actor=actor, now=now(), version=version)
    return attachment_response(found)


def flat(info: DocumentInfo) -> dict[str, Any]:
    latest = info.latest
    return {"id": info.id, "name": latest.name, "content_type": latest.content_type, "size": latest.size,
            "sha256": latest.sha256, "uploaded_by": latest.uploaded_by, "uploaded_at": latest.uploaded_at,
            "version": latest.version, "field": info.field, "task_id": info.task_id,
            "instance_id": info.instance_id}
