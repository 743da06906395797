"""Starting, completing in sequence, cancelling and the errors around them."""
from __future__ import annotations

import pytest

from engine.cases import instances
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.reads import queries
from engine.records import Actor
from engine.store import audit
from engine.store.db import transaction

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

SUBMIT = {"summary": "Missed referral", "agency": "police"}


@pytest.fixture
def review(deploy, restore_every_step):
    deploy("simple_review")


def test_start_creates_active_instance_with_first_task(review, cases):
    instance_id = cases.start("simple_review", data={"case_ref": "X1"})
    row = cases.instance(instance_id)
    assert (row.status, row.version, row.business_key) == ("active", 1, "SIMPLE-REVIEW-2026-0001")
    (task,) = cases.tasks(instance_id)
    assert (task.name, task.role, task.agency, task.assignee) == ("submit", "reviewer", None, None)
    assert task.data["case_ref"] == "X1"


def test_start_numbers_business_keys_per_process_and_year(review, cases):
    first = cases.start("simple_review")
    second = cases.start("simple_review")
    given = cases.start("simple_review", business_key="  CSPR-7 ")
    assert [cases.instance(i).business_key for i in (first, second, given)] == [
        "SIMPLE-REVIEW-2026-0001", "SIMPLE-REVIEW-2026-0002", "CSPR-7"]


def test_start_by_role_not_in_start_roles_is_forbidden(review, cases):
    with pytest.raises(Forbidden):
        cases.start("simple_review", who="police")


def test_start_unknown_process_is_not_found(review, cases):
    with pytest.raises(NotFound):
        cases.start("no_such_process")


def test_start_with_non_object_data_is_invalid(review, cases):
    with pytest.raises(InvalidData):
        cases.start("simple_review", data=["not", "an", "object"])


def test_complete_in_sequence_reaches_completion(review, cases):
    instance_id = cases.start("simple_review", data={"case_ref": "X1"})
    cases.complete(cases.task(instance_id, "submit").id, SUBMIT, who="police")
    approve = cases.task(instance_id, "approve")
    assert approve.role == "chair"
    assert approve.data["case_title"] == "Review of Missed referral"  # set by the script task between them
    cases.complete(approve.id, {"approved": True}, who="chair")
    row = cases.instance(instance_id)
    assert row.status == "completed"
    assert row.data["approved"] is True and row.data["pseudonym"] == "Child A"
    assert sorted(t.name for t in cases.tasks(instance_id, state="completed")) == ["approve", "submit"]
    assert cases.tasks(instance_id) == []


def test_complete_records_who_completed(review, cases):
    instance_id = cases.start("simple_review")
    task_id = cases.task(instance_id, "submit").id
    cases.complete(task_id, SUBMIT, who="police")
    (done,) = cases.tasks(instance_id, state="completed")
    assert (done.id, done.completed_by) == (task_id, "pat")


def test_complete_twice_is_conflict(review, cases):
    instance_id = cases.start("simple_review")
    task_id = cases.task(instance_id, "submit").id
    cases.complete(task_id, SUBMIT, who="police")
    with pytest.raises(Conflict):
        cases.complete(task_id, SUBMIT, who="police")
    assert cases.ready_names(instance_id) == ["approve"]


def test_complete_unknown_task_is_not_found(review, cases):
    cases.start("simple_review")
    with pytest.raises(NotFound):
        cases.complete("00000000-0000-0000-0000-000000000000", SUBMIT, who="police")


def test_complete_with_non_object_data_is_invalid(review, cases):
    instance_id = cases.start("simple_review")
    with pytest.raises(InvalidData):
        cases.complete(cases.task(instance_id, "submit").id, ["summary"], who="police")


def test_cancel_withdraws_tasks_and_records_reason(review, cases, factory):
    instance_id = cases.start("simple_review")
    task_id = cases.task(instance_id, "submit").id
    with transaction(factory) as s:
        instances.cancel_instance(s, instance_id, "  Duplicate referral ", actor=cases.actor("coordinator"), now=NOW)
    assert cases.instance(instance_id).status == "cancelled"
    assert [(t.id, t.state) for t in cases.tasks(instance_id, state=None)] == [(task_id, "cancelled")]
    (event,) = [e for e in cases.trail(instance_id) if e["action"] == "instance.cancelled"]
    with transaction(factory) as s:  # the words are a note of the case; the audit holds the note's id
        assert (event["actor"], audit.notes(s, [event["details"]["note_id"]])) == (
            "cora", {event["details"]["note_id"]: "Duplicate referral"})
    with pytest.raises(Conflict):
        cases.complete(task_id, SUBMIT, who="police")


