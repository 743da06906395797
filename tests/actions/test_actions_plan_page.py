"""A plan's case page and its progress report, from a plan raised and monitored through the shipped bundle (the
rows the projection writes): the actions in words, the summary line, the report's counts and evidence, need to
know, and the plan helper's links once its endpoints exist."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from engine.store.db import transaction
from engine.store.models import PlanAction
from tests.web.web_kit import text

from .actions_kit import raise_plan


def rows_of(factory, plan_id):
    with transaction(factory) as s:
        return {r.agency: (r.action_key, r.status, r.rag) for r in
                s.scalars(select(PlanAction).where(PlanAction.plan_id == plan_id))}


def test_the_plans_case_page_lists_its_actions_in_words(as_user, factory, partnership, action_plan_bundle,
                                                        traveller):
    plan, keys = raise_plan(factory, traveller)
    assert rows_of(factory, plan) == {"police": (keys["police"], "at_risk", "amber"),
                                      "csc": (keys["csc"], "on_track", "green"),
                                      "health": (keys["health"], "signed_off", "green")}
    page = text(as_user("cora").get(f"/cases/{plan}"))
    section = page[page.index('id="plan-actions"'):page.index("Diagram</h2>")]
    assert "3 actions: 2 open, 1 signed off." in section
    assert "Police" in section and "Children&#39;s Social Care" in section and "Health Trust" in section
    assert "At risk of delay" in section and "On track" in section and "Signed off" in section
    assert "Amber" in section and "Green" in section
    assert "Audit delayed by staff sickness." in section  # the latest update's words
    assert re.search(r"\d{1,2} [A-Z][a-z]+ 20\d\d", section)  # due dates in words
    for key in ("police", "csc", "at_risk", "on_track", "signed_off", "amber", "None"):
        assert f">{key}<" not in section and f" {key} " not in section, key
    assert f'href="/cases/{plan}/progress-report"' in section



def test_a_coordinator_may_add_actions_and_replan_open_ones_from_the_plan(as_user, factory, partnership,
                                                                          action_plan_bundle, traveller):
    plan, keys = raise_plan(factory, traveller)
    page = text(as_user("cora").get(f"/cases/{plan}"))
    assert f'href="/cases/{plan}/actions/add">Add an action' in page
    assert f'href="/actions/{keys["police"]}/replan">Change the due date' in page
    assert f'/actions/{keys["health"]}/replan' not in page  # signed off: nothing to re-plan
    assert "Add an action" not in text(as_user("chad").get(f"/cases/{plan}"))  # coordinators only


def test_the_progress_report_prints_every_action_with_its_evidence(as_user, factory, partnership,
                                                                   action_plan_bundle, traveller):
    plan, keys = raise_plan(factory, traveller)
    with transaction(factory) as s:  # the police action re-planned once (the plan helper's change, as a row)
        s.execute(update(PlanAction).where(PlanAction.action_key == keys["police"]).values(
            original_due_date=date(2027, 1, 1), due_date=date(2027, 4, 30), replans=1))
    answer = as_user("chad").get(f"/cases/{plan}/progress-report")
    page = text(answer)
    assert answer.status_code == 200
    assert "Progress report for the board" in page and "Neglect strategy: partnership priorities" in page
    assert "Entered by hand" in page and "29 December 2026" in page  # the source and today's date in words
    by_status = page[page.index('id="by-status"'):page.index('id="by-rag"')]
    assert re.search(r"At risk of delay</th><td[^>]*>1<", by_status) and re.search(r"Signed off</th><td[^>]*>1<",
                                                                                    by_status)
    by_rag = page[page.index('id="by-rag"'):page.index('id="report-actions"')]
    assert re.search(r"Amber</th><td[^>]*>1<", by_rag) and re.search(r"Green</th><td[^>]*>1<", by_rag)
    table = page[page.index('id="report-actions"'):]
    assert "30 April 2027" in table and "Originally 1 January 2027, re-planned 1 time" in table
    assert "Attendance registers and the audit report." in table  # evidence of completion
    assert "Re-audit: concerns shared within a day in 92% of cases" in table  # evidence of impact
    assert re.search(r"Signed off \d{1,2} [A-Z][a-z]+ 20\d\d", table)
    assert 'class="lif-report"' in page and "lif-no-print" in page  # the print layout's hooks


def test_the_progress_report_is_for_those_who_see_the_plan(as_user, factory, partnership, action_plan_bundle,
                                                           traveller):
    plan, _ = raise_plan(factory, traveller)
    assert as_user("adam").get(f"/cases/{plan}/progress-report").status_code == 403
    assert as_user("dee").get(f"/cases/{plan}/progress-report").status_code == 403
    assert as_user("scot").get(f"/cases/{plan}/progress-report").status_code == 200
    assert as_user("cora").get("/cases/no-such-case/progress-report").status_code == 404


def test_a_case_that_is_no_plan_has_no_actions_section_or_report(as_user, cdop):
    client = as_user("cora")
    assert 'id="plan-actions"' not in text(client.get(f"/cases/{cdop.instance_id}"))
    assert client.get(f"/cases/{cdop.instance_id}/progress-report").status_code == 404


def test_an_agency_lead_opens_the_plan_from_the_register_and_sees_only_their_agencys_actions(
        as_user, factory, partnership, action_plan_bundle, traveller):
    plan, keys = raise_plan(factory, traveller)
    with transaction(factory) as s:  # the health action passes to another agency: the health lead has none left
        s.execute(update(PlanAction).where(PlanAction.action_key == keys["health"]).values(agency="csc"))
    pat = as_user("pat")  # police: the plan's work is in its parts, and the register links here
    page = text(pat.get(f"/cases/{plan}"))
    section = page[page.index('id="plan-actions"'):page.index("Diagram</h2>")]
    assert "1 action: 1 open." in section and "Police" in section
    assert "Children&#39;s Social Care" not in section
    assert pat.get(f"/cases/{plan}/progress-report").status_code == 200
    assert as_user("ivy").get(f"/cases/{plan}").status_code == 404  # health's partner: no action, no task
