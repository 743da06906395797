"""The cases dashboard and the outstanding returns board (pages and ``engine.dashboard``)."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from engine.reads import dashboard
from engine.store.db import transaction
from engine.store.models import AuditEvent, HumanTask

from .web_kit import cdop_to_agency_reports, text


def _late(factory, task_id, now, days=3):
    with transaction(factory) as s:
        s.get(HumanTask, task_id).due_at = now - timedelta(days=days)


def test_coordinator_sees_every_case_with_steps_and_deadlines(as_user, cdop):
    page = text(as_user("cora").get("/cases"))
    assert cdop.business_key in page and "CDOP CDOP-123: Child A" in page
    assert "Agency report" in page and "Police" in page and "Children&#39;s Social Care" in page
    assert "Family&#39;s views" in page
    assert "Outstanding returns by agency" in page


def test_dashboard_is_audited(as_user, cdop, factory):
    as_user("cora").get("/cases?process=cdop")
    with transaction(factory) as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "cases.listed", AuditEvent.actor == "cora"))


def test_filters_by_process_status_agency_and_overdue(as_user, cdop, factory, partnership, now):
    other = cdop_to_agency_reports(factory, partnership["coordinator"], now, ("health",))
    _late(factory, other.reports["health"], now)
    cora = as_user("cora")
    by_agency = text(cora.get("/cases?agency=health"))
    assert other.business_key in by_agency and cdop.business_key not in by_agency
    overdue = text(cora.get("/cases?overdue=yes"))
    assert other.business_key in overdue and cdop.business_key not in overdue
    on_time = text(cora.get("/cases?overdue=no"))
    assert cdop.business_key in on_time and other.business_key not in on_time
    assert cdop.business_key not in text(cora.get("/cases?process=scr"))
    assert cdop.business_key not in text(cora.get("/cases?status=completed"))
    assert cdop.business_key in text(cora.get("/cases?status=any&process=cdop"))


def test_due_within_working_days(factory, partnership, cdop, now):
    coordinator = partnership["coordinator"]
    with transaction(factory) as s:
        soon = dashboard.case_board(s, coordinator, now, dashboard.CaseFilters(due_within_days=5))
        later = dashboard.case_board(s, coordinator, now, dashboard.CaseFilters(due_within_days=15))
    assert soon.total == 0  # the earliest open deadline (21 days) is 15 working days away
    assert later.total == 1 and later.items[0].id == cdop.instance_id


def test_overdue_cases_come_first_and_pages_split(factory, partnership, cdop, now):
    coordinator = partnership["coordinator"]
    others = [cdop_to_agency_reports(factory, coordinator, now, ("csc",)) for _ in range(3)]
    _late(factory, others[2].reports["csc"], now)
    with transaction(factory) as s:
        first = dashboard.case_board(s, coordinator, now, limit=2)
        second = dashboard.case_board(s, coordinator, now, limit=2, offset=2)
    assert first.total == 4 and first.items[0].id == others[2].instance_id and first.items[0].overdue
    assert len(first.items) == 2 and len(second.items) == 2
    assert {r.id for r in first.items + second.items} == {cdop.instance_id} | {o.instance_id for o in others}


def test_dashboard_pages_with_links(as_user, factory, partnership, cdop, now):
    for _ in range(25):
        cdop_to_agency_reports(factory, partnership["coordinator"], now, ("csc",))
    cora = as_user("cora")
    page = text(cora.get("/cases?process=cdop"))
    assert "26 cases" in page and 'href="/cases?page=2&amp;process=cdop"' in page
    assert len(re.findall(r'href="/cases/[0-9a-f-]{36}"', text(cora.get("/cases?process=cdop&page=2")))) == 1


def test_returns_board_counts_open_and_overdue_per_agency(factory, partnership, cdop, now):
    _late(factory, cdop.reports["police"], now)
    with transaction(factory) as s:
        board = {r.agency: r for r in dashboard.outstanding_returns(s, partnership["coordinator"], now)}
        police_only = dashboard.outstanding_returns(s, partnership["police"], now)
        no_agency = dashboard.outstanding_returns(s, partnership["chair"], now)
    assert board["police"].open == 1 and board["police"].overdue == 1 and board["police"].name == "Police"
    assert board["csc"].open == 1 and board["csc"].overdue == 0
    assert [r.agency for r in police_only] == ["police"]
    assert {r.agency for r in no_agency} == {"police", "csc"}  # chairs see the partnership


def test_a_reviewer_sees_only_cases_they_take_part_in(as_user, cdop, factory, partnership, now):
    other = cdop_to_agency_reports(factory, partnership["coordinator"], now, ("csc",))
    page = text(as_user("pat").get("/cases"))
    assert cdop.business_key in page and other.business_key not in page
    tables = page[page.index('id="cases"'):]
    assert "Children&#39;s Social Care" not in tables  # neither another agency's step nor its returns
    hana = text(as_user("hana").get("/cases"))
    assert "0 cases" in hana and "No agency returns are outstanding" in hana
