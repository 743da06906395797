"""Long forms through pages, on the shipped Section 11 return: one page per section, "Continue" saving each into
the draft, check your answers with "Change" links to the page and field, completion from there, problems linked
to their page and field, fields revealed under the answer that asks for them, and a finished task's answers."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import HumanTask, User

from .forms_kit import ABOUT, police_return, section11_returns, standard
from .web_kit import text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def s11(factory, partnership, now):
    """The police's Section 11 return, ready for pat (police reviewer), who is named Pat Quinn."""
    case = section11_returns(factory, partnership["coordinator"], now)
    with transaction(factory) as s:
        s.scalar(select(User).where(User.username == "pat")).full_name = "Pat Quinn"
        s.scalar(select(User).where(User.username == "cora")).full_name = "Cora Hale"
    return police_return(factory, case)


def _draft(factory, task_id):
    with transaction(factory) as s:
        row = s.get(HumanTask, task_id)
        return row.state, row.draft, row.answers


def _fill_every_page(pat, task_id, ratings=("green",) * 8):
    assert pat.post(f"/tasks/{task_id}", data={**ABOUT, "_section": "1", "_action": "continue"}).status_code == 302
    for number, rating in enumerate(ratings, start=1):
        extra = {"actions[0].action": "Train every manager", "actions[0].owner_role": "Head of safeguarding",
                 "actions[0].timescale-day": "1", "actions[0].timescale-month": "6",
                 "actions[0].timescale-year": "2027"} if rating in ("amber", "red") else {}
        response = pat.post(f"/tasks/{task_id}", data=standard(number, rating, **extra))
        assert response.status_code == 302, text(response)[:3000]
    return response


def test_a_long_form_shows_one_section_per_page(as_user, s11):
    pat = as_user("pat")
    first = text(pat.get(f"/tasks/{s11}"))
    assert "Part 1 of 9" in first and "About your return" in first and 'name="respondent"' in first
    assert 'name="standard_1.rating"' not in first and 'value="continue"' in first and 'value="complete"' not in first
    second = text(pat.get(f"/tasks/{s11}/section/2"))
    assert "Part 2 of 9" in second and 'name="standard_1.rating"' in second and 'name="respondent"' not in second
    assert f'href="/tasks/{s11}/section/1"' in second  # the back link goes to the page before
    assert pat.get(f"/tasks/{s11}/section/99").status_code == 404


def test_continue_saves_the_page_into_the_draft_and_goes_to_the_next(as_user, s11, factory):
    pat = as_user("pat")
    response = pat.post(f"/tasks/{s11}", data={**ABOUT, "_section": "1", "_action": "continue"})
    assert response.headers["Location"].endswith(f"/tasks/{s11}/section/2")
    response = pat.post(f"/tasks/{s11}", data=standard(1))
    assert response.headers["Location"].endswith(f"/tasks/{s11}/section/3")
    _, draft, _ = _draft(factory, s11)
    assert draft["respondent"] == "pat" and draft["date_returned"] == "2026-12-01" and draft["nil_return"] is False
    assert draft["standard_1"]["rating"] == "green"  # the second page kept the first page's answers
    again = text(pat.get(f"/tasks/{s11}/section/2"))
    assert re.search(r'value="green"[^>]*checked', again)  # a saved answer is selected when the page is drawn again


def test_continue_with_problems_shows_them_on_its_page_linked_to_the_field(as_user, s11, factory):
    pat = as_user("pat")
    pat.post(f"/tasks/{s11}", data={**ABOUT, "_section": "1", "_action": "continue"})
    response = pat.post(f"/tasks/{s11}", data={"standard_1.rating": "amber", "standard_1.actions-rows": "1",
                                                 "_section": "2", "_action": "continue"})
    page = text(response)
    assert response.status_code == 422 and "There is a problem" in page
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', page)
    assert ("f-standard_1-evidence", "Enter evidence of compliance") in summary
    assert all(target.startswith("f-standard_1-") for target, _ in summary)  # only this page's problems
    assert 'id="f-standard_1-evidence"' in page
    assert _draft(factory, s11)[1]["standard_1"]["rating"] == "amber"  # what was entered is kept


@pytest.mark.slow  # a long run through the engine: make test-ci
def test_check_answers_lists_every_answer_with_a_change_link_to_its_page_and_field(as_user, s11):
    pat = as_user("pat")
    response = _fill_every_page(pat, s11, ("green", "green", "amber", "green", "green", "na", "green", "green"))
    assert response.headers["Location"].endswith(f"/tasks/{s11}/check")
    page = text(pat.get(f"/tasks/{s11}/check"))
    assert "Check your answers" in page and "1 December 2026" in page and "Amber: partially met" in page
    assert "Not applicable" in page and "We do not recruit staff directly." in page and "1 June 2027" in page
    changes = re.findall(rf'href="/tasks/{s11}/section/(\d+)#([^"]+)">Change', page)
    assert {int(n) for n, _ in changes} == set(range(1, 10))
    for number, target in changes:  # every "Change" link lands on a page that has the field
        assert f'id="{target}"' in text(pat.get(f"/tasks/{s11}/section/{number}")), (number, target)


def test_completing_from_check_answers_sends_the_saved_answers(as_user, s11, factory):
    pat = as_user("pat")
    _fill_every_page(pat, s11)
    response = pat.post(f"/tasks/{s11}/check")
    assert response.status_code == 302
    state, _, answers = _draft(factory, s11)
    assert state == "completed" and answers["standard_8"]["rating"] == "green" and answers["respondent"] == "pat"


