"""``GET /api/v1/actions``: the action register (SPEC §5) as JSON, CSV or Excel, holding the actions the caller may
see (need to know), with its filters. An unknown parameter or a bad value is a 400 naming the parameter."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate
from werkzeug.wrappers import Response

from engine.errors import BadRequest
from engine.registers.records import RAG_WORDS
from engine.reports import actions
from engine.store import audit

from ..actions_export import EXPORT_LIMIT, export_response
from ..context import lif
from .blueprint import bp
from .common import current_actor, now
from .schemas import Line


class ActionArgs(Schema):
    """The register's query parameters; any other is refused."""
    class Meta:
        unknown = RAISE

    agency = Line(validate=validate.Length(min=1, max=64))
    process_key = fields.String(validate=validate.OneOf(actions.PROCESS_KEYS))
    status = fields.String(validate=validate.OneOf(actions.STATUS_FILTERS))
    rag = fields.String(validate=validate.OneOf(list(RAG_WORDS)))
    overdue = fields.Boolean(truthy={"true", "1", "yes"}, falsy={"false", "0", "no"})
    due_from = fields.Date(data_key="from")
    due_to = fields.Date(data_key="to")
    q = Line(validate=validate.Length(max=actions.MAX_SEARCH))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))
    limit = fields.Integer(validate=validate.Range(1, EXPORT_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))


class ActionSchema(Schema):
    """One action: SPEC §5's fields (``instance_id`` is the plan's case, ``process_key`` the process that raised
    it, ``owner`` a username, ``agency`` a key), then the register's other columns."""
    id = fields.Integer(attribute="entry.id")
    instance_id = fields.String(attribute="entry.plan_id")
    process_key = fields.String(attribute="entry.source_process")
    recommendation = fields.String(attribute="entry.recommendation")
    action = fields.String(attribute="entry.action")
    measure = fields.String(attribute="entry.measure")
    owner = fields.String(attribute="entry.owner", allow_none=True)
    agency = fields.String(attribute="entry.agency", allow_none=True)
    due_at = fields.DateTime(format="iso", attribute="entry.due_at", allow_none=True)
    rag = fields.String(attribute="entry.rag", allow_none=True)
    status = fields.String(attribute="entry.status")
    evidence_of_impact = fields.String(attribute="entry.evidence_of_impact")
    signed_off_at = fields.DateTime(format="iso", attribute="entry.signed_off_at", allow_none=True)
    action_key = fields.String(attribute="entry.action_key")
    number = fields.Integer(attribute="entry.number")
    business_key = fields.String(attribute="plan_business_key")
    source_reference = fields.String(attribute="entry.source_reference")
    expected_outcome = fields.String(attribute="entry.expected_outcome")
    due_date = fields.Date(attribute="entry.due_date", allow_none=True)
    original_due_date = fields.Date(attribute="entry.original_due_date", allow_none=True)
    latest_update = fields.String(attribute="entry.latest_update")
    latest_update_date = fields.Date(attribute="entry.latest_update_date", allow_none=True)
    evidence_of_completion = fields.String(attribute="entry.evidence_of_completion")
    overdue = fields.Boolean()
    replans = fields.Integer(attribute="entry.replans")
    escalations = fields.Integer(attribute="entry.escalations")


def register_args() -> dict[str, Any]:
    """The query string through ``ActionArgs`` (empty values count as not given); 400 naming the first parameter
    refused."""
    given = {name: value for name, value in request.args.items() if value != ""}
    try:
        loaded: dict[str, Any] = ActionArgs().load(given)
    except ValidationError as exc:
        parameter = sorted(exc.messages)[0] if isinstance(exc.messages, dict) else ""
        problem = exc.messages[parameter][0] if isinstance(exc.messages, dict) else str(exc.messages)
        message = "unknown parameter" if problem == "Unknown field." else str(problem).rstrip(".").lower()
        raise BadRequest(f"{parameter}: {message}", {"parameter": parameter}) from None
    return loaded


@bp.get("/actions")
def list_actions() -> Response:
    """The register the caller may see; ``format=csv`` or ``xlsx`` gives every matching action (or ``limit`` of
    them) as a file, the same rows as the JSON."""
    actor = current_actor()
    args = register_args()
    export = args.pop("format")
    limit = args.pop("limit", 50 if export == "json" else EXPORT_LIMIT)
    with lif().unit_of_work() as session:
        page = actions.action_register(session, actor=actor, now=now(), limit=limit, **args)
        if export != "json":
            processes = actions.process_names(session)
            audit.record(session, "actions.exported", actor=actor.username, now=now(), format=export,
                         rows=len(page.items))
        else:
            audit.record(session, "actions.listed", actor=actor.username, now=now(), offset=args.get("offset", 0),
                         filters={k: str(v) for k, v in args.items() if k not in ("q", "offset")}
                         | ({"searched": True} if "q" in args else {}),
                         action_ids=[e.entry.id for e in page.items])
    if export != "json":
        return export_response(export, page.items, processes)
    return jsonify({"items": ActionSchema().dump(page.items, many=True), "total": page.total})
