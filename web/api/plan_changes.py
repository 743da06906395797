"""A coordinator's changes to an open action plan over the API: add actions to it, re-plan one action (a new target
date, with the reason). The work is ``engine.work.plan_changes``; 409 when the plan or the action is closed."""
from __future__ import annotations

from flask import Response, jsonify
from marshmallow import Schema, fields, validate

from engine.work import plan_changes

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, now
from .schemas import Line, Strict, Text

_DAY = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="must be a date, YYYY-MM-DD")


class NewActionSchema(Strict):
    recommendation = Text(required=True, validate=validate.Length(min=2, max=2000))
    action = Text(required=True, validate=validate.Length(min=5, max=2000))
    measure = Text(required=True, validate=validate.Length(min=5, max=2000))
    expected_outcome = Text(validate=validate.Length(max=2000))
    owner = Line(required=True, validate=validate.Length(min=1, max=64), metadata={"description": "a username"})
    agency = Line(required=True, validate=validate.Length(min=1, max=64), metadata={"description": "an agency key"})
    due_date = Line(required=True, validate=_DAY, metadata={"description": "the target date, today or later"})
    sign_off_by = fields.String(validate=validate.OneOf(plan_changes.SIGNERS))


class AddActionsRequest(Strict):
    actions = fields.List(fields.Nested(NewActionSchema), required=True,
                          validate=validate.Length(min=1, max=plan_changes.MOST_ADDED))


class AddedActionsSchema(Schema):
    instance_id = fields.String(metadata={"description": "the plan's case"})
    action_keys = fields.List(fields.String(),
                              metadata={"description": "the new actions' keys, as the plan numbered them"})


class ReplanRequest(Strict):
    due_date = Line(required=True, validate=_DAY, metadata={"description": "the new target date, today or later"})
    reason = Text(required=True, validate=validate.Length(min=10, max=2000))


class ReplannedActionSchema(Schema):
    action_key = fields.String()
    instance_id = fields.String(attribute="plan_id", metadata={"description": "the plan's case"})
    number = fields.Integer()
    status = fields.String()
    due_date = fields.Date()
    original_due_date = fields.Date(allow_none=True)
    replans = fields.Integer()


@bp.post("/process-instances/<instance_id>/actions")
def add_actions(instance_id: str) -> tuple[Response, int]:
    actor = current_actor()
    plan_changes.require_coordinator(actor)  # 403 before the body is read
    actions = body(AddActionsRequest())["actions"]
    with lif().unit_of_work() as session:
        added = plan_changes.add_actions(session, instance_id, actions, actor=actor, now=now())
    answer = AddedActionsSchema().dump({"instance_id": added.plan_id, "action_keys": list(added.action_keys)})
    return jsonify(answer), 201


@bp.post("/actions/<action_key>/replan")
def replan_action(action_key: str) -> Response:
    actor = current_actor()
    plan_changes.require_coordinator(actor)
    request_body = body(ReplanRequest())
    with lif().unit_of_work() as session:
        entry = plan_changes.replan_action(session, action_key, request_body["due_date"], request_body["reason"],
                                           actor=actor, now=now())
    return jsonify(ReplannedActionSchema().dump(entry))
