"""The register page (``/actions``) and its downloads: filters, names not keys, tags with words, paging, the agency
lead's own view, refusals, and an error summary naming a filter that cannot be read."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.web.web_kit import text

from .actions_kit import SEED, Seeded, register_order, seed

# the API and engine tests run in make test; this module runs in make test-ci
pytestmark = pytest.mark.slow  # the register page over every filter

PAGE = "/actions"
ACTION_LINK = re.compile(r'<td class="govuk-table__cell"><a class="govuk-link" href="/cases/([^"]+)">([^<]+)</a>')
WORDS = {r.words: r.key for r in SEED}


def listed(page_html):
    return [WORDS[html.unescape(words)] for _, words in ACTION_LINK.findall(page_html)]


PAGE_FILTERS = {  # the page's own names and values for each filter, and what it keeps
    "agency": [("csc", lambda r: r.agency == "csc")],
    "process": [("cdop", lambda r: r.source == "cdop"), ("manual", lambda r: r.source == "manual")],
    "status": [("open", lambda r: r.status not in ("signed_off", "withdrawn")),
               ("closed", lambda r: r.status in ("signed_off", "withdrawn")),
               ("awaiting_evidence", lambda r: r.status == "awaiting_evidence")],
    "rag": [("amber", lambda r: r.rag == "amber")],
    "overdue": [("yes", lambda r: r.overdue()), ("no", lambda r: not r.overdue())],
    "q": [("neglect", lambda r: "neglect" in r.words.lower())],
}


def test_the_register_lists_every_action_in_words_overdue_first(as_user, plans):
    page = text(as_user("cora").get(PAGE))
    assert "<h1 class=\"govuk-heading-l\">Action register</h1>" in page
    assert listed(page) == register_order(list(SEED))
    assert "20 November 2026" in page and "2026-11-20" not in page  # dates in words
    assert "Children&#39;s Social Care" in page and "Health Trust" in page  # agency names
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page  # RAG in words, not colour alone
    assert '<strong class="govuk-tag govuk-tag--orange">Amber</strong>' in page
    assert "At risk of delay" in page and "More evidence asked for" in page and "Signed off 16 November 2026" in page
    assert "Withdrawn 16 November 2026: Superseded by the regional protocol" in page
    assert ">Overdue<" in page and "No due date" in page and "No agency" in page and "No owner named" in page
    for key in ("awaiting_evidence", "signed_off", "on_track", "at_risk", "None", "null"):
        assert f">{key}<" not in page
    assert page.count('href="/cases/') >= len(SEED)  # every action links to its plan's case page


@pytest.mark.parametrize("name", list(PAGE_FILTERS))
def test_every_filter_on_the_page(as_user, plans, name):
    client = as_user("chad")
    for value, keeps in PAGE_FILTERS[name]:
        page = text(client.get(PAGE, query_string={name: value}))
        assert listed(page) == register_order([r for r in SEED if keeps(r)]), (name, value)
        assert f'value="{value}" selected' in page or f'value="{value}"' in page  # the choice is kept


def test_due_between_two_dates_and_all_filters_together(as_user, plans):
    client = as_user("cora")
    page = text(client.get(PAGE, query_string={"from-day": "1", "from-month": "12", "from-year": "2026",
                                                "to-day": "15", "to-month": "1", "to-year": "2027"}))
    between = [r for r in SEED if r.due and date(2026, 12, 1) <= r.due <= date(2027, 1, 15)]
    assert listed(page) == register_order(between)
    page = text(client.get(PAGE, query_string={"agency": "csc", "process": "section11", "status": "on_track",
                                                "rag": "red", "overdue": "no", "q": "supervision",
                                                "from-day": "2", "from-month": "12", "from-year": "2026"}))
    assert listed(page) == ["A09"]


def test_download_links_carry_the_filters_and_hold_the_page_rows(as_user, plans):
    client = as_user("cora")
    page = text(client.get(PAGE, query_string={"status": "open", "agency": "police"}))
    expected = listed(page)
    links = dict((label, html.unescape(href)) for href, label in
                 re.findall(r'<a class="govuk-link" href="([^"]+)" download>(Download (?:CSV|Excel))', page))
    assert set(links) == {"Download CSV", "Download Excel"}
    for href in links.values():
        assert "status=open" in href and "agency=police" in href
    rows = list(csv.reader(io.StringIO(client.get(links["Download CSV"]).get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == expected and rows[1][9] == "Police"
    sheet = load_workbook(io.BytesIO(client.get(links["Download Excel"]).data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == expected


def test_an_agency_lead_sees_only_their_agencys_actions_on_the_page_and_in_the_files(as_user, plans):
    client = as_user("pat")
    page = text(client.get(PAGE))
    mine = register_order([r for r in SEED if r.agency == "police" or r.owner == "pat"])
    assert "Your agency&#39;s actions" in page and listed(page) == mine
    assert 'name="agency"' not in page  # nothing to choose: their own agency only
    assert listed(text(client.get(PAGE, query_string={"rag": "red"}))) == ["A04"]
    rows = list(csv.reader(io.StringIO(client.get("/actions.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == mine
    sheet = load_workbook(io.BytesIO(client.get("/actions.xlsx").data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == mine


@pytest.mark.parametrize("who", ["dee", "adam"])
def test_designers_and_administrators_are_refused(as_user, plans, who):
    client = as_user(who)
    for path in (PAGE, "/actions.csv", "/actions.xlsx"):
        assert client.get(path).status_code == 403
    assert ">Actions<" not in text(client.get("/account"))


def test_the_nav_offers_actions_to_case_readers(as_user, plans):
    for who in ("cora", "chad", "scot", "pat", "lena"):
        assert 'href="/actions"' in text(as_user(who).get("/account")), who


@pytest.mark.parametrize("args,field,message", [
    ({"status": "late"}, "status", "Choose a status from the list"),
    ({"rag": "purple"}, "rag", "Choose red, amber or green"),
    ({"agency": "nowhere"}, "agency", "Choose an agency from the list"),
    ({"process": "action_plan"}, "process", "Choose a process from the list"),
    ({"overdue": "maybe"}, "overdue", "Choose overdue or not overdue"),
    ({"from-day": "31", "from-month": "2", "from-year": "2027"}, "from", "Due from must be a real date"),
    ({"to-day": "1", "to-month": "x", "to-year": "2027"}, "to", "Due to must be a real date"),
    ({"from-day": "2", "from-month": "1", "from-year": "2027", "to-day": "1", "to-month": "1", "to-year": "2027"},
     "to", "Due to must be the same as or after due from"),
    ({"q": "x" * 201}, "q", "Search must be 200 characters or fewer"),
    ({"colour": "red"}, "filters", "‘colour’ is not one of this page&#39;s filters")])
def test_a_filter_that_cannot_be_read_is_an_error_summary_naming_it(as_user, plans, args, field, message):
    client = as_user("cora")
    for path in (PAGE, "/actions.csv", "/actions.xlsx"):
        answer = client.get(path, query_string=args)
        page = text(answer)
        assert answer.status_code == 400 and answer.mimetype == "text/html", path
        assert "govuk-error-summary" in page and f'href="#{field}">{message}' in page, path
        assert "<title>Error: " in page and 'id="actions"' not in page and "Download CSV" not in page


def test_pages_of_25(as_user, plans, factory):
    plan_ids, _ = plans
    more = tuple(Seeded(f"B{i:02d}", 0, "scr", "csc", "sam", "on_track", "green", date(2027, 6, 1 + i % 28), 10 + i,
                        f"Extra action {i:02d}") for i in range(30))
    seed(factory, plan_ids, more)
    client = as_user("cora")
    first, second = text(client.get(PAGE)), text(client.get(PAGE, query_string={"page": 2}))
    assert len(ACTION_LINK.findall(first)) == 25 and len(ACTION_LINK.findall(second)) == len(SEED) + 30 - 25
    assert "40 actions" in first and 'rel="next"' in first and 'rel="prev"' in second
    assert not {w for _, w in ACTION_LINK.findall(first)} & {w for _, w in ACTION_LINK.findall(second)}
    filtered = text(client.get(PAGE, query_string={"status": "on_track"}))
    assert 'href="/actions?page=2&amp;status=on_track"' in filtered or "status=on_track&amp;page=2" in filtered
