"""The audit trail: a row for each action (who, what, when, which instance and task), and rows that can be
neither changed nor deleted, by the ORM or by raw SQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from engine.cases import instances, messages
from engine.errors import Unauthorized
from engine.people import sign_in
from engine.store.db import transaction
from engine.store.models import AuditEvent
from engine.work import tasks

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

SUBMIT = {"summary": "Missed referral", "agency": "police"}


def _events(factory, **where) -> list[AuditEvent]:
    with transaction(factory) as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for column, value in where.items():
            query = query.where(getattr(AuditEvent, column) == value)
        return list(s.scalars(query))


def test_audit_records_each_task_action_with_actor_instance_and_task(deploy, cases, factory, restore_every_step):
    deploy("simple_review")
    later = NOW + timedelta(hours=1)
    instance_id = cases.start("simple_review")
    task_id = cases.task(instance_id, "submit").id
    police, coordinator = cases.actor("police"), cases.actor("coordinator")
    with transaction(factory) as s:
        tasks.task_detail(s, task_id, actor=police, now=later)
        tasks.claim_task(s, task_id, actor=police, now=later)
        tasks.save_draft(s, task_id, {"summary": "dra"}, actor=police, now=later)
        tasks.unclaim_task(s, task_id, actor=police, now=later)
        tasks.assign_task(s, task_id, "pat", actor=coordinator, now=later)
        tasks.add_comment(s, task_id, "Please hurry", actor=coordinator, now=later)
    cases.complete(task_id, SUBMIT, who="police", now=later)
    trail = cases.trail(instance_id)
    by_action = {e["action"]: e for e in trail}
    expected = [("task.viewed", "pat"), ("task.claimed", "pat"), ("task.draft_saved", "pat"),
                ("task.unclaimed", "pat"), ("task.assigned", "cora"), ("comment.added", "cora"),
                ("task.completed", "pat")]
    for action, actor in expected:
        assert by_action[action]["actor"] == actor, action
        assert by_action[action]["task_id"] == task_id, action
        assert by_action[action]["at"] == later, action
    assert [e["action"] for e in trail][:2] == ["instance.started", "task.ready"]
    assert by_action["instance.started"]["actor"] == "cora"
    assert by_action["instance.started"]["details"]["version"] == 1
    approve_id = cases.task(instance_id, "approve").id
    assert [e["task_id"] for e in trail if e["action"] == "task.ready"] == [task_id, approve_id]


def test_audit_records_completion_cancel_and_withdrawal(deploy, cases, factory, restore_every_step):
    deploy("simple_review")
    done = cases.start("simple_review")
    cases.complete(cases.task(done, "submit").id, SUBMIT, who="police")
    cases.complete(cases.task(done, "approve").id, {"approved": True}, who="chair")
    assert cases.actions(done)[-1] == "instance.completed"
    dropped = cases.start("simple_review")
    with transaction(factory) as s:
        instances.cancel_instance(s, dropped, "Duplicate", actor=cases.actor("coordinator"), now=NOW)
    assert cases.actions(dropped)[-1] == "instance.cancelled"


def test_audit_records_deploys_messages_errors_and_sign_ins(deploy, cases, factory, bundle_copy,
                                                            restore_every_step):
    deploy("simple_review")
    (deployed,) = _events(factory, action="definition.deployed")
    assert (deployed.actor, deployed.details["key"], deployed.details["version"]) == ("dee", "simple_review", 1)
    deploy("message_start")
    with transaction(factory) as s:
        messages.send_message(s, "referral_received", {}, {"child": "A"}, actor="api-client", now=NOW)
    (received,) = _events(factory, action="message.received")
    assert received.actor == "api-client" and len(received.details["delivered_to"]) == 1
    deploy(bundle_copy("script_task", replace={"positive = [": "positive = missing + ["}))
    broken = cases.start("script_task", data={"values": [1], "agencies": []})
    (error,) = _events(factory, action="instance.error")
    assert error.instance_id == broken and error.details["task_name"] == "calculate"
    with pytest.raises(Unauthorized):
        sign_in.authenticate(factory, "pat", "wrong password", address="10.0.0.1", now=NOW)
    (failed,) = _events(factory, action="auth.failed")
    assert failed.actor == "pat"


def test_audit_rows_cannot_be_updated_through_the_orm(deploy, factory):
    deploy("simple_review")
    with pytest.raises(ValueError, match="append-only"), transaction(factory) as s:
        row = s.scalar(select(AuditEvent).limit(1))
        row.actor = "someone else"
        s.flush()
    assert {e.actor for e in _events(factory)} <= {None, "dee"}


def test_audit_rows_cannot_be_deleted_through_the_orm(deploy, factory):
    deploy("simple_review")
    count = len(_events(factory))
    with pytest.raises(ValueError, match="append-only"), transaction(factory) as s:
        s.delete(s.scalar(select(AuditEvent).limit(1)))
        s.flush()
    assert len(_events(factory)) == count


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET actor = 'mallory'",
    "DELETE FROM audit_event",
])
def test_audit_rows_cannot_be_changed_by_raw_sql(deploy, factory, statement):
    deploy("simple_review")
    count = len(_events(factory))
    with transaction(factory) as s, pytest.raises(DatabaseError, match="append-only"):
        s.execute(text(statement))
    events = _events(factory)
    assert len(events) == count and "mallory" not in {e.actor for e in events}


def test_audit_rows_cannot_be_changed_by_bulk_orm_statements(deploy, factory):
    deploy("simple_review")
    with transaction(factory) as s, pytest.raises(DatabaseError, match="append-only"):
        s.execute(update(AuditEvent).values(actor="mallory"))
    with transaction(factory) as s, pytest.raises(DatabaseError, match="append-only"):
        s.execute(delete(AuditEvent))
    assert "mallory" not in {e.actor for e in _events(factory)}
