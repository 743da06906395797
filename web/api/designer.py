"""The process designer over the API (designers and admins): validate files without deploying, and the drafts
(open, save with the revision it was made from, discard, deploy). The work is ``engine.designer``; a stale
revision is a 409, a deploy with problems a 422 listing every one."""
from __future__ import annotations

from flask import Response, jsonify
from marshmallow import Schema, fields, validate

from engine.designer import drafts, validating
from engine.errors import Forbidden
from engine.records import Actor

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, now
from .schemas import DeployResponse, Line, Strict

FILES = fields.Dict(keys=Line(validate=validate.Length(min=1, max=200)), values=fields.String(), required=True,
                    validate=validate.Length(min=1, max=200), metadata={"description": "file name: its text"})


class FilesRequest(Strict):
    files = FILES


class ProblemSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    element = fields.String(allow_none=True, metadata={"description": "the BPMN or DMN id of the element"})
    message = fields.String()


class ProblemsSchema(Schema):
    problems = fields.List(fields.Nested(ProblemSchema))


class DraftSchema(Schema):
    key = fields.String()
    revision = fields.Integer(metadata={"description": "0: nothing saved yet (the files of base_version, or a "
                                                       "starter bundle for a new process)"})
    base_version = fields.Integer(allow_none=True)
    files = fields.Dict(keys=fields.String(), values=fields.String())
    updated_by = fields.String(allow_none=True)
    updated_at = fields.DateTime(format="iso", allow_none=True)


class DraftRequest(Strict):
    files = FILES
    revision = fields.Integer(required=True, validate=validate.Range(0, 2**31 - 1),
                              metadata={"description": "the revision the files were made from"})
    base_version = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1), metadata={
        "description": "for a first save (revision 0): the draft's base_version as opened (null for a new "
                       "process); a version deployed since is a 409"})


class DraftSavedSchema(DraftSchema):
    problems = fields.List(fields.Nested(ProblemSchema))


class RevisionRequest(Strict):
    revision = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


def designer() -> Actor:
    actor = current_actor()
    if not actor.has("designer", "admin"):
        raise Forbidden("the process designer needs the designer role")
    return actor


@bp.post("/process-definitions/<key>/validate")
def validate_definition(key: str) -> Response:
    designer()
    files = body(FilesRequest())["files"]
    with lif().reading() as session:
        problems = validating.bundle_problems(session, key, files)
    return jsonify(ProblemsSchema().dump({"problems": problems}))


@bp.get("/process-definitions/<key>/draft")
def get_process_draft(key: str) -> Response:
    designer()
    with lif().reading() as session:
        draft = drafts.open_draft(session, key)
    return jsonify(DraftSchema().dump(draft))


@bp.put("/process-definitions/<key>/draft")
def save_process_draft(key: str) -> Response:
    actor = designer()
    request_body = body(DraftRequest())
    with lif().unit_of_work() as session:
        draft = drafts.save_draft(session, key, request_body["files"], revision=request_body["revision"],
                                  actor=actor.username, now=now(),
                                  base_version=request_body.get("base_version", drafts.UNSAID))
        problems = validating.bundle_problems(session, key, draft.files)
    return jsonify(DraftSavedSchema().dump({**draft.__dict__, "problems": problems}))


@bp.delete("/process-definitions/<key>/draft")
def discard_process_draft(key: str) -> tuple[str, int]:
    actor = designer()
    with lif().unit_of_work() as session:
        drafts.discard_draft(session, key, actor=actor.username, now=now())
    return "", 204


@bp.post("/process-definitions/<key>/draft/deploy")
def deploy_process_draft(key: str) -> tuple[Response, int]:
    actor = designer()
    revision = body(RevisionRequest())["revision"]
    with lif().unit_of_work() as session:
        info, created = drafts.deploy_draft(session, key, revision=revision, actor=actor.username, now=now())
    return jsonify(DeployResponse().dump(info)), 201 if created else 200
