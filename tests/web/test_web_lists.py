"""The lists in words (issue 13, items 11 and 12): every cell of the cases list reads as words, an action
plan's action items are counted under it and are never rows of a list (issue 14), cases are found by reference,
pseudonym, title or URN, and every list downloads as CSV (with the dashboard's filters, names not keys, no
formulas) and is audited."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from demo import form_data
from engine.cases import instances, timers
from engine.reads import dashboard
from engine.store.db import transaction
from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from engine.work import tasks
from tests.scenarios.scenarios_kit import PEOPLE
from web.csv_export import cell

from .web_kit import WORKFLOWS, cdop_to_agency_reports, deploy, ready_task, text


@pytest.fixture
def plan(factory, partnership, now):
    """An action plan started by hand and agreed: three action items wait for their first update period."""
    deploy(factory, WORKFLOWS / "action_plan", now)
    coordinator = partnership["coordinator"]
    with transaction(factory) as s:
        row = instances.start_instance(s, "action_plan", actor=coordinator, now=now)
        plan_id = row.id
    task_id = ready_task(factory, plan_id, "plan_form")
    with transaction(factory) as s:
        detail = tasks.task_detail(s, task_id, actor=coordinator, now=now)
        data = form_data("action_plan", "plan_form", detail.data, PEOPLE, now, doer="cora", actions=3)
        tasks.complete_task(s, task_id, data, actor=coordinator, now=now)
    return plan_id


def _items(factory):
    with transaction(factory) as s:
        return list(s.scalars(select(ProcessInstance.id).where(ProcessInstance.process_id == "action_item")))


def _table(page: str) -> str:
    return page[page.index('id="cases"'):page.index('id="returns"')]


def _cells(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, flags=re.S)]


@pytest.mark.parametrize("who", ["cora", "pat"])
def test_every_cell_of_the_cases_list_reads_as_words(as_user, cdop, plan, factory, partnership, now, who):
    cancelled = cdop_to_agency_reports(factory, partnership["coordinator"], now, ("police",))
    with transaction(factory) as s:  # a case with no steps and no deadline
        instances.cancel_instance(s, cancelled.instance_id, "opened twice", actor=partnership["coordinator"], now=now)
    page = text(as_user(who).get("/cases?status=any"))
    table = _table(page)
    assert cancelled.business_key in table and "Cancelled" in table and "No deadline" in table
    for words in _cells(table):
        assert words, "an empty cell"
        assert "None" not in words and "|" not in words
    assert not re.search(r"\b(active|completed|cancelled)\b", re.sub(r"<[^>]+>", "", table))  # statuses in words


def test_action_items_are_counted_under_their_plan(as_user, plan, factory, now):
    items = _items(factory)
    assert len(items) == 3
    page = text(as_user("cora").get("/cases"))
    assert plan in page and not any(i in page for i in items)
    assert "3 actions" in page and "In progress" in page  # the plan is one case, open while its actions run
    assert f'href="/cases/{plan}"' in page  # its actions are on its page


def test_a_plan_counts_its_overdue_actions_and_sorts_by_them(factory, partnership, plan, cdop, now):
    timers.run_timer_sweep(factory, now + timedelta(days=29))  # the first update period ends: progress updates
    with transaction(factory) as s:
        due = s.scalars(select(HumanTask.due_at).where(HumanTask.name == "progress_update")).all()
        assert len(due) == 3
    later = max(due) + timedelta(days=1)
    fresh = cdop_to_agency_reports(factory, partnership["coordinator"], later, ("csc",))  # due after the actions
    with transaction(factory) as s:
        board = dashboard.case_board(s, partnership["coordinator"], later)
    # the items are not rows of their own; the plan sorts by its actions' deadlines, before the fresh case
    assert [r.id for r in board.items] == [cdop.instance_id, plan, fresh.instance_id]
    row = board.items[1]
    assert row.group.open == 3 and row.group.overdue == 3 and row.overdue and row.next_due_at == min(due)


def test_an_agency_lead_finds_their_progress_updates_in_my_tasks_not_as_cases(as_user, factory, partnership, plan,
                                                                              now):
    timers.run_timer_sweep(factory, now + timedelta(days=29))
    with transaction(factory) as s:
        board = dashboard.case_board(s, partnership["police"], now + timedelta(days=29))
        agencies = {t.agency for t in s.scalars(select(HumanTask).where(HumanTask.name == "progress_update"))}
    assert "police" in agencies
    assert not any(r.id in _items(factory) for r in board.items)
    assert "Progress update" in text(as_user("pat").get("/"))


@pytest.mark.parametrize("search", ["cdop-2026", "child a", "CDOP-123", "action plan"])
def test_search_by_reference_pseudonym_urn_or_title(as_user, cdop, plan, search):
    page = _table(text(as_user("cora").get("/cases", query_string={"q": search})))
    found_cdop = cdop.instance_id in page
    found_plan = plan in page
    assert (found_cdop, found_plan) == ((False, True) if search == "action plan" else (True, False))


def test_search_finds_nothing_and_says_so_and_audits_no_words(as_user, cdop, factory):
    page = text(as_user("cora").get("/cases?q=zzz"))
    assert "0 cases found for ‘zzz’" in page and "No cases match these filters" in page
    as_user("cora").get("/cases.csv?q=zzz")
    with transaction(factory) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(["cases.listed", "cases.exported"]))).all()
    assert len(events) == 2 and all(e.details["filters"]["searched"] is True for e in events)
    assert "zzz" not in str([e.details for e in events])


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_cases_export_follows_the_filters_in_words(as_user, cdop, plan, factory, partnership, now):
    other = cdop_to_agency_reports(factory, partnership["coordinator"], now, ("health",))
    cora = as_user("cora")
    page = text(cora.get("/cases?agency=health"))
    assert 'href="/cases.csv?agency=health"' in page and "Download as CSV" in page
    rows = _csv(cora.get("/cases.csv?agency=health"))
    assert [r["Reference"] for r in rows] == [other.business_key]
    row = rows[0]
    assert row["Process"] == "Child death review (CDOP)" and row["Status"] == "In progress"
    assert "Agency report (Health Trust)" in row["Current steps"] and row["Overdue"] == "No"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["Next deadline"])
    everything = _csv(cora.get("/cases.csv"))
    assert {r["Reference"] for r in everything} >= {cdop.business_key, other.business_key}
    assert any(r["Open actions"] == "3" for r in everything)  # the plan's row
    with transaction(factory) as s:
        exported = s.scalars(select(AuditEvent).where(AuditEvent.action == "cases.exported")).all()
    assert [e.details["rows"] for e in exported] == [1, len(everything)]
    assert exported[0].details["filters"]["agency"] == "health"


def test_a_formula_in_a_cell_is_made_harmless(as_user, cdop, factory):
    with transaction(factory) as s:
        s.get(ProcessInstance, cdop.instance_id).title = '=HYPERLINK("http://evil.example","x")'
    (row,) = _csv(as_user("cora").get("/cases.csv"))
    assert row["Title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert [cell(v) for v in ("+1", "-1", "@SUM(A1)", "\tx", "plain")] == ["'+1", "'-1", "'@SUM(A1)", "'\tx", "plain"]


def test_inbox_links_each_case_and_exports(as_user, cdop, factory):
    pat = as_user("pat")
    page = text(pat.get("/tasks"))
    assert f'href="/cases/{cdop.instance_id}"' in page and 'href="/tasks.csv"' in page
    rows = _csv(pat.get("/tasks.csv"))
    assert [(r["Task"], r["Agency"], r["Case"], r["Child"]) for r in rows] == \
        [("Agency report", "Police", cdop.business_key, "Child A")]
    assert _csv(pat.get("/tasks.csv?show=overdue")) == []
    with transaction(factory) as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "tasks.exported", AuditEvent.actor == "pat"))


def test_returns_board_exports(as_user, cdop, factory):
    rows = _csv(as_user("cora").get("/returns.csv"))
    assert {r["Agency"]: r["Open"] for r in rows} == {"Police": "1", "Children's Social Care": "1"}
    assert [r["Agency"] for r in _csv(as_user("pat").get("/returns.csv"))] == ["Police"]
    with transaction(factory) as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "returns.exported"))


def test_exports_need_a_signed_in_case_reader(client, as_user, cdop):
    assert client.get("/cases.csv").status_code == 302
    assert as_user("adam").get("/cases.csv").status_code == 403
