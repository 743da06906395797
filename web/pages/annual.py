"""``/reports/annual``: the annual report pack for coordinators and chairs. Choose a year, read its headline figures
and download the Word document to edit into the yearly report, or the same numbers as a workbook."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.errors import InvalidData, NotFound
from engine.reports import annual
from engine.workdays import london_date

from ..api.annual import download, parse_year
from ..context import lif
from ..documents_out import annual_words as words
from .common import current_actor, now, requires

bp = Blueprint("annual", __name__)
FORMATS = ("docx", "xlsx")
COMPLIANCE_PAGE = "reports.compliance_page"  # the compliance report's page (issue 14 section 4)


@bp.get("/reports/annual")
@requires(*annual.READERS)
def report() -> tuple[str, int] | str:
    typed = request.args.get("year", "")[:20]
    try:
        year = parse_year(typed)
    except InvalidData as exc:
        return _page(None, typed, exc.message[:1].upper() + exc.message[1:]), 400
    with lif().reading() as db:
        figures = annual.annual_figures(db, actor=current_actor(), year=year, now=now())
    return _page(figures, str(year))


@bp.get("/reports/annual.<wanted>")
@requires(*annual.READERS)
def download_pack(wanted: str) -> Response | tuple[str, int]:
    if wanted not in FORMATS:
        raise NotFound("there is no such download")
    typed = request.args.get("year", "")[:20]
    try:
        year = parse_year(typed)
    except InvalidData as exc:
        return _page(None, typed, exc.message[:1].upper() + exc.message[1:]), 400
    with lif().reading() as db:
        figures = annual.annual_figures(db, actor=current_actor(), year=year, now=now())
    return download(figures, wanted)


def _page(figures: annual.AnnualFigures | None, typed: str, error: str | None = None) -> str:
    return render_template("annual/report.html", figures=figures, typed=typed, error=error, words=words,
                           latest=london_date(now()).year + 1, first=annual.FIRST_YEAR, sections=_sections(figures),
                           compliance=_compliance_link(figures))


def _sections(figures: annual.AnnualFigures | None) -> dict[str, Any]:
    if figures is None:
        return {}
    return {"cases": words.cases_sentence(figures), "themes": words.themes_sentence(figures),
            "actions": words.actions_sentence(figures),
            "measures": [(m, words.measure_sentence(m, figures.year)) for m in figures.measures]}


def _compliance_link(figures: annual.AnnualFigures | None) -> str | None:
    """The compliance report (charts, and the cases counted) for the same year, where the app has one."""
    if figures is None or COMPLIANCE_PAGE not in current_app.view_functions:
        return None
    span: dict[str, Any] = {"from-day": 1, "from-month": 1, "from-year": figures.year,
                            "to-day": 31, "to-month": 12, "to-year": figures.year}
    return url_for(COMPLIANCE_PAGE, **span)
