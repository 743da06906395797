"""The register page, its error summary, a plan's case page and its progress report in Debian's Chromium, on the
demo: no WCAG 2.2 AA violation (axe-core) for a coordinator and an agency lead, and the progress report printed to
PDF fits its plan on one A4 landscape page with no navigation."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.store.db import transaction
from engine.store.models import PlanAction
from tests.web.browser_kit import CHROMIUM, chromium
from tests.web.demo_site_kit import DemoSite, demo_site, sign_in
from tests.web.test_web_axe import violations

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("register")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    yield context.new_page()
    context.close()


def plan_of(site: DemoSite) -> str:
    """The demo plan with the most actions."""
    with transaction(site.factory) as s:
        return s.execute(select(PlanAction.plan_id).group_by(PlanAction.plan_id)
                         .order_by(func.count().desc())).scalars().first()


@pytest.mark.parametrize("username", ["coordinator", "police.lead"])
def test_the_register_and_a_plans_pages_have_no_violations(site, page, username):
    plan = plan_of(site)
    sign_in(page, site.base, username)
    found: list[str] = []
    for where, path in (("register", "/actions"), ("register, filtered", "/actions?status=open&overdue=yes"),
                        ("register, error", "/actions?rag=purple&from-day=31&from-month=2&from-year=2027"),
                        ("plan", f"/cases/{plan}"), ("progress report", f"/cases/{plan}/progress-report")):
        answer = page.goto(site.base + path)
        if answer.status == 404:  # a plan the agency lead takes no part in
            continue
        found += violations(page, f"{username}: {where}")
    assert found == []


def test_the_progress_report_prints_on_one_a4_page_without_navigation(site, page):
    plan = plan_of(site)
    sign_in(page, site.base, "coordinator")
    page.goto(f"{site.base}/cases/{plan}/progress-report")
    page.emulate_media(media="print")
    assert page.locator(".govuk-template__header").is_hidden() and page.locator(".govuk-footer").is_hidden()
    assert page.locator(".lif-no-print").is_hidden()
    assert page.locator("#report-actions").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # one page (the demo's plan of 5 actions)
    assert re.search(rb"/MediaBox \[0 0 84[12]\.\d+ 59[45]\.\d+\]", pdf)  # A4 landscape, in points
    page.set_viewport_size({"width": 1032, "height": 700})  # A4 landscape's width inside its margins
    width = page.evaluate("document.querySelector('#report-actions').scrollWidth")
    frame = page.evaluate("document.querySelector('.lif-report').clientWidth")
    assert width <= frame  # the table fits the page's width
