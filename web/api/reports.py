"""``GET /api/v1/reports/compliance?from=&to=``: the compliance measures over a period (SPEC §5), each with its
numbers, the cases it counted, its breakdowns and notes. Coordinators, chairs, the scrutineer and the partners."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields

from engine import workdays
from engine.errors import BadRequest
from engine.reports import compliance
from engine.reports.records import Measure, Share

from ..context import lif
from .blueprint import bp
from .common import current_actor, now

PARAMETERS = ("from", "to")


class ShareSchema(Schema):
    key = fields.String()
    label = fields.String()
    numerator = fields.Integer()
    denominator = fields.Integer()
    percent = fields.Float(allow_none=True)


class MeasureSchema(ShareSchema):
    cases = fields.List(fields.String(), metadata={"description": "the instance ids counted (the drill-down)"})
    breakdowns = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(ShareSchema)),
                             metadata={"description": "by name: 'by agency', 'by standard', 'by month', ..."})
    notes = fields.List(fields.String(), metadata={"description": "what was counted differently: extended or "
                                                                  "paused clocks, the previous cycle"})


class ComplianceSchema(Schema):
    measures = fields.List(fields.Nested(MeasureSchema))
    from_ = fields.Date(data_key="from")
    to = fields.Date()


def period_from(args: Any, today: date) -> tuple[date, date]:
    """``from`` and ``to`` as ISO dates (default: the last 12 months); 400 naming an unknown or bad parameter."""
    for name in args:
        if name not in PARAMETERS:
            raise BadRequest(f"unknown parameter {name!r}", {"parameter": name})
    start, end = compliance.default_period(today)
    found = {}
    for name, default in (("from", start), ("to", end)):
        text = args.get(name)
        try:
            found[name] = date.fromisoformat(text) if text else default
            if found[name].year not in compliance.YEARS:
                raise ValueError
        except ValueError:
            raise BadRequest(f"{name} must be a date from 1900 to 2200, such as 2026-12-31",
                             {"parameter": name}) from None
    if found["to"] < found["from"]:
        raise BadRequest("to must not be before from", {"parameter": "to"})
    if (found["to"] - found["from"]).days > compliance.LONGEST_PERIOD_DAYS:
        raise BadRequest("the period may be at most 20 years", {"parameter": "from"})
    return found["from"], found["to"]


def share_json(share: Share) -> dict[str, Any]:
    return {"key": share.key, "label": share.label, "numerator": share.numerator, "denominator": share.denominator,
            "percent": share.percent}


def measure_json(measure: Measure) -> dict[str, Any]:
    return {**share_json(measure), "cases": list(measure.cases),  # type: ignore[arg-type]
            "breakdowns": {name: [share_json(s) for s in shares] for name, shares in measure.breakdowns.items()},
            "notes": list(measure.notes)}


@bp.get("/reports/compliance")
def compliance_report() -> Response:
    actor = current_actor()
    compliance.require_report_reader(actor)
    start, end = period_from(request.args, workdays.london_date(now()))
    with lif().reading() as session:
        measures = compliance.compliance_report(session, actor=actor, start=start, end=end, now=now())
    return jsonify({"measures": [measure_json(m) for m in measures], "from": start.isoformat(),
                    "to": end.isoformat()})
