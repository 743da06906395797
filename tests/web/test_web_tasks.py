"""My tasks and the task page, on a shipped CDOP case at its agency reports (police and csc)."""
from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import select

from engine.bundles import definitions
from engine.store.db import transaction
from engine.store.models import AuditEvent, HumanTask

from .web_kit import text

REPORT = {  # no nil return: its tick box is left unticked, so it is not sent
    "report.completed_by": "pat", "report.completed_by_role": "Detective sergeant",
    "report.involvement_from-day": "1", "report.involvement_from-month": "3", "report.involvement_from-year": "2024",
    "report.involvement_summary": "Two welfare visits in 2025; no concerns recorded.",
    "report.safeguarding_concerns": "no", "report.bereavement_support_offered": "yes",
    "report.poverty_or_deprivation": "nk", "report.barriers_to_services": "no",
}


def _state(factory, task_id):
    with transaction(factory) as s:
        row = s.get(HumanTask, task_id)
        return row.state, row.assignee, row.draft


def test_inbox_lists_the_agency_report_with_case_and_days_left(as_user, cdop):
    page = text(as_user("pat").get("/tasks"))
    assert f'/tasks/{cdop.reports["police"]}' in page
    assert f'/tasks/{cdop.reports["csc"]}' not in page
    assert cdop.business_key in page and "Child A" in page
    assert "15 working days left" in page  # P21D from Tuesday 1 December 2026


def test_inbox_puts_overdue_tasks_first_then_the_soonest(as_user, cdop, factory, partnership, now):
    from datetime import timedelta

    from .web_kit import cdop_to_agency_reports
    later = cdop_to_agency_reports(factory, partnership["coordinator"], now + timedelta(days=1), ("police",))
    with transaction(factory) as s:
        s.get(HumanTask, later.reports["police"]).due_at = now - timedelta(days=3)
    page = text(as_user("pat").get("/tasks"))
    assert page.index(later.reports["police"]) < page.index(cdop.reports["police"])
    assert "Overdue" in page and "working days overdue" in page
    overdue_only = text(as_user("pat").get("/tasks?show=overdue"))
    assert later.reports["police"] in overdue_only and cdop.reports["police"] not in overdue_only


def test_another_agencys_reviewer_gets_404_for_the_task(as_user, cdop):
    sam = as_user("sam")
    assert sam.get(f"/tasks/{cdop.reports['police']}").status_code == 404
    assert sam.post(f"/tasks/{cdop.reports['police']}", data={"_action": "save"}).status_code == 404
    assert sam.post(f"/tasks/{cdop.reports['police']}/claim").status_code == 404
    assert sam.post(f"/tasks/{cdop.reports['police']}/comments", data={"body": "hi"}).status_code == 404
    assert "Page not found" in text(sam.get(f"/tasks/{cdop.reports['police']}"))


def test_task_page_shows_form_instructions_and_case_context(as_user, cdop, factory):
    response = as_user("pat").get(f"/tasks/{cdop.reports['police']}")
    page = text(response)
    assert response.status_code == 200
    assert '<h2 class="govuk-heading-m">Agency report: Child A (CDOP-123)</h2>' in page  # Markdown, with classes
    assert 'name="nil_return"' in page and 'name="report.involvement_summary"' in page
    assert 'name="report.involvement_from-day"' in page
    assert "Police" in page and cdop.business_key in page
    with transaction(factory) as s:
        viewed = s.scalars(select(AuditEvent.action).where(AuditEvent.task_id == cdop.reports["police"])).all()
    assert "task.viewed" in viewed


def test_claim_and_release(as_user, cdop, factory):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    assert pat.post(f"/tasks/{task_id}/claim").status_code == 302
    assert _state(factory, task_id)[1] == "pat"
    assert "Release" in text(pat.get("/tasks"))
    assert pat.post(f"/tasks/{task_id}/unclaim", data={"from": "task"}).location == f"/tasks/{task_id}"
    assert _state(factory, task_id)[1] is None


def test_a_colleague_cannot_do_a_task_claimed_by_someone_else(as_user, cdop, app, factory):
    from engine.people import accounts
    from tests.conftest import NOW
    with transaction(factory) as s:
        accounts.add_user(s, "pip", roles=["reviewer"], agency_key="police", password="reviewer-pass", actor=None,
                          now=NOW)
    as_user("pat").post(f"/tasks/{cdop.reports['police']}/claim")
    pip = app.test_client()
    pip.post("/sign-in", data={"username": "pip", "password": "reviewer-pass"})
    page = text(pip.get(f"/tasks/{cdop.reports['police']}"))
    assert "This task is assigned to pat" in page and "Complete task" not in page
    assert pip.post(f"/tasks/{cdop.reports['police']}", data={"_action": "complete"}).status_code == 403


def test_save_draft_keeps_the_answers(as_user, cdop, factory):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    response = pat.post(f"/tasks/{task_id}", data={**REPORT, "_action": "save"})
    assert response.status_code == 302
    draft = _state(factory, task_id)[2]
    assert draft["nil_return"] is False and draft["report"]["involvement_from"] == "2024-03-01"
    page = text(pat.get(f"/tasks/{task_id}"))
    assert "Your draft has been saved" in page and "Two welfare visits in 2025" in page
    assert re.search(r'name="report.involvement_from-year"[^>]*value="2024"', page)