def test_cancel_already_cancelled_is_conflict(review, cases, factory):
    instance_id = cases.start("simple_review")
    with transaction(factory) as s:
        instances.cancel_instance(s, instance_id, "Duplicate", actor=cases.actor("coordinator"), now=NOW)
    with transaction(factory) as s, pytest.raises(Conflict):
        instances.cancel_instance(s, instance_id, "Again", actor=cases.actor("coordinator"), now=NOW)


def test_cancel_completed_instance_is_conflict(review, cases, factory):
    instance_id = cases.start("simple_review")
    cases.complete(cases.task(instance_id, "submit").id, SUBMIT, who="police")
    cases.complete(cases.task(instance_id, "approve").id, {"approved": False}, who="chair")
    with transaction(factory) as s, pytest.raises(Conflict):
        instances.cancel_instance(s, instance_id, "Too late", actor=cases.actor("coordinator"), now=NOW)


def test_cancel_without_reason_is_invalid(review, cases, factory):
    instance_id = cases.start("simple_review")
    with transaction(factory) as s, pytest.raises(InvalidData):
        instances.cancel_instance(s, instance_id, "   ", actor=cases.actor("coordinator"), now=NOW)
    assert cases.instance(instance_id).status == "active"


def test_cancel_by_reviewer_is_forbidden(review, cases, factory):
    instance_id = cases.start("simple_review")
    with transaction(factory) as s, pytest.raises(Forbidden):
        instances.cancel_instance(s, instance_id, "No", actor=cases.actor("police"), now=NOW)


def test_cancel_unknown_instance_is_not_found(review, cases, factory):
    with transaction(factory) as s, pytest.raises(NotFound):
        instances.cancel_instance(s, "no-such-instance", "Gone", actor=cases.actor("coordinator"), now=NOW)


def test_retry_instance_not_in_error_is_conflict(review, cases, factory):
    instance_id = cases.start("simple_review")
    with transaction(factory) as s, pytest.raises(Conflict):
        instances.retry_instance(s, instance_id, actor=cases.actor("coordinator"), now=NOW)


def test_instance_info_hides_case_data_from_participants(review, cases, factory):
    """A participant sees the case header and what the tasks they took part in showed them and took from them
    (submit shows ``case_ref``), never another task's answers (the chair's approval)."""
    instance_id = cases.start("simple_review", data={"case_ref": "X1"})
    cases.complete(cases.task(instance_id, "submit").id, SUBMIT, who="police")
    cases.complete(cases.task(instance_id, "approve").id, {"approved": True}, who="chair")
    with transaction(factory) as s:
        police = queries.instance_info(s, queries.visible_instance_row(s, cases.actor("police"), instance_id),
                                       cases.actor("police"), NOW)
        chair = queries.instance_info(s, queries.visible_instance_row(s, cases.actor("chair"), instance_id),
                                      cases.actor("chair"), NOW)
    assert police.data == {"case_title": "Review of Missed referral", "pseudonym": "Child A", "case_ref": "X1",
                           "summary": "Missed referral", "agency": "police"}
    assert chair.data["summary"] == "Missed referral" and chair.data["approved"] is True


def test_instance_not_taking_part_is_not_found(review, cases, factory):
    instance_id = cases.start("simple_review")
    cases.complete(cases.task(instance_id, "submit").id, SUBMIT, who="police")
    with transaction(factory) as s:
        assert queries.visible_instance_row(s, cases.actor("police"), instance_id).id == instance_id
        with pytest.raises(NotFound):
            queries.visible_instance_row(s, Actor("olly", frozenset({"partner"}), "probation"), instance_id)
        with pytest.raises(Forbidden):  # a designer sees no case at all
            queries.visible_instance_row(s, cases.actor("designer"), instance_id)


def test_task_list_shows_coordinator_everything_and_reviewer_own(review, cases, factory):
    instance_id = cases.start("simple_review")
    with transaction(factory) as s:
        mine = queries.tasks_for(s, cases.actor("police"), NOW)
        chairs = queries.tasks_for(s, cases.actor("chair"), NOW)
        everyone = queries.tasks_for(s, cases.actor("coordinator"), NOW)
    assert [t.name for t in mine.items] == ["submit"] and mine.total == 1
    assert chairs.total == 0
    assert [(t.name, t.instance_id) for t in everyone.items] == [("submit", instance_id)]
