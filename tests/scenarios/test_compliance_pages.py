"""The compliance report's API (``GET /api/v1/reports/compliance``) and pages (``/reports/compliance`` and its
drill-down), over cases run through the real engine: the numbers the API gives are the page's table and its
chart's text; bad dates and unknown parameters are refused naming them; who may read it."""
from __future__ import annotations

import re

import pytest

from tests.web.web_kit import sign_in

from .test_compliance_deadlines import notified

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
FORM = {"from-day": "1", "from-month": "1", "from-year": "2026", "to-day": "31", "to-month": "12", "to-year": "2026"}


@pytest.fixture
def cases(run):
    on_time = notified(run, "2026-12-21", "2026-12-23")
    late = notified(run, "2026-12-22", "2027-01-04")
    return on_time, late


@pytest.fixture
def page_as(app, run):
    app.config.update(WTF_CSRF_ENABLED=False)  # signing in by post, as the page tests do

    def _client(username):
        client = app.test_client()
        sign_in(client, username)
        return client
    return _client


def test_the_api_gives_every_measure_with_its_numbers_cases_breakdowns_and_notes(client, auth, cases):
    response = client.get("/api/v1/reports/compliance", query_string=YEAR, headers=auth("cora"))
    assert response.status_code == 200, response.json
    measures = {m["key"]: m for m in response.json["measures"]}
    assert list(measures)[:7] == ["notification_within_5wd", "rapid_review_within_15wd", "report_within_6_months",
                                  "cdop_returns_on_time", "section11_returns_complete", "actions_overdue",
                                  "case_audit_grades"]
    notification = measures["notification_within_5wd"]
    assert {k: notification[k] for k in ("numerator", "denominator", "percent")} == \
        {"numerator": 1, "denominator": 2, "percent": 50.0}
    assert sorted(notification["cases"]) == sorted(cases)
    assert set(notification) >= {"key", "label", "breakdowns", "notes"}
    assert measures["cdop_returns_on_time"]["breakdowns"] == {"by agency": []}
    assert measures["cdop_returns_on_time"]["percent"] is None


@pytest.mark.parametrize("query, parameter", [({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"),
                                              ({"from": "2026-12-31", "to": "2026-01-01"}, "to"),
                                              ({"from": "1850-01-01", "to": "1851-01-01"}, "from"),
                                              ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
                                              ({"from": "2000-01-01", "to": "2030-01-01"}, "from"),
                                              ({"agency": "police"}, "agency")])
def test_the_api_refuses_a_bad_date_or_an_unknown_parameter_naming_it(client, auth, query, parameter):
    response = client.get("/api/v1/reports/compliance", query_string=query, headers=auth("cora"))
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert response.json["error"]["details"] == {"parameter": parameter}


@pytest.mark.parametrize("who, status", [("cora", 200), ("chad", 200), ("scot", 200), ("lena", 200), ("pat", 403),
                                         ("adam", 403), ("dee", 403)])
def test_the_api_is_for_coordinators_chairs_the_scrutineer_and_partners(client, auth, who, status):
    assert client.get("/api/v1/reports/compliance", headers=auth(who)).status_code == status


def test_the_api_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/reports/compliance"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to"}
    assert {"200", "400", "401", "403"} <= set(operation["responses"])


def test_the_page_shows_the_apis_numbers_in_its_tables_and_charts(client, auth, cases, page_as):
    api = {m["key"]: m for m in client.get("/api/v1/reports/compliance", query_string=YEAR,
                                           headers=auth("cora")).json["measures"]}
    html = page_as("cora").get("/reports/compliance", query_string=FORM).get_data(as_text=True)
    for key, m in api.items():
        section = html[html.index(f'id="{key}"'):]
        assert f'<svg class="lif-chart" id="chart-{key}" role="img"' in section
        chart = section[:section.index("</svg>")]
        assert "<title" in chart and "<desc" in chart
        if m["denominator"]:
            assert f'{m["percent"]:g}% ({m["numerator"]} of {m["denominator"]})' in chart
        else:
            assert "None counted" in chart
    table = html[html.index('id="table-overview"'):]
    row = re.search(r"Serious incident notifications within 5 working days</th>\s*"
                    r'<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>([\d.]+)%</td>', table)
    assert row and row.groups() == ("1", "2", "50")
    assert "<script" not in html[html.index("<main"):html.index("</main>")]


def test_the_page_defaults_to_the_last_12_months_and_names_a_bad_date(page_as):
    client = page_as("cora")
    html = client.get("/reports/compliance").get_data(as_text=True)
    assert "2 December 2025 to 1 December 2026" in html  # the tests' today is 1 December 2026
    bad = client.get("/reports/compliance", query_string={**FORM, "to-month": "13"}).get_data(as_text=True)
    assert "There is a problem" in bad and 'href="#to-day"' in bad and "To must be a real date" in bad
    assert "<title>Error:" in bad


def test_the_drill_down_lists_the_cases_counted_and_links_only_those_the_viewer_may_see(cases, page_as):
    on_time, late = cases
    html = page_as("cora").get("/reports/compliance/notification_within_5wd", query_string=YEAR).get_data(
        as_text=True)
    assert html.count('href="/cases/') == 2 and "23 December 2026" in html and "4 January 2027" in html
    assert "Not met" in html and ">Met<" in html
    partner = page_as("lena").get("/reports/compliance/notification_within_5wd", query_string=YEAR).get_data(
        as_text=True)
    assert 'href="/cases/' not in partner and "Not met" in partner
    assert page_as("pat").get("/reports/compliance").status_code == 403
    assert page_as("cora").get("/reports/compliance/nothing", query_string=YEAR).status_code == 404


def test_the_reports_link_is_in_the_navigation_of_those_who_may_read_it(page_as):
    for who, shown in (("cora", True), ("chad", True), ("scot", True), ("lena", True), ("pat", False),
                       ("adam", False)):
        html = page_as(who).get("/notifications").get_data(as_text=True)
        assert ('href="/reports/compliance"' in html) is shown, who


def test_the_drill_down_is_audited_with_the_measure_the_period_and_the_cases_listed(cases, page_as, factory):
    from sqlalchemy import select

    from engine.store.db import transaction
    from engine.store.models import AuditEvent
    page_as("cora").get("/reports/compliance/notification_within_5wd", query_string=YEAR)
    with transaction(factory) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "compliance.cases_listed")).one()
        assert event.actor == "cora" and event.details["measure"] == "notification_within_5wd"
        assert (event.details["start"], event.details["end"]) == (YEAR["from"], YEAR["to"])
        assert sorted(event.details["instance_ids"]) == sorted(c.instance_id if hasattr(c, "instance_id") else c
                                                               for c in cases)