def test_posting_the_task_form_is_not_a_view_of_the_task(as_user, cdop, factory):
    """The form is read to parse the post, without the "task viewed" row that showing the page writes."""
    pat, task_id = as_user("pat"), cdop.reports["police"]
    assert pat.post(f"/tasks/{task_id}", data={**REPORT, "_action": "save"}).status_code == 302
    with transaction(factory) as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task_id)).all()
    assert "task.viewed" not in actions and actions  # the drafts are on record, no view is


def test_completing_with_errors_shows_the_summary_and_inline_errors(as_user, cdop, factory):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    data = {**REPORT, "report.involvement_summary": "short", "report.involvement_from-month": "13",
            "report.safeguarding_concerns": "yes", "_action": "complete"}
    response = pat.post(f"/tasks/{task_id}", data=data)
    page = text(response)
    assert response.status_code == 422
    assert "There is a problem" in page and "<title>Error: " in page
    assert 'href="#f-report-involvement_summary"' in page
    assert "Summary of the agency&#39;s involvement with the child and family must be 10 characters or more" in page
    assert 'href="#f-report-involvement_from-day"' in page and "must be a real date" in page
    assert 'href="#f-report-safeguarding_detail"' in page  # required by the schema's if/then
    assert 'id="f-report-involvement_summary-error"' in page  # inline, next to the field
    assert "short" in page  # what was typed is kept
    assert _state(factory, task_id)[0] == "ready"


def test_an_empty_report_lists_each_question_it_needs_linked_to_its_input(as_user, cdop):
    """Not "Complete agency report": the error summary names each question the report needs."""
    response = as_user("pat").post(f"/tasks/{cdop.reports['police']}", data={"_action": "complete"})
    page = text(response)
    assert response.status_code == 422 and "Complete agency report" not in page
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', page)
    assert ("f-report-completed_by_role", "Enter role") in summary
    assert ("f-report-involvement_summary",
            "Enter summary of the agency&#39;s involvement with the child and family") in summary
    assert len(summary) == 7 and all(f'id="{target}"' in page for target, _ in summary)


def test_a_new_form_has_no_answer_chosen_and_a_nil_return_is_a_tick_box(as_user, cdop):
    page = text(as_user("pat").get(f"/tasks/{cdop.reports['police']}"))
    assert re.search(r'<input class="govuk-checkboxes__input" id="f-nil_return" name="nil_return"', page)
    assert not re.search(r"<input[^>]*\bchecked\b", page)
    assert "Required if" not in page and "Not needed if you tick ‘Nil return’" in page


def test_the_side_panel_names_the_process_role_and_person(as_user, cdop, factory):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    pat.post(f"/tasks/{task_id}/claim", data={"from": "task"})
    page = text(pat.get(f"/tasks/{task_id}"))
    panel = page.split('aria-label="About this case"')[1]
    with transaction(factory) as s:
        name = definitions.latest(s, "cdop").name
    assert f">{escape(name)}<" in panel and ">cdop<" not in panel
    assert ">Agency reviewer<" in panel and ">reviewer<" not in panel


def test_completing_a_valid_form_completes_the_task(as_user, cdop, factory):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    response = pat.post(f"/tasks/{task_id}", data={**REPORT, "_action": "complete"})
    assert response.status_code == 302 and response.location == "/tasks"
    assert _state(factory, task_id)[0] == "completed"
    assert "is complete" in text(pat.get("/tasks"))


def test_a_nil_return_needs_nothing_else(as_user, cdop, factory):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    response = pat.post(f"/tasks/{task_id}", data={"nil_return": "true", "nil_reason": "No records held",
                                                   "_action": "complete"})
    assert response.status_code == 302, text(response)[:3000]
    assert _state(factory, task_id)[0] == "completed"


def test_completing_twice_is_a_conflict_message(as_user, cdop):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    pat.post(f"/tasks/{task_id}", data={"nil_return": "true", "_action": "complete"})
    response = pat.post(f"/tasks/{task_id}", data={"nil_return": "true", "_action": "complete"})
    assert response.status_code == 302
    page = text(pat.get(response.location))
    assert "could not be completed" in page and "This task is completed" in page


def test_comments_are_listed_and_added(as_user, cdop):
    pat, task_id = as_user("pat"), cdop.reports["police"]
    assert pat.post(f"/tasks/{task_id}/comments", data={"body": "Records requested from archive"}).status_code == 302
    assert "Records requested from archive" in text(pat.get(f"/tasks/{task_id}"))
    response = pat.post(f"/tasks/{task_id}/comments", data={"body": "  "})
    assert "Enter a comment" in text(pat.get(response.location))
    assert "Records requested from archive" in text(as_user("cora").get(f"/tasks/{task_id}"))


def test_instructions_are_sanitised(as_user, cdop, factory):
    with transaction(factory) as s:
        s.get(HumanTask, cdop.reports["police"]).instructions = \
            "Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold**"
    page = text(as_user("pat").get(f"/tasks/{cdop.reports['police']}"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript' not in page
    assert "<strong>bold</strong>" in page
