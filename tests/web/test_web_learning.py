"""The learning log's pages: the log as each role sees it (and its CSV and Excel downloads, which carry the filters
and hold the same rows), every filter, a bad filter's error summary, one lesson with its briefing, the nav link, and
the coordinators' themes page (add, rename, retire, restore, move; errors in GOV.UK's pattern)."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from engine.people import accounts
from engine.store.db import transaction
from tests.engine.learning_kit import EVERY, NO_CASE_DATA, PSEUDONYM, SEES, SHOWN_SEES, seed_lessons, seed_shown_lesson

from .web_kit import text


@pytest.fixture
def seeded(factory, partnership):
    return seed_lessons(factory, partnership)


def shown(response):
    """The lesson ids the log page links to."""
    return {int(n) for n in re.findall(r'href="/learning-log/(\d+)"', text(response))}


def link(page, label):
    found = re.search(r'href="([^"]+)"[^>]*>' + re.escape(label), text(page))
    assert found, label
    return html.unescape(found.group(1))


@pytest.mark.parametrize("who", sorted(SEES))
def test_each_reader_sees_their_lessons_and_downloads_the_same_rows(as_user, seeded, who):
    client = as_user(who)
    page = client.get("/learning-log")
    assert page.status_code == 200 and seeded.names(shown(page)) == SEES[who]
    assert re.search(r'href="/learning-log"[^>]*>\s*Learning\s*<', text(client.get("/account")))  # the nav link
    rows = list(csv.reader(io.StringIO(text(client.get(link(page, "Download as CSV"))).lstrip("\ufeff"))))
    assert seeded.names(int(r[0]) for r in rows[1:]) == SEES[who]
    sheet = load_workbook(io.BytesIO(client.get(link(page, "Download as Excel")).data)).active
    assert seeded.names(r[0] for r in list(sheet.iter_rows(values_only=True))[1:]) == SEES[who]
    for name, lesson_id in seeded.ids.items():
        assert client.get(f"/learning-log/{lesson_id}").status_code == (200 if name in SEES[who] else 404)
        assert client.get(f"/learning-log/{lesson_id}/briefing.docx").status_code == (
            200 if name in SEES[who] else 404)


@pytest.mark.parametrize("who", NO_CASE_DATA)
def test_administrators_and_designers_have_no_learning_log(as_user, seeded, who):
    client = as_user(who)
    assert "/learning-log" not in text(client.get("/account"))
    for path in ("/learning-log", "/learning-log.csv", "/learning-log.xlsx", f"/learning-log/{seeded.ids['L1']}",
                 f"/learning-log/{seeded.ids['L1']}/briefing.docx", "/learning-log/themes"):
        assert client.get(path).status_code == 403, path


def test_the_table_reads_in_words(as_user, seeded):
    page = text(as_user("cora").get("/learning-log"))
    for words in ("Neglect", "Domestic abuse", "Voice of the child", "Children&#39;s Social Care", "Health Trust",
                  "LL-POLICE", "Lesson log review", "10 March 2026", "15 June 2026", "30 November 2026",
                  "None identified", "4 lessons"):
        assert words in page, words
    assert "domestic_abuse" not in page.replace('value="domestic_abuse"', "") and "None<" not in page
    assert "2026-03-10" not in page and PSEUDONYM not in page


@pytest.mark.parametrize("query, expected", [
    ("theme=safe_sleep", {"L3"}), ("agency=health", {"L2", "L3", "L4"}), ("process_key=lesson_audit", {"L4"}),
    ("from=2026-06-15&to=2026-06-15", {"L2", "L3"}), ("q=school", {"L2"}), ("q=ll-police", {"L1"}),
    ("agency=police&q=advice&page=1", {"L3"}), ("theme=&agency=&process_key=&from=&to=&q=", EVERY),
])
def test_every_filter_and_the_downloads_carry_it(as_user, seeded, query, expected):
    client = as_user("cora")
    page = client.get(f"/learning-log?{query}")
    assert page.status_code == 200 and seeded.names(shown(page)) == expected
    rows = list(csv.reader(io.StringIO(text(client.get(link(page, "Download as CSV"))).lstrip("\ufeff"))))
    assert seeded.names(int(r[0]) for r in rows[1:]) == expected


@pytest.mark.parametrize("query, field, message", [
    ("from=2026-13-01", "from", "Recorded from must be a real date"),
    ("to=soon", "to", "Recorded to must be a real date"),
    ("from=2026-06-02&to=2026-06-01", "to", "the same as or after recorded from"),
    ("theme=nope", "theme", "Choose a theme from the list"), ("agency=fire", "agency", "Choose an agency"),
    ("process_key=scr", "process_key", "Choose a process"), ("q=" + "x" * 201, "q", "200 characters or fewer"),
    ("colour=red", "filters", "does not know"),
])
def test_a_bad_filter_is_named_in_an_error_summary(as_user, seeded, query, field, message):
    page = as_user("cora").get(f"/learning-log?{query}")
    body = text(page)
    assert page.status_code == 400 and "govuk-error-summary" in body and f'href="#{field}"' in body
    assert message in html.unescape(body) and shown(page) == set()
    assert body.count(f'id="{field}"') == 1  # the field (or the filters) the summary links to
    assert as_user("cora").get(f"/learning-log.csv?{query}").status_code == 400


def test_a_lesson_page_and_its_briefing(as_user, seeded):
    client = as_user("hana")
    page = client.get(f"/learning-log/{seeded.ids['L2']}")
    body = html.unescape(text(page))
    for words in ("Domestic abuse: lesson from LL-CSC", "Police call-outs were not shared with the school.",
                  "None identified", "Health Trust", "LL-CSC (Lesson log review)", "15 June 2026",
                  "Download a seven-minute briefing (Word)"):
        assert words in body, words
    assert PSEUDONYM not in body
    briefing = client.get(link(page, "Download a seven-minute briefing (Word)"))
    assert briefing.status_code == 200 and briefing.headers["Cache-Control"] == "no-store"
    words = "\n".join(p.text for p in Document(io.BytesIO(briefing.data)).paragraphs)
    assert "Seven-minute briefing: Domestic abuse" in words and "Police call-outs were not shared" in words
    assert "None identified" in words and PSEUDONYM not in words


def test_only_coordinators_manage_themes(as_user, seeded):
    for who in ("chad", "scot", "pat", "lena"):
        client = as_user(who)
        assert client.get("/learning-log/themes").status_code == 403
        assert client.post("/learning-log/themes", data={"name": "Online harm"}).status_code == 403
        assert client.post("/learning-log/themes/neglect/retire").status_code == 403
        assert "Manage the learning themes" not in text(client.get("/learning-log"))
    assert "Manage the learning themes" in text(as_user("cora").get("/learning-log"))


def offered(factory):
    with transaction(factory) as s:
        return accounts.form_context(s)["learning_theme_names"]


def test_a_coordinator_adds_renames_moves_retires_and_restores_themes(as_user, seeded, factory):
    client = as_user("cora")
    added = client.post("/learning-log/themes", data={"name": "Online harm"}, follow_redirects=True)
    assert "Online harm has been added to the themes" in text(added) and offered(factory)[-1] == "Online harm"
    refused = client.post("/learning-log/themes", data={"name": "neglect"})
    assert refused.status_code == 400 and "govuk-error-summary" in text(refused)
    assert "There is already a theme called Neglect" in text(refused) and 'href="#name"' in text(refused)
    empty = client.post("/learning-log/themes", data={"name": " "})
    assert empty.status_code == 400 and "Enter the theme&#39;s name" in text(empty)
    form = client.get("/learning-log/themes/neglect/rename")
    assert form.status_code == 200 and 'value="Neglect"' in text(form)
    client.post("/learning-log/themes/neglect/rename", data={"name": "Neglect and poverty"})
    assert offered(factory)[0] == "Neglect and poverty"
    assert client.post("/learning-log/themes/neglect/rename", data={"name": ""}).status_code == 400
    client.post("/learning-log/themes/domestic_abuse/move", data={"direction": "up"})
    assert offered(factory)[:2] == ["Domestic abuse", "Neglect and poverty"]
    client.post("/learning-log/themes/domestic_abuse/move", data={"direction": "down"})
    assert offered(factory)[:2] == ["Neglect and poverty", "Domestic abuse"]
    retired = client.post("/learning-log/themes/safe_sleep/retire", follow_redirects=True)
    assert "Safe sleep has been retired" in text(retired) and "Safe sleep" not in offered(factory)
    assert 'id="retired-themes"' in text(retired)
    again = client.post("/learning-log/themes/safe_sleep/retire", follow_redirects=True)
    assert "already retired" in text(again)
    log = text(client.get("/learning-log"))
    assert "Neglect and poverty" in log and "Safe sleep (retired)" in log and ">Safe sleep<" in log
    client.post("/learning-log/themes/safe_sleep/restore")
    assert offered(factory)[-1] == "Safe sleep"
    assert client.get("/learning-log/themes/nope/rename").status_code == 404
    assert client.post("/learning-log/themes/nope/retire").status_code == 404


def test_a_completed_form_names_a_theme_retired_since(factory, partnership, now):
    from engine.bundles import forms
    from engine.reports import themes
    from tests.conftest import REPO
    from tests.engine.learning_kit import actor
    from web.forms_render.answers import answer_sections

    with transaction(factory) as s:
        themes.retire_theme(s, "safe_sleep", actor=actor("cora"), now=now)
        context = accounts.form_context(s)
    folder = REPO / "workflows" / "scr"
    schema = forms.render_schema((folder / "record-learning-schema.json").read_text(), context)
    ui = forms.render_schema((folder / "record-learning-uischema.json").read_text(), context)
    values = {"learning_log": [{"theme": "safe_sleep", "lesson": "Advice was not repeated after the move.",
                                "good_practice": "None identified", "agencies": ["police"]},
                               {"theme": "neglect", "lesson": "Neglect was seen as separate incidents.",
                                "good_practice": "None identified", "agencies": ["csc"]}],
              "dissemination": ["newsletter"]}
    words = str(answer_sections(schema, ui, values))
    assert "Safe sleep" in words and "Neglect" in words and "safe_sleep" not in words


def test_the_log_page_and_a_lesson_page_are_audited_without_the_search_words(as_user, seeded, factory):
    from sqlalchemy import select

    from engine.store.models import AuditEvent, Lesson
    client = as_user("sam")
    client.get("/learning-log", query_string={"q": "neglect", "theme": "neglect"})
    client.get(f"/learning-log/{seeded.ids['L1']}")
    client.get(f"/learning-log/{seeded.ids['L2']}")  # not theirs: a 404 and nothing audited
    with transaction(factory) as s:
        events = {e.action: e for e in s.scalars(select(AuditEvent).where(AuditEvent.actor == "sam"))}
        case = s.get(Lesson, seeded.ids["L1"]).instance_id
        listed = events["learning_log.listed"].details
        assert listed == {"page": 1, "filters": {"theme": "neglect", "searched": True},
                          "lesson_ids": [seeded.ids["L1"]]}
        viewed = events["lesson.viewed"]
        assert (viewed.instance_id, viewed.details) == (case, {"lesson_id": seeded.ids["L1"]})
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "lesson.viewed")).all()) == 1


@pytest.mark.parametrize("who", sorted(SHOWN_SEES))
def test_a_lesson_of_a_task_whose_view_shows_the_lessons_in_every_form(as_user, factory, partnership, who):
    lesson_id, client = seed_shown_lesson(factory, partnership), as_user(who)
    page = client.get("/learning-log")
    assert (lesson_id in shown(page)) == SHOWN_SEES[who]
    rows = list(csv.reader(io.StringIO(text(client.get("/learning-log.csv")).lstrip("\ufeff"))))
    assert (lesson_id in {int(r[0]) for r in rows[1:]}) == SHOWN_SEES[who]
    sheet = load_workbook(io.BytesIO(client.get("/learning-log.xlsx").data)).active
    assert (lesson_id in {r[0] for r in list(sheet.iter_rows(values_only=True))[1:]}) == SHOWN_SEES[who]
    for tail in ("", "/briefing.docx"):
        assert client.get(f"/learning-log/{lesson_id}{tail}").status_code == (200 if SHOWN_SEES[who] else 404)
