"""GET /api/v1/learning-log (SPEC §5): the items' fields, the need-to-know rule in every format, every filter, the
CSV and XLSX files holding the JSON's rows in words, 400s naming the parameter (and changing nothing), one lesson,
and its seven-minute briefing."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from engine.store.db import transaction
from engine.store.models import Lesson
from engine.workdays import london_date
from tests.engine.learning_kit import EVERY, NO_CASE_DATA, PSEUDONYM, SEES, SHOWN_SEES, seed_lessons, seed_shown_lesson

from .api_kit import API, check_error, iso, snapshot

# the pages and engine tests run in make test; this module runs in make test-ci
pytestmark = pytest.mark.slow  # the API over every role and format

SPEC_FIELDS = {"id", "instance_id", "process_key", "business_key", "theme", "lesson", "good_practice", "agencies",
               "recorded_at"}
AGENCY_NAMES = {"police": "Police", "csc": "Children's Social Care", "health": "Health Trust"}
PROCESS_NAMES = {"lesson_log": "Lesson log review", "lesson_audit": "Lesson audit"}


@pytest.fixture
def seeded(factory, partnership):
    return seed_lessons(factory, partnership)


def get(client, auth, who, **params):
    return client.get(f"{API}/learning-log", headers=auth(who), query_string=params)


def csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def xlsx_rows(response):
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def in_words(item):
    """A JSON item as the files' row: names for the theme, agencies and process; the London day."""
    return [item["id"], item["theme_name"], item["lesson"], item["good_practice"] or "None identified",
            "; ".join(AGENCY_NAMES[a] for a in item["agencies"]), PROCESS_NAMES[item["process_key"]],
            item["business_key"], london_date(iso(item["recorded_at"]))]


def test_items_carry_the_spec_fields(client, auth, seeded):
    body = get(client, auth, "cora").json
    assert body["total"] == 4 and len(body["items"]) == 4
    for item in body["items"]:
        assert SPEC_FIELDS <= set(item) <= SPEC_FIELDS | {"theme_name"}
        iso(item["recorded_at"])
    first = next(i for i in body["items"] if i["id"] == seeded.ids["L1"])
    assert first == {"id": seeded.ids["L1"], "instance_id": seeded.cases["LL-POLICE"], "process_key": "lesson_log",
                     "business_key": "LL-POLICE", "theme": "neglect", "theme_name": "Neglect",
                     "lesson": "Chronic neglect was missed across agencies.",
                     "good_practice": "The health visitor kept a clear chronology.", "agencies": ["csc"],
                     "recorded_at": "2026-03-10T11:00:00+00:00"}


@pytest.mark.parametrize("who", sorted(SEES))
def test_each_role_gets_what_it_may_see_in_every_format(client, auth, seeded, who):
    items = get(client, auth, who).json["items"]
    assert seeded.names(i["id"] for i in items) == SEES[who]
    from_csv = csv_rows(get(client, auth, who, format="csv"))
    from_xlsx = xlsx_rows(get(client, auth, who, format="xlsx"))
    assert from_csv[0] == from_xlsx[0] == ["Lesson number", "Theme", "Lesson", "Good practice", "Agencies", "Process",
                                           "Case", "Recorded"]
    assert seeded.names(int(row[0]) for row in from_csv[1:]) == SEES[who]
    assert seeded.names(row[0] for row in from_xlsx[1:]) == SEES[who]
    for name, lesson_id in seeded.ids.items():
        assert one(client, auth, who, lesson_id).status_code == (200 if name in SEES[who] else 404)
        assert one(client, auth, who, lesson_id, "/briefing.docx").status_code == (200 if name in SEES[who] else 404)


def one(client, auth, who, lesson_id, tail=""):
    return client.get(f"{API}/learning-log/{lesson_id}{tail}", headers=auth(who))


@pytest.mark.parametrize("who", NO_CASE_DATA)
def test_administrators_and_designers_are_refused(client, auth, seeded, who):
    for fmt in ("json", "csv", "xlsx"):
        check_error(get(client, auth, who, format=fmt), 403, "forbidden")
    check_error(one(client, auth, who, seeded.ids["L1"]), 403, "forbidden")
    check_error(one(client, auth, who, seeded.ids["L1"], "/briefing.docx"), 403, "forbidden")


def test_no_token_is_401(client, seeded):
    check_error(client.get(f"{API}/learning-log"), 401, "unauthorized")


@pytest.mark.parametrize("params, expected", [
    ({"theme": "safe_sleep"}, {"L3"}), ({"agency": "health"}, {"L2", "L3", "L4"}),
    ({"process_key": "lesson_audit"}, {"L4"}), ({"from": "2026-06-15"}, {"L2", "L3", "L4"}),
    ({"to": "2026-06-14"}, {"L1"}), ({"from": "2026-06-15", "to": "2026-06-15"}, {"L2", "L3"}),
    ({"q": "School"}, {"L2"}), ({"q": "LL-health"}, {"L4"}), ({"theme": "", "q": ""}, EVERY),
    ({"agency": "police", "q": "advice", "process_key": "lesson_log", "from": "2026-01-01", "to": "2026-12-31"},
     {"L3"}),
])
def test_every_filter(client, auth, seeded, params, expected):
    assert seeded.names(i["id"] for i in get(client, auth, "cora", **params).json["items"]) == expected
    assert seeded.names(int(r[0]) for r in csv_rows(get(client, auth, "cora", format="csv", **params))[1:]) == expected


