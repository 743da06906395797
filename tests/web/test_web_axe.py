"""WCAG 2.2 AA, checked by axe-core (npm, ``node_modules/axe-core``) in Debian's Chromium: every page type, as
every role of the demo partnership, with zero violations. The bpmn-js canvas's own drawing (its SVG) is left out of
the scan; the page around it, the diagram's region included, is not. Also the keyboard path of the longest form:
the skip link leads into the main content, and Tab from there reaches the form's first field."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .browser_kit import CHROMIUM, chromium
from .demo_site_kit import DemoSite, Places, demo_site, places_of, sign_in
from .web_kit import REPO

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EXCLUDED = [[".djs-container > svg"]]  # bpmn-js's drawing, a third party's canvas
# (role, demo user): every role there is, and an agency lead with the longest form waiting
USERS = [("coordinator", "coordinator"), ("chair", "chair"), ("reviewer", "reviewer"), ("agency lead", "yjs.lead"),
         ("partner", "police.partner"), ("scrutineer", "scrutineer"), ("admin", "admin"), ("designer", "designer")]
CASE_WORK = {"coordinator", "chair", "reviewer", "agency lead", "partner", "scrutineer"}
# GOV.UK Frontend's conditional reveal puts aria-expanded on a radio or checkbox, which ARIA does not allow there;
# GOV.UK keeps it on purpose, as screen readers announce it (alphagov/govuk-frontend#979, a known issue of the
# design system). That one attribute on those inputs is the only finding left out.
RUN_AXE = """async ([tags, exclude]) => {
  const result = await axe.run({include: [document], exclude: exclude}, {runOnly: {type: 'tag', values: tags}});
  const refused = node => [...node.any, ...node.all, ...node.none].flatMap(c => (c.data && c.data.values) || ['?']);
  const reveal = (rule, node) => rule === 'aria-allowed-attr' && /govuk-(radios|checkboxes)__input/.test(node.html)
    && refused(node).every(value => /^aria-expanded="(true|false)"$/.test(value));
  return result.violations.map(v => ({rule: v.id, help: v.help,
    nodes: v.nodes.filter(n => !reveal(v.id, n)).map(n => n.target.join(' '))})).filter(v => v.nodes.length);
}"""
# Findings in pages another part of issue 13 is rewriting, kept here so that the scan passes meanwhile and says
# where they are; each goes when its page is fixed (the case and designer pages' diagram, which the navigated
# viewer replaces): (rule, element) -> file.
OWED: dict[tuple[str, str], str] = {}  # violations owed by others: none


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("axe")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser):
    # axe is injected as a script of the page, which the strict content security policy would refuse
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    yield context.new_page()
    context.close()


def violations(page: Any, where: str) -> list[str]:
    """axe's findings on the page as it stands, one line per rule and element."""
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE, [TAGS, EXCLUDED])
    return [f"{where} ({page.url}): {v['rule']} ({v['help']}) at {node}" for v in found for node in v["nodes"]
            if (v["rule"], node) not in OWED]


def scan(page: Any, base: str, paths: list[tuple[str, str | None]]) -> list[str]:
    found: list[str] = []
    for where, path in paths:
        if path:
            page.goto(base + path)
            found += violations(page, where)
    return found


def test_sign_in_and_error_pages_have_no_violations(site, page):
    page.goto(site.base + "/sign-in")
    found = violations(page, "sign-in")
    page.fill("#username", "coordinator")
    page.click("button:has-text('Sign in')")  # no password: the error summary
    found += violations(page, "sign-in with errors")
    assert found == [], "\n".join(found)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/nothing.png\">')")
    assert any("image-alt" in line for line in violations(page, "an image without alt")), "the scan sees nothing"


@pytest.mark.parametrize("role, username", USERS)
def test_every_page_type_has_no_violations(site, page, role, username):
    sign_in(page, site.base, username)
    places = places_of(site.factory, username)
    paths: list[tuple[str, str | None]] = [
        ("home", "/"), ("notices", "/notifications"), ("account", "/account"), ("not found", "/no-such-page"),
    ]
    if role in CASE_WORK:
        paths += _case_pages(places) + [("forbidden", "/admin/")]
    if role == "coordinator":
        paths += [("retention", "/retention"), ("access report", f"{places.case}/access"),
                  ("disposal", f"{places.case}/dispose"), ("learning themes", "/learning-log/themes"),
                  ("rename a theme", "/learning-log/themes/neglect/rename"), ("lesson", "/learning-log/1")]
    if role == "admin":
        paths += [("admin", "/admin/"), ("admin user", "/admin/users/police.lead"),
                  ("admin messages", "/admin/messages"), ("forbidden", "/cases")]
    if role == "designer":
        paths += [("processes", "/processes/"), ("process", "/processes/scr"), ("process", "/processes/section11"),
                  ("editor", "/processes/scr/edit"), ("form editor", "/processes/action_plan/forms/plan-schema.json"),
                  ("diff", "/processes/scr/diff?from=1&to=1"), ("move cases", "/processes/scr/migrate?version=1")]
    found = scan(page, site.base, paths)
    assert found == [], "\n".join(found)


