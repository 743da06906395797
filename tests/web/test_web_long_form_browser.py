"""The Section 11 return, the longest form, in a real browser (Debian's Chromium, CSRF on, the real content security
policy): through its pages, a question revealed by its answer, check your answers and completion; then the
keyboard's focus order on a page and the error summary (focus moves to it, its links move focus to the field)."""
from __future__ import annotations

import pytest

from engine.store.db import transaction
from engine.store.models import HumanTask

from .browser_kit import CHROMIUM, chromium_page, served, sign_in_as
from .forms_kit import police_return, section11_returns

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def live(csrf_app, factory, partnership, now):
    """The app on a local port with the police's Section 11 return ready; yields (base URL, task id)."""
    task_id = police_return(factory, section11_returns(factory, partnership["coordinator"], now))
    with served(csrf_app) as base:
        yield base, task_id


@pytest.fixture
def page():
    with chromium_page() as opened:
        yield opened


def _scripts_ran(page):
    """GOV.UK Frontend is running (its module loads after the page): until then a reveal's questions show."""
    page.wait_for_selector("body.govuk-frontend-supported", state="attached")


def _about_you(page):
    page.select_option("#f-respondent", "pat")
    page.fill("#f-respondent_role", "Head of safeguarding")
    page.fill("#f-date_returned-day", "1")
    page.fill("#f-date_returned-month", "12")
    page.fill("#f-date_returned-year", "2026")
    page.click("#continue")


def test_the_section_11_return_through_its_pages_and_check_answers(live, page, factory):
    base, task_id = live
    sign_in_as(page, base, "pat")
    page.goto(f"{base}/tasks/{task_id}")
    _scripts_ran(page)
    assert not page.is_visible("#f-nil_reason")  # revealed only by ticking "Nil return"
    page.check("#f-nil_return")
    assert page.is_visible("#f-nil_reason")
    page.uncheck("#f-nil_return")
    _about_you(page)
    for number in range(1, 9):
        page.wait_for_selector(f"text=Part {number + 1} of 9")
        _scripts_ran(page)
        prefix = f"#f-standard_{number}"
        if number == 6:
            assert not page.is_visible(f"{prefix}-na_reason")
            page.check(f"{prefix}-rating-4")  # "Not applicable" reveals why
            page.fill(f"{prefix}-na_reason", "We do not recruit staff directly.")
        else:
            page.check(f"{prefix}-rating")  # "Green"
            page.fill(f"{prefix}-evidence", f"Policy, training records and audit for standard {number}.")
        page.click("#continue")
    page.wait_for_selector("h1:has-text('Check your answers')")
    assert "We do not recruit staff directly." in page.inner_text("main")
    page.click(f"a[href='/tasks/{task_id}/section/1#f-respondent_role']")  # "Change" the role
    page.wait_for_selector("#f-respondent_role")
    page.fill("#f-respondent_role", "Executive safeguarding lead")
    page.click("#continue")
    page.goto(f"{base}/tasks/{task_id}/check")
    assert "Executive safeguarding lead" in page.inner_text("main")
    page.click("#complete")
    page.wait_for_selector(".govuk-notification-banner--success")
    with transaction(factory) as s:
        row = s.get(HumanTask, task_id)
        assert row.state == "completed" and row.answers["standard_6"]["rating"] == "na"
    assert page.csp_problems == []


def _focus(page):
    return page.evaluate("""() => { const e = document.activeElement;
        return {id: e.id, name: e.name || '', type: e.type || '', inForm: !!e.closest('#task-form')}; }""")


def _stops(page):
    """The page's tab stops in the form, in page order: each visible field (a radio group is one) and button."""
    return page.evaluate("""() => {
        const stops = [], groups = new Set();
        const fields = '#task-form input, #task-form select, #task-form textarea, #task-form button';
        for (const e of document.querySelectorAll(fields)) {
          if (e.type === 'hidden' || e.tabIndex < 0 || !e.getClientRects().length) continue;
          if (e.type === 'radio') { if (groups.has(e.name)) continue; groups.add(e.name); }
          stops.push(e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name));
        }
        return stops; }""")


def test_focus_order_and_the_error_summary_on_the_longest_form(live, page, factory):
    base, task_id = live
    sign_in_as(page, base, "pat")
    page.goto(f"{base}/tasks/{task_id}")
    _about_you(page)
    page.wait_for_selector("text=Part 2 of 9")
    _scripts_ran(page)
    expected, seen = _stops(page), []
    for _ in range(60):
        page.keyboard.press("Tab")
        where = _focus(page)
        if where["inForm"]:
            seen.append("radio:" + where["name"] if where["type"] == "radio" else where["id"] or where["name"])
        if where["id"] == "save-draft":
            break
    assert seen == expected and seen[0] == "radio:standard_1.rating" and seen[-2:] == ["continue", "save-draft"]
    page.check("#f-standard_1-rating-2")  # "Amber": needs evidence and an action
    page.click("#continue")
    summary = page.wait_for_selector(".govuk-error-summary")
    _scripts_ran(page)
    page.wait_for_selector(".govuk-error-summary:focus", timeout=5_000)  # GOV.UK Frontend moves focus to it
    links = page.locator(".govuk-error-summary a")
    assert "Enter evidence of compliance" in summary.inner_text() and links.count() >= 2
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")[1:]
        links.nth(index).click()
        focused = page.evaluate("document.activeElement.id")
        assert focused == target, (target, focused)
        assert page.locator(f"#{target}").is_visible()
    assert page.csp_problems == []
