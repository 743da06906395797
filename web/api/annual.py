"""``GET /api/v1/reports/annual?year=&format=``: the annual report pack (coordinators and chairs): its figures as
JSON, or the Word document or the workbook made from them."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields

from engine.errors import BadRequest, Forbidden, InvalidData
from engine.reports import annual
from engine.workdays import london_date

from ..context import lif
from ..documents_out.annual_docx import DOCX_MIMETYPE, annual_docx
from ..documents_out.annual_xlsx import XLSX_MIMETYPE, annual_xlsx
from .blueprint import bp
from .common import current_actor, now

PARAMETERS = ("year", "format")
FORMATS = ("json", "docx", "xlsx")


class AnnualCountSchema(Schema):
    key = fields.String()
    label = fields.String()
    count = fields.Integer()


class AnnualOutcomeSchema(Schema):
    name = fields.String()
    counts = fields.List(fields.Nested(AnnualCountSchema))


class AnnualCaseTypeSchema(Schema):
    process_key = fields.String()
    name = fields.String()
    started = fields.Integer()
    completed = fields.Integer()
    cancelled = fields.Integer()
    open_at_end = fields.Integer()
    outcomes = fields.Method("_outcomes")

    def _outcomes(self, case_type: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = AnnualOutcomeSchema(many=True).dump(
            [{"name": name, "counts": counts} for name, counts in case_type.outcomes.items()])
        return found


class AnnualShareSchema(Schema):
    key = fields.String()
    label = fields.String()
    numerator = fields.Integer()
    denominator = fields.Integer()
    percent = fields.Float(allow_none=True)


class AnnualMeasureSchema(Schema):
    key = fields.String()
    label = fields.String()
    numerator = fields.Integer()
    denominator = fields.Integer()
    percent = fields.Float(allow_none=True)
    notes = fields.List(fields.String())
    breakdowns = fields.Method("_breakdowns")

    def _breakdowns(self, measure: Any) -> list[dict[str, Any]]:
        return [{"name": name, "shares": AnnualShareSchema(many=True).dump(shares)}
                for name, shares in measure.breakdowns.items()]


class AnnualThemeSchema(Schema):
    key = fields.String()
    name = fields.String()
    lessons = fields.Integer()
    cases = fields.Integer()
    good_practice = fields.Integer()


class AnnualAgencyActionsSchema(Schema):
    agency = fields.String(allow_none=True)
    name = fields.String()
    raised = fields.Integer()
    signed_off = fields.Integer()
    withdrawn = fields.Integer()
    closed = fields.Integer()
    open_at_end = fields.Integer()
    overdue_at_end = fields.Integer()


class AnnualActionsSchema(Schema):
    by_agency = fields.List(fields.Nested(AnnualAgencyActionsSchema))
    total = fields.Nested(AnnualAgencyActionsSchema)


class AnnualReportSchema(Schema):
    year = fields.Integer()
    generated_at = fields.DateTime(format="iso")
    as_at = fields.Date()  # the year's last day, or today while the year runs: when "open" and "overdue" stand
    year_over = fields.Boolean()
    cases = fields.List(fields.Nested(AnnualCaseTypeSchema))
    measures = fields.List(fields.Nested(AnnualMeasureSchema))
    learning_themes = fields.List(fields.Nested(AnnualThemeSchema), attribute="themes")
    lessons = fields.Integer()
    actions = fields.Nested(AnnualActionsSchema)


@bp.get("/reports/annual")
def annual_report() -> Response:
    actor = current_actor()
    if not annual.may_read(actor):
        raise Forbidden("the annual report is for coordinators and chairs")
    try:
        year, wanted = report_parameters(request.args)
    except InvalidData as exc:
        raise BadRequest(exc.message, exc.details) from None
    with lif().reading() as session:
        figures = annual.annual_figures(session, actor=actor, year=year, now=now())
    if wanted == "json":
        return jsonify(AnnualReportSchema().dump(figures))
    return download(figures, wanted)


def report_parameters(args: Any) -> tuple[int, str]:
    """The year (this year when not given) and the format; a 400 naming any parameter unknown or out of range."""
    for name in args:
        if name not in PARAMETERS:
            raise BadRequest(f"unknown parameter {name!r}: give year and format only", {"parameter": name})
    wanted = args.get("format", "json")
    if wanted not in FORMATS:
        raise BadRequest("format must be json, docx or xlsx", {"parameter": "format"})
    return parse_year(args.get("year", "")), wanted


def parse_year(text: str) -> int:
    """A year typed or sent as text (this year when blank); InvalidData naming ``year`` otherwise."""
    text = text.strip()
    if not text:
        return london_date(now()).year
    return annual.check_year(int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else text, now())


def download(figures: annual.AnnualFigures, wanted: str) -> Response:
    """The pack as an attachment, never cached (it is drawn from case records)."""
    content, mimetype = (annual_docx(figures), DOCX_MIMETYPE) if wanted == "docx" else (annual_xlsx(figures),
                                                                                        XLSX_MIMETYPE)
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="annual-report-{figures.year}.{wanted}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
