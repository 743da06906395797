"""Moving a running case to another version of its process (designers and admins): whether it can move and
why not, and the move. The work is ``engine.designer.migration``; an unsafe move is a 409 listing the problems.
The answers hold no case data: a moved case comes back as a designer sees it (``RunningInstanceSchema``)."""
from __future__ import annotations

from flask import Response, jsonify
from marshmallow import Schema, fields, validate

from engine.designer import migration

from ..context import lif
from .blueprint import bp
from .common import body, now, query
from .designer import designer
from .schemas import RunningInstanceSchema, Strict

VERSION = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1),
                         metadata={"description": "the version of the case's process to move it to"})


class MigrationArgs(Schema):
    version = VERSION


class MigrateRequest(Strict):
    version = VERSION


class MigrationSchema(Schema):
    can_migrate = fields.Boolean()
    problems = fields.List(fields.String(), metadata={"description": "why the case cannot move, in words naming "
                                                                     "the elements"})


@bp.get("/process-instances/<instance_id>/migration")
def get_instance_migration(instance_id: str) -> Response:
    actor = designer()
    version = query(MigrationArgs())["version"]
    with lif().reading() as session:
        found = migration.preview(session, instance_id, version, actor=actor)
    return jsonify(MigrationSchema().dump(found))


@bp.post("/process-instances/<instance_id>/migrate")
def migrate_instance(instance_id: str) -> Response:
    actor = designer()
    version = body(MigrateRequest())["version"]
    with lif().unit_of_work() as session:
        moved = migration.migrate(session, instance_id, version, actor=actor, now=now())
    return jsonify(RunningInstanceSchema().dump(moved))
