"""``GET /api/v1/actions``: SPEC §5's items, every filter, need to know in JSON, CSV and Excel, the files equal to
the JSON, and a 400 naming the parameter for anything it does not know (nothing written)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from engine import workdays
from engine.registers.records import RAG_WORDS, STATUS_WORDS
from tests.api.api_kit import check_error, iso, snapshot

from .actions_kit import SEED, register_order
from .test_actions_register import FILTERS

API = "/api/v1/actions"
SPEC_FIELDS = {"id", "instance_id", "process_key", "recommendation", "action", "measure", "owner", "agency", "due_at",
               "rag", "status", "evidence_of_impact", "signed_off_at"}
NAMES = {"police": "Police", "csc": "Children's Social Care", "health": "Health Trust"}


def query_value(value):
    return {True: "true", False: "false"}.get(value, value.isoformat() if isinstance(value, date) else value) \
        if not isinstance(value, str) else value


def keys_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [item["action_key"] for item in response.json["items"]]


def test_items_carry_spec_fields_with_iso_times(client, auth, plans):
    plan_ids, ids = plans
    answer = client.get(API, headers=auth("cora"), query_string={"limit": 200})
    assert answer.json["total"] == len(SEED)
    for item in answer.json["items"]:
        assert SPEC_FIELDS <= set(item), item
        seeded = next(r for r in SEED if r.key == item["action_key"])
        assert item["id"] == ids[seeded.key] and item["instance_id"] == plan_ids[seeded.plan]
        assert item["process_key"] == seeded.source and item["status"] == seeded.status and item["rag"] == seeded.rag
        assert (item["owner"], item["agency"]) == (seeded.owner, seeded.agency)
        if seeded.due is None:
            assert item["due_at"] is None
        else:
            assert workdays.london_date(iso(item["due_at"])) == seeded.due  # the end of the due day in England
        if item["signed_off_at"] is not None:
            iso(item["signed_off_at"])
        assert item["overdue"] is seeded.overdue()
    assert keys_of(answer) == register_order(list(SEED))


API_NAMES = {"due_from": "from", "due_to": "to"}


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filter(client, auth, plans, name):
    for value, keeps in FILTERS[name].items():
        answer = client.get(API, headers=auth("chad"),
                            query_string={API_NAMES.get(name, name): query_value(value), "limit": 200})
        assert keys_of(answer) == register_order([r for r in SEED if keeps(r)]), (name, value)


def test_filters_together(client, auth, plans):
    answer = client.get(API, headers=auth("scot"), query_string={
        "agency": "csc", "process_key": "section11", "status": "open", "rag": "red", "overdue": "false",
        "from": "2026-12-02", "to": "2026-12-02", "q": "Supervision"})
    assert keys_of(answer) == ["A09"]
    assert keys_of(client.get(API, headers=auth("scot"), query_string={"status": "closed", "agency": "police"})) \
        == ["A07"]


def test_an_agency_lead_gets_only_their_agencys_and_their_own_in_every_format(client, auth, plans):
    mine = register_order([r for r in SEED if r.agency == "police" or r.owner == "pat"])
    assert keys_of(client.get(API, headers=auth("pat"))) == mine
    assert [row[0] for row in csv_rows(client.get(API, headers=auth("pat"), query_string={"format": "csv"}))] == mine
    assert [row[0] for row in xlsx_rows(client.get(API, headers=auth("pat"), query_string={"format": "xlsx"}))] \
        == mine


@pytest.mark.parametrize("who", ["dee", "adam"])
def test_designers_and_administrators_are_refused(client, auth, plans, who):
    for export in ("json", "csv", "xlsx"):
        check_error(client.get(API, headers=auth(who), query_string={"format": export}), 403, "forbidden")


@pytest.mark.parametrize("parameter,value", [
    ("colour", "red"), ("process", "scr"), ("agency", "x" * 65), ("process_key", "action_plan"),
    ("status", "late"), ("rag", "purple"), ("overdue", "maybe"), ("from", "2026-13-01"), ("to", "1 December"),
    ("q", "x" * 201), ("format", "pdf"), ("limit", "0"), ("limit", "lots"), ("offset", "-1")])
def test_an_unknown_parameter_or_a_bad_value_is_400_naming_it_and_changes_nothing(client, auth, plans, db,
                                                                                   parameter, value):
    headers = auth("cora")
    before = snapshot(db)
    error = check_error(client.get(API, headers=headers, query_string={parameter: value}), 400, "bad_request")
    assert error["details"] == {"parameter": parameter}
    assert parameter in error["message"]
    assert snapshot(db) == before


def test_to_before_from_is_400_naming_to(client, auth, plans):
    error = check_error(client.get(API, headers=auth("cora"), query_string={"from": "2027-01-02", "to": "2027-01-01"}),
                        400)
    assert error["details"] == {"parameter": "to"}


def csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Action reference", "Plan", "Plan title"]
    return rows[1:]


def xlsx_rows(response):
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Action reference", "Plan", "Plan title"]
    return rows[1:]


def test_csv_and_excel_hold_the_json_rows_in_words(client, auth, plans):
    for who, filters in (("cora", {}), ("chad", {"status": "open"}), ("hana", {"rag": "amber"})):
        items = client.get(API, headers=auth(who), query_string={**filters, "limit": 200}).json["items"]
        from_csv = csv_rows(client.get(API, headers=auth(who), query_string={**filters, "format": "csv"}))
        from_xlsx = xlsx_rows(client.get(API, headers=auth(who), query_string={**filters, "format": "xlsx"}))
        assert len(from_csv) == len(from_xlsx) == len(items) > 0
        for item, text, cells in zip(items, from_csv, from_xlsx, strict=True):
            due = workdays.london_date(iso(item["due_at"])) if item["due_at"] else None
            assert text[0] == cells[0] == item["action_key"]
            assert text[1] == cells[1] == item["business_key"]
            assert text[5] == cells[5] == item["action"] and text[6] == cells[6] == item["measure"]
            assert text[9] == (cells[9] or "") == NAMES.get(item["agency"], "")  # names, not keys
            assert text[10] == (due.isoformat() if due else "")
            assert (cells[10].date() if cells[10] else None) == due  # a real date in Excel
            assert text[12] == (cells[12] or "") == RAG_WORDS.get(item["rag"], "")
            assert text[13] == cells[13] == STATUS_WORDS[item["status"]]
            assert text[14] == cells[14] == ("Yes" if item["overdue"] else "No")
            assert text[18] == (cells[18] or "") == item["evidence_of_impact"]


def test_exports_are_audited(client, auth, plans, factory):
    from sqlalchemy import select

    from engine.store.db import transaction
    from engine.store.models import AuditEvent
    client.get(API, headers=auth("cora"), query_string={"format": "xlsx"})
    with transaction(factory) as s:
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.action == "actions.exported")).all()


def test_overdue_turns_at_midnight_in_england_as_the_clock_moves(client, plans, factory, traveller):
    """A09 is due on 2 December 2026 (London on GMT); a summer action due on 30 June 2027 turns overdue at 23:00
    UTC, midnight in British Summer Time."""
    from datetime import UTC, datetime

    from .actions_kit import Seeded, seed
    plan_ids, _ = plans
    seed(factory, plan_ids, (Seeded("S01", 0, "scr", "police", "pat", "on_track", "green", date(2027, 6, 30), 9,
                                    "Summer audit"),))
    for moment, key, late in ((datetime(2026, 12, 2, 23, 59, tzinfo=UTC), "A09", False),
                              (datetime(2026, 12, 3, 0, 1, tzinfo=UTC), "A09", True),
                              (datetime(2027, 6, 30, 22, 59, tzinfo=UTC), "S01", False),
                              (datetime(2027, 6, 30, 23, 1, tzinfo=UTC), "S01", True)):
        traveller.move_to(moment)
        token = client.post("/api/v1/auth/token", json={"username": "cora", "password": "coordinator-pass"}).json
        headers = {"Authorization": f"Bearer {token['token']}"}
        overdue = keys_of(client.get(API, headers=headers, query_string={"overdue": "true", "limit": 200}))
        on_time = keys_of(client.get(API, headers=headers, query_string={"overdue": "false", "limit": 200}))
        assert (key in overdue, key in on_time) == (late, not late), moment
        assert overdue == [k for k in keys_of(client.get(API, headers=headers, query_string={"limit": 200}))
                           if k in overdue][:len(overdue)]  # the overdue ones lead the register


def test_a_json_listing_is_audited_with_ids_and_filter_names_never_the_search_words(client, auth, plans, factory):
    from sqlalchemy import select

    from engine.store.db import transaction
    from engine.store.models import AuditEvent
    body = client.get(API, headers=auth("cora"), query_string={"status": "open", "q": "Quentin"}).json
    with transaction(factory) as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "actions.listed")).all()
    assert event.actor == "cora" and event.details["filters"] == {"status": "open", "searched": True}
    assert event.details["action_ids"] == [item["id"] for item in body["items"]] and "Quentin" not in str(event.details)
