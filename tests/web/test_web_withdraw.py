"""Withdrawing a case: its starter may, while nobody else has touched it; the case is cancelled with the reason
"withdrawn by the person who started it", and the case and its audit trail stay."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import instances
from engine.errors import Conflict, Forbidden
from engine.store import audit
from engine.store.db import transaction
from engine.store.models import CaseNote, HumanTask, ProcessInstance
from engine.work import tasks

from .web_kit import WORKFLOWS, deploy, text

ANSWERS = {"about": "child", "pseudonym": "Child C", "reason": "A referral from school"}


@pytest.fixture
def started(as_user, factory, now):
    """pat (a police reviewer) starts a case review; its first task, the referral, is his."""
    deploy(factory, WORKFLOWS / "scr", now)
    response = as_user("pat").post("/start/scr", data=ANSWERS)
    task_id = response.location.rsplit("/", 1)[1]
    with transaction(factory) as s:
        return s.scalar(select(HumanTask.instance_id).where(HumanTask.id == task_id)), task_id


def _status(factory, instance_id):
    with transaction(factory) as s:
        return s.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance_id))


def test_the_starter_withdraws_an_untouched_case_and_its_history_stays(as_user, factory, started):
    instance_id, task_id = started
    pat = as_user("pat")
    as_user("cora").get(f"/cases/{instance_id}")  # someone else reading it does not touch it
    pat.post(f"/tasks/{task_id}", data={"_action": "save"})  # his own draft does not either
    page = text(pat.get(f"/cases/{instance_id}/withdraw"))
    assert "Withdraw this case" in page and "withdrawn by the person who started it" in page
    response = pat.post(f"/cases/{instance_id}/withdraw")
    assert response.status_code == 302 and "has been withdrawn" in text(pat.get(response.location))
    assert _status(factory, instance_id) == "cancelled"
    with transaction(factory) as s:
        trail = audit.trail(s, instance_id)
        [cancelled] = [e for e in trail if e["action"] == "instance.cancelled"]
        note = s.get(CaseNote, cancelled["details"]["note_id"])
        task_state = s.scalar(select(HumanTask.state).where(HumanTask.id == task_id))
    assert cancelled["actor"] == "pat" and cancelled["details"]["withdrawn"] is True
    assert note.body == "withdrawn by the person who started it" == instances.WITHDRAWN_REASON
    assert trail[0]["action"] == "instance.started" and task_state == "cancelled"  # the history is kept
    again = pat.post(f"/cases/{instance_id}/withdraw")
    assert "already cancelled" in text(pat.get(again.location))


@pytest.mark.parametrize("touch", ["comment", "claim", "assign", "complete"])
def test_a_case_someone_else_touched_cannot_be_withdrawn(as_user, factory, partnership, now, started, touch):
    instance_id, task_id = started
    cora = partnership["coordinator"]
    with transaction(factory) as s:
        if touch == "comment":
            tasks.add_comment(s, task_id, "Please add the school's name", actor=cora, now=now)
        elif touch == "assign":
            tasks.assign_task(s, task_id, "sam", actor=cora, now=now)
        else:  # the task rows alone say so, with no audit event: another reviewer holds or completed the task
            row = s.get(HumanTask, task_id)
            row.assignee, row.claimed_at = "hana", now
            if touch == "complete":
                row.state, row.completed_by, row.completed_at = "completed", "hana", now
    pat = as_user("pat")
    page = text(pat.get(f"/cases/{instance_id}/withdraw"))
    assert "You cannot withdraw this case" in page and 'id="withdraw-case"' not in page
    response = pat.post(f"/cases/{instance_id}/withdraw")
    assert "only a coordinator can cancel it" in text(pat.get(response.location))
    assert _status(factory, instance_id) == "active"


def test_only_the_starter_may_withdraw(as_user, factory, started):
    instance_id, _ = started
    assert as_user("cora").get(f"/cases/{instance_id}/withdraw").status_code == 403  # sees the case, did not start it
    assert as_user("cora").post(f"/cases/{instance_id}/withdraw").status_code == 403
    assert as_user("sam").post(f"/cases/{instance_id}/withdraw").status_code == 404  # takes no part in it
    assert as_user("adam").post(f"/cases/{instance_id}/withdraw").status_code == 403
    assert _status(factory, instance_id) == "active"


def test_may_withdraw_follows_the_rules(factory, partnership, now, started):
    instance_id, task_id = started
    with transaction(factory) as s:
        assert instances.may_withdraw(s, instance_id, partnership["police"])
        assert not instances.may_withdraw(s, instance_id, partnership["coordinator"])
        tasks.add_comment(s, task_id, "A question", actor=partnership["chair"], now=now)
        assert not instances.may_withdraw(s, instance_id, partnership["police"])
        with pytest.raises(Conflict):
            instances.withdraw_instance(s, instance_id, actor=partnership["police"], now=now)
        with pytest.raises(Forbidden):
            instances.withdraw_instance(s, instance_id, actor=partnership["coordinator"], now=now)


def test_the_withdraw_link_names_the_confirmation_page(app):
    with app.test_request_context():
        template = app.jinja_env.get_template("start/withdraw_link.html")
        html = template.module.withdraw_link("abc")
    assert 'href="/cases/abc/withdraw"' in html and "Withdraw this case" in html
