"""The annual pack's compliance section: the measures of ``engine.reports.compliance`` for the calendar year, in the
figures, the JSON, the Word document (a heading, a sentence and a table for each measure, a table for each
breakdown) and the workbook.

Runs once the compliance report (issue 14 section 4, another branch) is merged: until then this module cannot be
collected, since ``engine.reports.annual`` imports ``engine.reports.compliance``."""
from __future__ import annotations

from datetime import date

from markupsafe import escape

from engine.reports import compliance
from engine.store.db import transaction
from tests.retention.conftest import app, web  # noqa: F401
from tests.scenarios.conftest import run, shipped, traveller  # noqa: F401
from tests.scenarios.scenarios_kit import at
from tests.scenarios.test_scr_wt2023 import start as start_wt2023

from .annual_kit import docx_tables, docx_text, expected_docx_tables, figures, xlsx_sheets

CONTRACT_KEYS = ["notification_within_5wd", "rapid_review_within_15wd", "report_within_6_months",
                 "cdop_returns_on_time", "section11_returns_complete", "actions_overdue", "case_audit_grades"]


def notified_in_time(run):
    """A serious incident of March 2026, notified to the Panel the day the local authority knew of it."""
    run.move_to(at("2026-03-02"))
    case = start_wt2023(run)
    run.do(case, "notify_panel_wt")
    run.do(case, "screening_wt")
    run.move_to(at("2027-02-01"))
    return case


def test_the_measures_are_the_compliance_reports_for_the_calendar_year(run):
    notified_in_time(run)
    found = figures(run.factory, run.coordinator, 2026)
    with transaction(run.factory) as s:
        expected = compliance.compliance_report(s, actor=run.coordinator, start=date(2026, 1, 1),
                                                end=date(2026, 12, 31), now=run.now)
    assert found.measures == tuple(expected)
    keys = [m.key for m in found.measures]
    assert [k for k in keys if k in CONTRACT_KEYS] == CONTRACT_KEYS


def test_a_notification_in_time_counts_in_its_year_only(run):
    notified_in_time(run)
    measures = {year: {m.key: m for m in figures(run.factory, run.coordinator, year).measures}
                for year in (2025, 2026, 2027)}
    notified = [measures[year]["notification_within_5wd"] for year in (2025, 2026, 2027)]
    assert [(m.numerator, m.denominator) for m in notified] == [(0, 0), (1, 1), (0, 0)]


def test_every_measure_and_breakdown_is_in_the_word_document_and_the_workbook(web, run):
    notified_in_time(run)
    pack = web.api("get", "/reports/annual?year=2026", "cora").get_json()
    document = web.api("get", "/reports/annual?year=2026&format=docx", "cora").data
    assert docx_tables(document) == expected_docx_tables(pack)
    text = docx_text(document)
    assert all(m["label"] in text for m in pack["measures"])
    assert ("In 2026 the partnership notified the Panel of 1 serious incident; 1 (100%) within 5 working days."
            in text)
    breakdowns = {(m["key"], b["name"]) for m in pack["measures"] for b in m["breakdowns"]}
    assert {("cdop_returns_on_time", "by agency"), ("section11_returns_complete", "by standard"),
            ("section11_returns_complete", "by agency"), ("actions_overdue", "by agency"),
            ("case_audit_grades", "by month")} <= breakdowns
    sheets = xlsx_sheets(web.api("get", "/reports/annual?year=2026&format=xlsx", "cora").data)
    assert [row[:4] for row in sheets["Measures"]] == [
        [m["label"], m["numerator"], m["denominator"], m["percent"]] for m in pack["measures"]]
    page = web.page("chad").get("/reports/annual?year=2026").get_data(as_text=True)
    assert all(str(escape(m["label"])) in page for m in pack["measures"])


def test_the_page_links_to_the_compliance_report_for_the_same_year(web, run):
    client = web.page("cora")
    page = client.get("/reports/annual?year=2026").get_data(as_text=True)
    link = ("/reports/compliance?from-day=1&amp;from-month=1&amp;from-year=2026&amp;to-day=31&amp;to-month=12"
            "&amp;to-year=2026")
    assert f'href="{link}"' in page
    assert client.get(link.replace("&amp;", "&")).status_code == 200