def _case_pages(places: Places) -> list[tuple[str, str | None]]:
    return [("my tasks", "/tasks"), ("cases", "/cases"), ("cases filtered", "/cases?overdue=1"),
            ("start", "/start"), ("task, long form", places.long_task), ("task, short form", places.short_task),
            ("completed task", places.completed_task), ("case", places.case), ("learning log", "/learning-log"),
            ("learning log, bad filter", "/learning-log?from=soon")]


def test_starting_and_withdrawing_a_case_have_no_violations(site, page):
    sign_in(page, site.base, "coordinator")
    page.goto(site.base + "/start/scr")
    found = violations(page, "start questions")
    page.click("#start-case")
    found += violations(page, "start questions with errors")
    page.check("#about")
    page.fill("#pseudonym", "Child Z")
    found += violations(page, "start questions, the pseudonym revealed")
    page.fill("#reason", "A test of the start pages")
    page.click("#start-case")
    page.wait_for_url("**/tasks/*")
    found += violations(page, "first task")
    case_id = page.evaluate("document.querySelector('a[href^=\"/cases/\"]').getAttribute('href')").split("/")[2]
    page.goto(f"{site.base}/cases/{case_id}/withdraw")
    found += violations(page, "withdraw")
    page.click("#withdraw-case")
    found += violations(page, "case, withdrawn")
    assert found == [], "\n".join(found)


def test_the_longest_form_keeps_focus_in_order(site, page):
    """Tab first reaches the skip link; following it puts the next Tab inside the main content, and Tab from there
    reaches the form's first field having left the main content never."""
    sign_in(page, site.base, "yjs.lead")
    long_task = places_of(site.factory, "yjs.lead").long_task
    assert long_task, "the demo's Youth Justice lead has a Section 11 return waiting"
    page.goto(site.base + long_task)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('govuk-skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    first_field = page.evaluate("""(() => {
      const field = [...document.querySelectorAll('#task-form input, #task-form select, #task-form textarea')]
        .find(el => el.type !== 'hidden' && el.offsetParent !== null && el.tabIndex >= 0);
      return field.name; })()""")  # by name: Tab enters a group of radios at its chosen one
    for _ in range(60):
        page.keyboard.press("Tab")
        where = page.evaluate("""(() => { const el = document.activeElement;
          return {id: el.id, name: el.name, inMain: !!el.closest('#main-content')}; })()""")
        assert where["inMain"], f"Tab left the main content before the first field: {where}"
        if where["name"] == first_field:
            break
    else:
        pytest.fail(f"60 presses of Tab from the main content never reached the first field ({first_field})")


def test_the_longest_form_with_errors_has_no_violations_and_its_summary_leads_to_the_field(site, page):
    sign_in(page, site.base, "yjs.lead")
    page.goto(site.base + places_of(site.factory, "yjs.lead").long_task)
    page.fill("#f-date_returned-day", "31")  # 31 February: an error whatever else the draft holds
    page.fill("#f-date_returned-month", "2")
    page.fill("#f-date_returned-year", "2026")
    page.click("#continue")  # the return's first page: its problems are shown before the next page
    summary = page.wait_for_selector(".govuk-error-summary")
    page.wait_for_selector(".govuk-error-summary:focus")  # GOV.UK Frontend moves focus to it once it runs
    page.wait_for_function("() => document.activeElement"  # GOV.UK's script focuses it once it has run
                           " && document.activeElement.classList.contains('govuk-error-summary')")
    found = violations(page, "long form with errors")
    assert found == [], "\n".join(found)
    link = summary.query_selector("a")
    target = link.get_attribute("href").lstrip("#")
    link.click()
    assert page.evaluate("document.activeElement.id").startswith(target)
