"""The case page: diagram markers, timeline, the data each viewer may see, and the coordinator's actions."""
from __future__ import annotations

import re

from sqlalchemy import select, update

from engine.cases import instances
from engine.store.db import transaction
from engine.store.models import AuditEvent, HumanTask, ProcessInstance, User

from .web_kit import BUNDLES, deploy, ready_task, text


def _markers(page: str) -> dict[str, set[str]]:
    return {kind: set(re.search(rf'data-{kind}="([^"]*)"', page).group(1).split())
            for kind in ("done", "active", "overdue")}


def test_coordinator_sees_diagram_markers_timeline_and_data(as_user, cdop, factory):
    page = text(as_user("cora").get(f"/cases/{cdop.instance_id}"))
    markers = _markers(page)
    # the path taken: people's steps, scripts, gateways and events alike
    assert {"start", "notification", "prepare_case", "gw_refer_notification", "fork_information",
            "identify_agencies", "fork_reports"} <= markers["done"]
    assert markers["active"] == {"agency_report", "family_views"} and markers["overdue"] == set()
    assert not markers["done"] & {"agency_report", "family_views", "ncmd_submission", "build_notification_referral"}
    assert f'data-bpmn-url="/cases/{cdop.instance_id}/diagram.bpmn"' in page
    assert "Case started" in page and "Identify the agencies involved completed" in page
    assert "Sudden collapse at home" in page  # coordinators see every step's answers
    assert "Reassign, extend, comment or chase" in page and "Cancel the case" in page and "Pause the clock" in page
    with transaction(factory) as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "instance.viewed",
                                                 AuditEvent.instance_id == cdop.instance_id))


def test_the_diagram_is_the_instances_version(as_user, cdop):
    response = as_user("pat").get(f"/cases/{cdop.instance_id}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert 'id="agency_report"' in text(response)


def test_a_participant_sees_only_shared_data_and_their_steps(as_user, cdop):
    page = text(as_user("pat").get(f"/cases/{cdop.instance_id}"))
    assert "Sudden collapse at home" not in page and "Child A" in page
    assert "Cancel the case" not in page and "Reassign" not in page
    assert cdop.reports["police"] in page and cdop.reports["csc"] not in page


def test_a_reviewer_outside_the_case_gets_404(as_user, cdop):
    hana = as_user("hana")
    assert hana.get(f"/cases/{cdop.instance_id}").status_code == 404
    assert hana.get(f"/cases/{cdop.instance_id}/diagram.bpmn").status_code == 404


def test_only_coordinators_act_on_a_case(as_user, cdop):
    pat = as_user("pat")
    for action in ("cancel", "pause", "resume", "retry"):
        assert pat.post(f"/cases/{cdop.instance_id}/{action}", data={"reason": "x"}).status_code == 403
    for action in ("assign", "extend", "chase"):
        assert pat.post(f"/tasks/{cdop.reports['police']}/{action}", data={"username": "pat"}).status_code == 403


def test_reassign_a_task(as_user, cdop, factory):
    """The message names the person the task went to by their full name."""
    with transaction(factory) as s:
        s.execute(update(User).where(User.username == "sam").values(full_name="Sam Shah"))
    cora = as_user("cora")
    response = cora.post(f"/tasks/{cdop.reports['csc']}/assign",
                         data={"username": "sam", "instance_id": cdop.instance_id})
    assert response.location == f"/cases/{cdop.instance_id}"
    with transaction(factory) as s:
        assert s.get(HumanTask, cdop.reports["csc"]).assignee == "sam"
    page = text(cora.get(response.location))
    assert "The task is now assigned to Sam Shah" in page and "now assigned to sam" not in page


def test_extend_a_deadline_needs_a_reason(as_user, cdop, factory):
    cora, task_id = as_user("cora"), cdop.reports["police"]
    form = {"instance_id": cdop.instance_id, "due-day": "15", "due-month": "1", "due-year": "2027"}
    response = cora.post(f"/tasks/{task_id}/extend", data=form)
    assert "Enter a reason" in text(cora.get(response.location))
    cora.post(f"/tasks/{task_id}/extend", data={**form, "reason": "Records held offsite"})
    with transaction(factory) as s:
        assert s.get(HumanTask, task_id).due_at.date().isoformat() == "2027-01-15"
    assert "Reason: Records held offsite" in text(cora.get(f"/cases/{cdop.instance_id}"))


def test_comment_on_a_step_from_the_case_page(as_user, cdop):
    cora = as_user("cora")
    response = cora.post(f"/tasks/{cdop.reports['csc']}/comments",
                         data={"instance_id": cdop.instance_id, "body": "Chased by phone"})
    assert response.location == f"/cases/{cdop.instance_id}"
    assert "Comment added" in text(cora.get(response.location))
    assert "Chased by phone" in text(as_user("sam").get(f"/tasks/{cdop.reports['csc']}"))


def test_send_a_chaser(as_user, cdop, factory):
    cora = as_user("cora")
    response = cora.post(f"/tasks/{cdop.reports['police']}/chase",
                         data={"instance_id": cdop.instance_id, "message": "Please reply by Friday"})
    assert response.status_code == 302
    assert "A chaser has been sent" in text(cora.get(response.location))
    notices = text(as_user("pat").get("/notifications"))
    assert "Chaser" in notices


def test_pause_resume_and_cancel(as_user, cdop, factory):
    cora, case = as_user("cora"), f"/cases/{cdop.instance_id}"
    cora.post(f"{case}/pause", data={"reason": "Criminal proceedings"})
    assert "Clock paused" in text(cora.get(case))
    cora.post(f"{case}/resume", data={"reason": "Proceedings ended"})
    response = cora.post(f"{case}/cancel", data={"reason": ""})
    assert response.status_code == 422 and "Enter why the case is being cancelled" in text(response)
    cora.post(f"{case}/cancel", data={"reason": "Duplicate notification"})
    with transaction(factory) as s:
        assert s.get(ProcessInstance, cdop.instance_id).status == "cancelled"
    page = text(cora.get(case))
    assert "Reason: Duplicate notification" in page and "Case paused" in page and "Case resumed" in page
    again = cora.post(f"{case}/cancel", data={"reason": "again"})
    assert "already cancelled" in text(cora.get(again.location))


def test_retry_a_case_in_error(as_user, factory, partnership, now, traveller):
    deploy(factory, BUNDLES / "web_flaky", now)
    with transaction(factory) as s:
        instance_id = instances.start_instance(s, "web_flaky", actor=partnership["coordinator"], now=now).id
    cora = as_user("cora")
    page = text(cora.get(f"/cases/{instance_id}"))
    assert "This case stopped with an error" in page and "Retry the case" in page
    traveller.move_to("2027-01-04T09:00:00+00:00")
    cora = as_user("cora")  # the session expired in the month that passed
    response = cora.post(f"/cases/{instance_id}/retry")
    assert "The case has been retried" in text(cora.get(response.location))
    assert ready_task(factory, instance_id, "check")


def test_a_released_task_names_whom_it_goes_back_to(as_user, cdop, factory):
    with transaction(factory) as s:
        s.execute(update(User).where(User.username == "sam").values(full_name="Sam Shah"))
    as_user("cora").post(f"/tasks/{cdop.reports['csc']}/assign", data={"username": "sam"})
    sam = as_user("sam")
    sam.post(f"/tasks/{cdop.reports['csc']}/claim")
    response = sam.post(f"/tasks/{cdop.reports['csc']}/unclaim")
    assert "is assigned to Sam Shah again" in text(sam.get(response.location))