@pytest.mark.parametrize("params", [{}, {"agency": "health"}, {"q": "advice"}])
def test_csv_and_xlsx_hold_the_json_rows_in_words(client, auth, seeded, params):
    items = get(client, auth, "cora", **params).json["items"]
    expected = [in_words(item) for item in items]
    from_csv = csv_rows(get(client, auth, "cora", format="csv", **params))[1:]
    assert from_csv == [[v.isoformat() if isinstance(v, date) else str(v) for v in row] for row in expected]
    from_xlsx = xlsx_rows(get(client, auth, "cora", format="xlsx", **params))[1:]
    assert [row[:7] for row in from_xlsx] == [row[:7] for row in expected]
    recorded = [row[7].date() if isinstance(row[7], datetime) else row[7] for row in from_xlsx]
    assert recorded == [row[7] for row in expected] and all(isinstance(d, date) for d in recorded)
    assert PSEUDONYM not in str(from_csv) + str(from_xlsx)


def test_paging(client, auth, seeded):
    body = get(client, auth, "cora", limit=1, offset=1).json
    assert body["total"] == 4 and seeded.names(i["id"] for i in body["items"]) == {"L3"}


@pytest.mark.parametrize("params, parameter", [
    ({"colour": "red"}, "colour"), ({"theme": "no_such_theme"}, "theme"), ({"agency": "fire"}, "agency"),
    ({"process_key": "scr"}, "process_key"), ({"from": "2026-02-30"}, "from"), ({"from": "yesterday"}, "from"),
    ({"to": "2026-1-1"}, "to"), ({"from": "2026-06-02", "to": "2026-06-01"}, "to"), ({"format": "pdf"}, "format"),
    ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"offset": "-1"}, "offset"), ({"q": "x" * 201}, "q"),
    ({"format": "csv", "theme": "nope"}, "theme"),
])
def test_a_bad_parameter_is_400_naming_it_and_changes_nothing(client, auth, seeded, db, params, parameter):
    auth("cora")
    before = snapshot(db)
    error = check_error(get(client, auth, "cora", **params), 400, "bad_request")
    assert error["details"] == {"parameter": parameter}
    assert snapshot(db) == before


def test_the_briefing_is_a_word_document_of_the_lesson_without_personal_data(client, auth, seeded):
    response = one(client, auth, "pat", seeded.ids["L3"], "/briefing.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    words = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "Seven-minute briefing: Safe sleep"
    for expected in ("Learning from LL-CSC", "1 December 2026", "Advice was not repeated after the family moved.",
                     "Midwives recorded the advice at every visit (100% of contacts).", "Police and Health Trust",
                     "15 June 2026", "Background", "Why it matters", "What we learned", "Good practice", "What to do",
                     "Questions to reflect on", "Agencies it applies to", "Further information"):
        assert expected in words, expected
    assert PSEUDONYM not in words and "Child" not in words and "safe_sleep" not in words
    assert document.core_properties.title == "Seven-minute briefing: Safe sleep"
    check_error(one(client, auth, "pat", seeded.ids["L2"], "/briefing.docx"), 404, "not_found")


def audited(factory, action):
    from sqlalchemy import select

    from engine.store.models import AuditEvent
    with transaction(factory) as s:
        return [(e.actor, e.instance_id, e.details) for e in
                s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_reading_the_log_and_a_lesson_in_json_is_audited_without_the_search_words(client, auth, seeded, factory):
    get(client, auth, "hana", q="advice", agency="health")
    [(who, case, details)] = audited(factory, "learning_log.listed")
    assert (who, case) == ("hana", None) and details["lesson_ids"] == [seeded.ids["L3"]]
    assert details["filters"] == {"agency": "health", "searched": True} and "advice" not in str(details)
    one(client, auth, "hana", seeded.ids["L4"])
    one(client, auth, "pat", seeded.ids["L4"])  # not theirs: a 404, nothing read, nothing audited
    with transaction(factory) as s:
        case = s.get(Lesson, seeded.ids["L4"]).instance_id
    assert audited(factory, "lesson.viewed") == [("hana", case, {"lesson_id": seeded.ids["L4"]})]
    one(client, auth, "hana", seeded.ids["L4"], "/briefing.docx")
    assert [d["lesson_id"] for _, _, d in audited(factory, "lesson.briefing_downloaded")] == [seeded.ids["L4"]]


@pytest.mark.parametrize("who", sorted(SHOWN_SEES))
def test_a_lesson_of_a_task_whose_view_shows_the_lessons_in_every_format(client, auth, factory, partnership, who):
    lesson_id, seen = seed_shown_lesson(factory, partnership), SHOWN_SEES[who]
    assert (lesson_id in {i["id"] for i in get(client, auth, who).json["items"]}) == seen
    assert (lesson_id in {int(r[0]) for r in csv_rows(get(client, auth, who, format="csv"))[1:]}) == seen
    assert (lesson_id in {r[0] for r in xlsx_rows(get(client, auth, who, format="xlsx"))[1:]}) == seen
    for tail in ("", "/briefing.docx"):
        assert one(client, auth, who, lesson_id, tail).status_code == (200 if seen else 404)
