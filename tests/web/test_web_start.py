"""Starting a case, the notifications list, and the designer's process pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import Notification, ProcessInstance

from .web_kit import BUNDLES, WORKFLOWS, deploy, text

ANSWERS = {"about": "child", "pseudonym": "Child B", "reason": "Referral from the hospital's safeguarding team"}


def _cases(factory):
    with transaction(factory) as s:
        return [(r.process_key, r.pseudonym, r.data, r.status) for r in s.scalars(select(ProcessInstance))]


def test_start_lists_only_processes_the_user_may_start(as_user, factory, now):
    deploy(factory, WORKFLOWS / "cdop", now)
    deploy(factory, WORKFLOWS / "scr", now)
    coordinator, reviewer = text(as_user("cora").get("/start")), text(as_user("pat").get("/start"))
    assert "Child death review (CDOP)" in coordinator and 'href="/start/cdop"' in coordinator
    assert "Child death review (CDOP)" not in reviewer and "Case review" in reviewer
    assert as_user("pat").get("/start/cdop").status_code == 403
    assert as_user("pat").post("/start/cdop", data=ANSWERS).status_code == 403
    assert as_user("cora").get("/start/nothing").status_code == 404
    assert as_user("cora").post("/start/nothing", data=ANSWERS).status_code == 404
    assert _cases(factory) == []


def test_start_asks_for_which_child_and_why_before_creating_the_case(as_user, factory, now):
    deploy(factory, WORKFLOWS / "cdop", now)
    page = text(as_user("cora").get("/start/cdop"))
    assert "Child death review (CDOP)" in page and "Is this case about one child?" in page
    assert 'name="pseudonym"' in page and 'name="reason"' in page and "checked" not in page  # nothing pre-selected
    assert _cases(factory) == []  # asking creates nothing


@pytest.mark.parametrize("form, errors", [
    ({}, ["Select whether this case is about one child", "Enter why you are starting this case"]),
    ({"about": "child", "reason": "A referral"}, ["Enter the child's pseudonym"]),
    ({"about": "child", "pseudonym": "C" * 101, "reason": "A referral"}, ["Pseudonym must be 100 characters or fewer"]),
    ({"about": "none", "reason": "x" * 501}, ["Reason must be 500 characters or fewer"]),
    ({"about": "somebody", "reason": "A referral"}, ["Select whether this case is about one child"]),
])
def test_start_answers_missing_or_wrong_are_gov_uk_errors_and_create_nothing(as_user, factory, now, form, errors):
    deploy(factory, WORKFLOWS / "cdop", now)
    response = as_user("cora").post("/start/cdop", data=form)
    page = text(response).replace("&#39;", "'")
    assert response.status_code == 422 and "<title>Error: " in page and "There is a problem" in page
    for error in errors:
        assert page.count(error) == 2, error  # in the summary and beside its field
    assert _cases(factory) == []


def test_starting_a_case_stores_the_answers_and_opens_its_first_task(as_user, factory, now):
    deploy(factory, WORKFLOWS / "cdop", now)
    cora = as_user("cora")
    response = cora.post("/start/cdop", data={**ANSWERS, "pseudonym": "  Child B "})
    assert response.status_code == 302 and response.location.startswith("/tasks/")
    [(key, pseudonym, data, status)] = _cases(factory)
    assert (key, pseudonym, status) == ("cdop", "Child B", "active")
    assert data["start_reason"] == ANSWERS["reason"] and data["pseudonym"] == "Child B"
    page = text(cora.get(response.location))
    assert "Record the death notification" in page and 'name="urn"' in page
    child = text(cora.get(response.location + "/section/2"))  # the form's second page asks about the child
    assert 'value="Child B"' in child  # the first form starts from the answer


def test_a_case_not_about_one_child_has_no_pseudonym(as_user, factory, now):
    deploy(factory, WORKFLOWS / "cdop", now)
    as_user("cora").post("/start/cdop", data={"about": "none", "pseudonym": "Ignored", "reason": "An audit"})
    [(_, pseudonym, data, _)] = _cases(factory)
    assert pseudonym is None and "pseudonym" not in data and data["start_reason"] == "An audit"


def test_starting_a_case_whose_first_step_is_someone_elses_shows_the_case(as_user, factory, now):
    deploy(factory, BUNDLES / "web_flaky", now)
    cora = as_user("cora")
    response = cora.post("/start/web_flaky", data=ANSWERS)
    assert response.location.startswith("/cases/")
    assert "has started" in text(cora.get(response.location))


def _notify(factory, now, recipient="pat"):
    with transaction(factory) as s:
        instance_id = s.scalar(select(ProcessInstance.id))
        row = Notification(idempotency_key=f"test:{recipient}:{now.isoformat()}", kind="reminder", channel="inapp",
                           recipient=recipient, subject="Reminder: Agency report", body="Due soon", state="sent",
                           attempts=0, created_at=now, instance_id=instance_id)
        s.add(row)
        s.flush()
        return row.id


def test_notifications_list_and_mark_read(as_user, cdop, factory, now):
    note = _notify(factory, now)
    pat = as_user("pat")
    page = text(pat.get("/notifications"))
    assert "Reminder: Agency report" in page and "New" in page
    assert "Notifications (" in page
    response = pat.post(f"/notifications/{note}/read", data={"next": "/notifications?show=unread"})
    assert response.location == "/notifications?show=unread"
    assert "Reminder: Agency report" not in text(pat.get("/notifications?show=unread"))
    assert as_user("sam").post(f"/notifications/{note}/read").status_code == 404


def test_designer_lists_versions_downloads_and_deploys(as_user, factory, now):
    deploy(factory, WORKFLOWS / "cdop", now)
    dee = as_user("dee")
    assert "Child death review (CDOP)" in text(dee.get("/processes/"))
    assert "version 1" in text(dee.get("/processes/cdop"))
    download = dee.get("/processes/cdop/1/diagram.bpmn?download=1")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    files = [(open(p, "rb"), p.name) for p in sorted((BUNDLES / "web_flaky").iterdir())]
    response = dee.post("/processes/", data={"key": "web_flaky", "files": files}, content_type="multipart/form-data")
    assert response.status_code == 302 and "version 1 is deployed" in text(dee.get(response.location))
    bad = [(open(BUNDLES / "web_flaky" / "process_model.json", "rb"), "process_model.json")]
    response = dee.post("/processes/", data={"key": "broken", "files": bad}, content_type="multipart/form-data")
    assert response.status_code == 422 and "The bundle was not deployed" in text(response)
    assert as_user("pat").get("/processes/").status_code == 403


def test_the_first_task_the_start_page_opens_is_not_news_to_its_starter(as_user, factory, now):
    """The start page takes cora to the notification form: its "New task" notice to her is read and no email goes;
    the other coordinators' notices of it stand."""
    deploy(factory, WORKFLOWS / "cdop", now)
    response = as_user("cora").post("/start/cdop", data=ANSWERS)
    task_id = response.location.rsplit("/", 1)[1]
    with transaction(factory) as s:
        notes = [(n.recipient, n.channel, n.read_at is not None) for n in s.scalars(
            select(Notification).where(Notification.task_id == task_id, Notification.kind == "new_task"))]
    assert ("cora", "inapp", True) in notes and ("cora", "email", False) not in notes
    assert all(read is False for who, _, read in notes if who != "cora")
