"""The compliance report in a real browser (Debian's Chromium, the real content security policy): a chart's
numbers, its SVG's text and the table beside it, are the API's."""
from __future__ import annotations

from datetime import timedelta

import pytest

from demo import form_data
from engine.store.db import transaction
from engine.work import tasks
from tests.scenarios.scenarios_kit import PEOPLE

from .browser_kit import CHROMIUM, chromium_page, served, sign_in_as
from .web_kit import PASSWORDS, WORKFLOWS, cdop_to_agency_reports, deploy

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _report(factory, task_id, agency, now):
    actor = PEOPLE.actor(PEOPLE.leads[agency])
    with transaction(factory) as s:
        detail = tasks.task_detail(s, task_id, actor=actor, now=now)
    payload = form_data("cdop", "agency_report", detail.data, PEOPLE, now.date().isoformat(), agency=agency,
                        doer=actor.username)
    with transaction(factory) as s:
        tasks.complete_task(s, task_id, payload, actor=actor, now=now)


@pytest.fixture
def live(csrf_app, factory, partnership, now):
    """A CDOP case whose police report came on time and whose children's social care report came late."""
    deploy(factory, WORKFLOWS / "cdop", now)
    case = cdop_to_agency_reports(factory, partnership["coordinator"], now)
    _report(factory, case.reports["police"], "police", now + timedelta(days=2))
    _report(factory, case.reports["csc"], "csc", now + timedelta(days=40))
    with served(csrf_app) as base:
        yield base


def test_a_charts_numbers_are_the_apis(live, csrf_app):
    client = csrf_app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "cora", "password": PASSWORDS["cora"]}).json["token"]
    api = {m["key"]: m for m in client.get("/api/v1/reports/compliance",
                                           headers={"Authorization": f"Bearer {token}"}).json["measures"]}
    cdop = api["cdop_returns_on_time"]
    assert (cdop["numerator"], cdop["denominator"]) == (1, 2)
    expected = [("All", cdop["numerator"], cdop["denominator"], cdop["percent"])] + [
        (s["label"], s["numerator"], s["denominator"], s["percent"]) for s in cdop["breakdowns"]["by agency"]]
    with chromium_page() as page:
        sign_in_as(page, live, "cora")
        page.goto(live + "/reports/compliance")
        chart = page.locator("#chart-cdop_returns_on_time")
        assert chart.get_attribute("role") == "img"
        assert "Child death agency reports returned on time" in chart.locator("title").text_content()
        values = chart.locator(".lif-chart__value").all_text_contents()
        assert values == [f"{p:g}% ({n} of {d})" for _, n, d, p in expected]
        rows = page.locator("#table-cdop_returns_on_time-by-agency tbody tr")
        cells = [[c.strip() for c in rows.nth(i).locator("th, td").all_text_contents()] for i in range(rows.count())]
        assert cells == [[label, str(n), str(d), f"{p:g}%"] for label, n, d, p in expected[1:]]
        assert page.csp_problems == []
