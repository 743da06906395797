"""``POST /api/v1/process-definitions/<key>/check``: run a draft's files through every path the check can find
(``engine.designer.checking``) and answer what it found. Designers and admins; nothing is written."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields, validate

from engine.designer import checking
from engine.designer.records import CheckReport

from ..context import lif
from .blueprint import bp
from .common import body, now
from .designer import FILES, designer
from .schemas import Strict


class CheckRequest(Strict):
    files = FILES
    seeds = fields.Integer(load_default=8, strict=True, validate=validate.Range(1, checking.MAX_SEEDS),
                           metadata={"description": f"how many seeded runs (1 to {checking.MAX_SEEDS}; default 8)"})


class CheckProblemSchema(Schema):
    kind = fields.String(metadata={"description": "dead_end, unreached, script_error or unsubmittable"})
    element = fields.String(allow_none=True, metadata={"description": "the BPMN id of the element"})
    message = fields.String()


class CheckSchema(Schema):
    runs = fields.Integer(metadata={"description": "how many runs were made (0: the files do not parse; "
                                                   "validate them for the problems)"})
    reached = fields.List(fields.String(), metadata={"description": "the element ids some run reached"})
    problems = fields.List(fields.Nested(CheckProblemSchema))


def report_json(report: CheckReport) -> dict[str, Any]:
    """The answer of the API and of the editor's page endpoint alike."""
    answer: dict[str, Any] = CheckSchema().dump({"runs": report.runs, "reached": list(report.reached),
                               "problems": [{"kind": p.kind, "element": p.element, "message": p.message}
                                            for p in report.problems]})
    return answer


@bp.post("/process-definitions/<key>/check")
def check_definition(key: str) -> Response:
    designer()
    request = body(CheckRequest())
    with lif().reading() as session:
        report = checking.check_bundle(session, key, request["files"], seeds=request["seeds"], now=now())
    return jsonify(report_json(report))