def test_problems_on_completion_link_to_the_page_and_field(as_user, s11):
    pat = as_user("pat")
    _fill_every_page(pat, s11)
    pat.post(f"/tasks/{s11}", data={"standard_3.actions-rows": "1", "_section": "4", "_action": "save"})  # emptied
    response = pat.post(f"/tasks/{s11}/check")
    page = text(response)
    assert response.status_code == 422 and "There is a problem" in page
    link = f"/tasks/{s11}/section/4?errors=1#f-standard_3-rating"
    assert f'href="{link}">Select rating</a>' in page
    shown = text(pat.get(link.split("#")[0]))
    assert "There is a problem" in shown and 'href="#f-standard_3-rating"' in shown
    assert 'id="f-standard_3-rating"' in shown


def test_a_nil_return_skips_the_standards_to_check_answers(as_user, s11, factory):
    pat = as_user("pat")
    response = pat.post(f"/tasks/{s11}", data={**ABOUT, "nil_return": "true", "nil_reason": "Service recommissioned",
                                                 "_section": "1", "_action": "continue"})
    assert response.headers["Location"].endswith(f"/tasks/{s11}/check")
    page = text(pat.get(f"/tasks/{s11}/check"))
    assert "Service recommissioned" in page and "Standard 1" not in page
    assert pat.post(f"/tasks/{s11}/check").status_code == 302
    assert _draft(factory, s11)[0] == "completed"


def test_a_field_asked_by_one_answer_is_revealed_under_it(as_user, s11):
    page = text(as_user("pat").get(f"/tasks/{s11}/section/2"))
    reveal = re.search(r'<div class="govuk-radios__conditional[^"]*" id="([^"]+)">(.*?)</div>\s*</div>\s*</div>',
                       page, re.S)
    assert reveal and 'name="standard_1.na_reason"' in reveal.group(2)
    assert page.count('name="standard_1.na_reason"') == 1 and "Required if" not in page
    assert "Answer this if you chose ‘Not applicable’ above" in reveal.group(2)  # said where JavaScript is off
    first = text(as_user("pat").get(f"/tasks/{s11}"))
    assert re.search(r'govuk-checkboxes__conditional[^>]*>.*name="nil_reason"', first, re.S)  # under the tick box


def test_a_completed_task_shows_its_answers_names_and_dates_in_words(as_user, s11):
    pat = as_user("pat")
    _fill_every_page(pat, s11)
    pat.post(f"/tasks/{s11}/check")
    for viewer in ("pat", "cora"):
        page = text(as_user(viewer).get(f"/tasks/{s11}"))
        assert "This task is completed (by Pat Quinn on 1 December 2026)" in page, viewer
        assert "govuk-summary-list" in page and "Green: meets the minimum requirements" in page
        assert "<input" not in page.split('id="answers"')[1].split('id="comments"')[0]  # read-only
        assert "Section 11 self-evaluation" in page and ">section11<" not in page
        assert ">Agency reviewer<" in page and "Pat Quinn" in page


def test_a_ready_task_someone_else_does_shows_the_answers_so_far(as_user, s11):
    as_user("pat").post(f"/tasks/{s11}", data={**ABOUT, "_section": "1", "_action": "continue"})
    page = text(as_user("cora").get(f"/tasks/{s11}"))
    assert "Answers so far" in page and "Head of safeguarding" in page and 'name="respondent"' not in page
    assert "1 December 2026" in page


def test_check_answers_is_only_for_long_forms_the_viewer_can_do(as_user, s11, cdop):
    assert as_user("cora").get(f"/tasks/{s11}/check").status_code == 302
    assert as_user("pat").get(f"/tasks/{cdop.reports['police']}/check").status_code == 302


def test_a_later_page_keeps_the_instructions_folded_and_drops_settled_hints(as_user, s11):
    page = text(as_user("pat").get(f"/tasks/{s11}/section/3"))
    assert "Instructions for this task" in page and "govuk-details" in page
    assert "Not needed if you tick ‘Nil return’" not in page  # the page is only asked when there is no nil return
    assert "Instructions for this task" not in text(as_user("pat").get(f"/tasks/{s11}"))


def test_check_answers_leaves_out_questions_not_asked(as_user, s11):
    pat = as_user("pat")
    _fill_every_page(pat, s11)
    page = text(pat.get(f"/tasks/{s11}/check"))
    assert "Why the standard does not apply" not in page  # revealed only under "Not applicable"
    assert "Reason for the nil return" not in page and "Action plan" not in page  # nobody was asked
    assert page.count("Not given") == 8  # the optional evidence of impact on each standard's page


def test_a_page_posted_after_the_session_ended_joins_the_draft(as_user, s11, factory, traveller):
    """A page of a long form sent after its session timed out is kept with the other pages' answers."""
    pat = as_user("pat")
    pat.post(f"/tasks/{s11}", data={**ABOUT, "_section": "1", "_action": "continue"})
    traveller.shift(timedelta(minutes=40))
    response = pat.post(f"/tasks/{s11}", data=standard(1))
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")
    _, draft, _ = _draft(factory, s11)
    assert draft["respondent"] == "pat" and draft["standard_1"]["rating"] == "green"
