"""Real-browser tests: Debian's Chromium, driven by Playwright, against the app served on 127.0.0.1 (CSRF on,
the real content security policy). Skipped when /usr/bin/chromium is absent (CI installs it); failed at once,
with one message, when the front-end build (``make setup``) is missing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import HumanTask

from .browser_kit import CHROMIUM, chromium, opened_page, served, sign_in_as
from .web_kit import WORKFLOWS, cdop_to_agency_reports, deploy

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"),  # fails at once, before any set-up, without `make setup`
              pytest.mark.slow]  # a real browser: CI's slower stage (make test-ci)


@pytest.fixture
def live(csrf_app, factory, partnership, now):
    """The app on a local port, with a CDOP case at its agency reports; yields (base URL, case)."""
    deploy(factory, WORKFLOWS / "cdop", now)
    case = cdop_to_agency_reports(factory, partnership["coordinator"], now)
    with served(csrf_app) as base:
        yield base, case


@pytest.fixture
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser):
    with opened_page(browser) as opened:
        yield opened


def _state(factory, task_id):
    with transaction(factory) as s:
        return s.scalar(select(HumanTask.state).where(HumanTask.id == task_id))


def test_agency_reviewer_fixes_an_error_and_completes_the_report(live, page, factory):
    base, case = live
    sign_in_as(page, base, "pat")
    page.click(f"a[href='/tasks/{case.reports['police']}']")
    page.wait_for_selector("h1:has-text('Agency report')")
    assert not page.is_checked("#f-nil_return")  # a nil return is a tick box, never ticked for you
    page.select_option("#f-report-completed_by", "pat")
    page.fill("#f-report-completed_by_role", "Detective sergeant")
    page.fill("#f-report-involvement_summary", "Too short")
    for name in ("safeguarding_concerns", "bereavement_support_offered", "poverty_or_deprivation",
                 "barriers_to_services"):
        page.check(f"#f-report-{name}-2")  # "No"
    page.click("#complete")
    summary = page.wait_for_selector(".govuk-error-summary")
    assert "must be 10 characters or more" in summary.inner_text()
    page.wait_for_function("() => document.activeElement"  # GOV.UK's script focuses it once it has run
                           " && document.activeElement.classList.contains('govuk-error-summary')")
    assert page.locator("#f-report-involvement_summary-error").is_visible()
    page.click(".govuk-error-summary a[href='#f-report-involvement_summary']")
    assert page.evaluate("document.activeElement.id") == "f-report-involvement_summary"
    page.fill("#f-report-involvement_summary", "Two welfare visits in 2025; no concerns were recorded.")
    page.click("#complete")
    page.wait_for_selector(".govuk-notification-banner--success")
    assert "is complete" in page.inner_text(".govuk-notification-banner--success")
    assert _state(factory, case.reports["police"]) == "completed"
    assert page.csp_problems == []


def test_dashboard_and_diagram_show_the_step_as_done(live, page, factory, partnership, now):
    base, case = live
    from engine.work import tasks
    with transaction(factory) as s:
        tasks.complete_task(s, case.reports["police"], {"nil_return": True}, actor=partnership["police"], now=now)
    sign_in_as(page, base, "cora")
    page.goto(base + "/cases")
    row = page.locator("#cases tr", has_text=case.business_key)
    assert "Agency report" in row.inner_text() and "Children's Social Care" in row.inner_text()
    row.locator("a", has_text=case.business_key).click()
    page.wait_for_selector("#diagram[data-rendered='true']", timeout=20_000)
    assert page.get_attribute("#diagram", "data-error") is None
    def classes(element_id):
        return page.get_attribute(f".djs-element[data-element-id='{element_id}']", "class")
    assert "lif-done" in classes("notification") and "lif-done" in classes("identify_agencies")
    assert "lif-active" in classes("agency_report")  # csc's report is still open
    fill = page.evaluate("getComputedStyle(document.querySelector(\"[data-element-id='notification'] "
                         ".djs-visual > :first-child\")).fill")
    assert fill == "rgb(204, 226, 216)"
    assert page.csp_problems == []


def _focus(page):
    return page.evaluate("""() => { const e = document.activeElement;
        return {id: e.id, name: e.name || '', type: e.type || e.tagName.toLowerCase(),
                inForm: !!e.closest('#task-form'), tag: e.tagName.toLowerCase()}; }""")


def _expected_stops(page):
    """The form's tab stops in page order: every field (a radio group is one stop) and its buttons."""
    return page.evaluate("""() => {
        const stops = [], groups = new Set();
        const fields = '#task-form input, #task-form select, #task-form textarea, #task-form button';
        for (const e of document.querySelectorAll(fields)) {
          if (e.type === 'hidden' || e.tabIndex < 0 || !e.getClientRects().length) continue;  // hidden: not a stop
          if (e.type === 'radio') { if (groups.has(e.name)) continue; groups.add(e.name); }
          stops.push(e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name));
        }
        return stops; }""")


def test_keyboard_only_walk_through_the_task_form(live, page, factory):
    base, case = live
    sign_in_as(page, base, "pat")
    page.goto(f"{base}/tasks/{case.reports['police']}")
    answers = {"f-report-completed_by": "pat", "f-report-completed_by_role": "Detective sergeant",
               "f-report-involvement_summary": "Two welfare visits; nothing of concern was recorded.",
               "f-report-safeguarding_detail": "A referral in 2025 about neglect.",
               "f-report-involvement_from-day": "1", "f-report-involvement_from-month": "3",
               "f-report-involvement_from-year": "2024"}
    seen = []
    for _ in range(200):
        page.keyboard.press("Tab")
        where = _focus(page)
        if not where["inForm"]:
            continue
        stop = "radio:" + where["name"] if where["type"] == "radio" else (where["id"] or where["name"])
        if seen and seen[-1] == stop:
            continue
        seen.append(stop)
        if where["type"] == "radio" and where["name"] != "nil_return":
            page.keyboard.press("Space")  # the first answer of each question
        elif where["id"] in answers:
            page.keyboard.type(answers[where["id"]])
        if where["id"] == "complete":
            break
    expected = _expected_stops(page)  # with the questions the answers revealed
    assert seen == expected[:len(seen)] and seen[-1] == "complete"
    fields = [s for s in expected if s not in ("complete", "save-draft")]
    assert set(fields) <= set(seen), set(fields) - set(seen)
    page.keyboard.press("Shift+Tab")
    assert _focus(page)["id"] == seen[-2]
    page.keyboard.press("Tab")
    assert _focus(page)["id"] == "complete"
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-notification-banner--success")
    assert _state(factory, case.reports["police"]) == "completed"
