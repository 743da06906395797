"""Human tasks: form validation, who may see and do a task, claiming, assigning and drafts."""
from __future__ import annotations

import pytest

from engine.errors import Conflict, Forbidden, InvalidData, NotFound, TooLarge
from engine.reads import queries
from engine.store.db import transaction
from engine.work import tasks

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

SUBMIT = {"summary": "Missed referral", "agency": "police"}


@pytest.fixture
def review(deploy, cases, restore_every_step):
    """A started simple_review instance: its id and its ready ``submit`` task id."""
    deploy("simple_review")
    instance_id = cases.start("simple_review", data={"case_ref": "X1"})
    return instance_id, cases.task(instance_id, "submit").id


def _detail(factory, task_id, actor):
    with transaction(factory) as s:
        return tasks.task_detail(s, task_id, actor=actor, now=NOW)


def _invalid_fields(cases, task_id, data, who="coordinator") -> list[dict]:
    with pytest.raises(InvalidData) as raised:
        cases.complete(task_id, data, who=who)
    return raised.value.details


# --- forms ----------------------------------------------------------------------------------------------

def test_task_detail_renders_form_and_instructions(review, cases, factory):
    _, task_id = review
    detail = _detail(factory, task_id, cases.actor("police"))
    assert detail.form_schema["properties"]["agency"]["enum"] == ["csc", "health", "police"]  # {{ agency_keys }}
    assert detail.instructions == "Summarise the case **X1**."
    assert detail.task.due_at is not None and detail.draft is None


def test_complete_with_data_failing_schema_lists_fields_and_changes_nothing(review, cases):
    instance_id, task_id = review
    before = cases.instance(instance_id).revision
    problems = _invalid_fields(cases, task_id, {"summary": "ab", "agency": "mi5", "score": 9}, who="police")
    assert [p["field"] for p in problems] == ["agency", "score", "summary"]
    assert all(p["message"] for p in problems)
    assert cases.instance(instance_id).revision == before
    assert [t.id for t in cases.tasks(instance_id)] == [task_id]
    assert "task.completed" not in cases.actions(instance_id)


def test_complete_missing_required_fields_names_each(review, cases):
    _, task_id = review
    problems = _invalid_fields(cases, task_id, {}, who="police")
    assert problems == [{"field": "agency", "message": "is required", "keyword": "required", "expected": None},
                        {"field": "summary", "message": "is required", "keyword": "required", "expected": None}]


def test_complete_nested_form_errors_have_nested_paths(deploy, cases, restore_every_step):
    deploy("nested_form")
    instance_id = cases.start("nested_form")
    task_id = cases.task(instance_id, "report").id
    problems = _invalid_fields(cases, task_id, {"a": {"b": [{"c": 0}, {}, {"c": "two"}]},
                                                "note": "x" * 21})
    assert [p["field"] for p in problems] == ["a.b[0].c", "a.b[1].c", "a.b[2].c", "note"]
    assert _invalid_fields(cases, task_id, {"a": {}}) == [{"field": "a.b", "message": "is required",
                                                           "keyword": "required", "expected": None}]
    assert [p["field"] for p in _invalid_fields(cases, task_id, {"a": {"b": []}})] == ["a.b"]
    cases.complete(task_id, {"a": {"b": [{"c": 1}, {"c": 2}]}})
    assert cases.instance(instance_id).data["a"] == {"b": [{"c": 1}, {"c": 2}]}


def test_complete_drops_fields_not_in_schema(review, cases):
    instance_id, task_id = review
    cases.complete(task_id, {**SUBMIT, "case_ref": "OVERWRITTEN", "is_admin": True}, who="police")
    data = cases.instance(instance_id).data
    assert data["case_ref"] == "X1"
    assert "is_admin" not in data
    (event,) = [e for e in cases.trail(instance_id) if e["action"] == "task.completed"]
    assert event["details"]["fields"] == ["agency", "summary"]


def test_complete_too_large_data_is_refused(review, cases):
    _, task_id = review
    with pytest.raises(TooLarge):
        cases.complete(task_id, {**SUBMIT, "summary": "x" * (tasks.MAX_DATA_BYTES + 1)}, who="police")


# --- who may see and do ---------------------------------------------------------------------------------

def test_task_bound_to_agency_is_offered_to_that_agency_only(deploy, cases, factory, restore_every_step):
    deploy("agency_task")
    instance_id = cases.start("agency_task", data={"lead_agency": "police"})
    task = cases.task(instance_id, "agency_report")
    assert (task.agency, task.role) == ("police", "reviewer")
    assert _detail(factory, task.id, cases.actor("police")).task.agency == "police"
    assert _detail(factory, task.id, cases.actor("coordinator")).task.id == task.id


def test_reviewer_from_another_agency_gets_not_found(deploy, cases, factory, restore_every_step):
    deploy("agency_task")
    instance_id = cases.start("agency_task", data={"lead_agency": "police"})
    task_id = cases.task(instance_id, "agency_report").id
    csc = cases.actor("csc")
    with pytest.raises(NotFound):
        _detail(factory, task_id, csc)
    with pytest.raises(NotFound):
        cases.complete(task_id, {}, who="csc")
    with transaction(factory) as s, pytest.raises(NotFound):
        tasks.claim_task(s, task_id, actor=csc, now=NOW)
    with transaction(factory) as s, pytest.raises(NotFound):
        tasks.save_draft(s, task_id, {"x": 1}, actor=csc, now=NOW)
    cases.complete(task_id, {}, who="police")
    assert cases.instance(instance_id).status == "completed"


def test_coordinator_cannot_do_a_reviewer_task_unless_assigned(review, cases):
    _, task_id = review
    with pytest.raises(Forbidden):
        cases.complete(task_id, SUBMIT, who="coordinator")


def test_task_bound_to_named_user_only_that_user_may_do(deploy, cases, factory, restore_every_step):
    deploy("named_assignee")
    instance_id = cases.start("named_assignee", data={"author": "sam"})
    task_id = cases.task(instance_id, "write_report").id
    assert cases.task(instance_id, "write_report").assignee == "sam"
    with pytest.raises(NotFound):
        cases.complete(task_id, {}, who="police")
    cases.complete(task_id, {}, who="csc")
    assert cases.instance(instance_id).status == "completed"


# --- claim, unclaim, assign ----------------------------------------------------------------------------

def _claim(factory, task_id, actor):
    with transaction(factory) as s:
        return tasks.claim_task(s, task_id, actor=actor, now=NOW)


def _unclaim(factory, task_id, actor):
    with transaction(factory) as s:
        return tasks.unclaim_task(s, task_id, actor=actor, now=NOW)


def _assign(factory, task_id, username, actor):
    with transaction(factory) as s:
        return tasks.assign_task(s, task_id, username, actor=actor, now=NOW)


def test_claim_makes_task_yours_and_hides_it_from_other_reviewers(review, cases, factory):
    instance_id, task_id = review
    assert _claim(factory, task_id, cases.actor("police")).assignee == "pat"
    assert _claim(factory, task_id, cases.actor("police")).assignee == "pat"  # claiming again changes nothing
    with pytest.raises(NotFound):
        _claim(factory, task_id, cases.actor("csc"))
    with pytest.raises(NotFound):
        cases.complete(task_id, SUBMIT, who="csc")
    with transaction(factory) as s:
        assert queries.tasks_for(s, cases.actor("csc"), NOW).total == 0
        assert [t.assignee for t in queries.tasks_for(s, cases.actor("police"), NOW).items] == ["pat"]
    assert cases.actions(instance_id).count("task.claimed") == 1


def test_claim_by_coordinator_of_reviewer_task_is_forbidden(review, cases, factory):
    _, task_id = review
    with pytest.raises(Forbidden):
        _claim(factory, task_id, cases.actor("coordinator"))


def test_unclaim_by_assignee_offers_task_again(review, cases, factory):
    _, task_id = review
    _claim(factory, task_id, cases.actor("police"))
    assert _unclaim(factory, task_id, cases.actor("police")).assignee is None
    cases.complete(task_id, SUBMIT, who="csc")


def test_unclaim_by_someone_else_is_forbidden_but_coordinator_may(review, cases, factory):
    _, task_id = review
    _claim(factory, task_id, cases.actor("police"))
    with pytest.raises(NotFound):
        _unclaim(factory, task_id, cases.actor("csc"))
    assert _unclaim(factory, task_id, cases.actor("coordinator")).assignee is None


def test_assign_by_coordinator_binds_task_to_that_user(review, cases, factory):
    instance_id, task_id = review
    _claim(factory, task_id, cases.actor("police"))
    info = _assign(factory, task_id, "sam", cases.actor("coordinator"))
    assert info.assignee == "sam"
    with pytest.raises(NotFound):
        cases.complete(task_id, SUBMIT, who="police")
    cases.complete(task_id, SUBMIT, who="csc")
    (event,) = [e for e in cases.trail(instance_id) if e["action"] == "task.assigned"]
    assert event["details"] == {"assignee": "sam", "previous": "pat"}


def test_assign_lets_coordinator_hand_a_task_to_anyone(review, cases, factory):
    instance_id, task_id = review
    assert _assign(factory, task_id, "cora", cases.actor("coordinator")).assignee == "cora"
    cases.complete(task_id, SUBMIT, who="coordinator")
    (done,) = cases.tasks(instance_id, state="completed")
    assert (done.id, done.completed_by) == (task_id, "cora")
    assert cases.instance(instance_id).data["agency"] == "police"  # her answers are the case's
    assert cases.ready_names(instance_id) == ["approve"]  # the case moved on past the handed-over task


def test_assign_by_reviewer_is_forbidden(review, cases, factory):
    _, task_id = review
    with pytest.raises(Forbidden):
        _assign(factory, task_id, "pat", cases.actor("police"))


def test_assign_to_unknown_user_is_invalid(review, cases, factory):
    _, task_id = review
    with pytest.raises(InvalidData):
        _assign(factory, task_id, "nobody", cases.actor("coordinator"))


def test_claim_or_assign_completed_task_is_conflict(review, cases, factory):
    _, task_id = review
    cases.complete(task_id, SUBMIT, who="police")
    with pytest.raises(Conflict):
        _claim(factory, task_id, cases.actor("police"))
    with pytest.raises(Conflict):
        _assign(factory, task_id, "sam", cases.actor("coordinator"))
    with pytest.raises(Conflict):
        _unclaim(factory, task_id, cases.actor("coordinator"))


# --- drafts and comments --------------------------------------------------------------------------------

def test_draft_is_kept_unvalidated_and_cleared_on_complete(review, cases, factory):
    instance_id, task_id = review
    with transaction(factory) as s:
        tasks.save_draft(s, task_id, {"summary": "ha"}, actor=cases.actor("police"), now=NOW)
    assert _detail(factory, task_id, cases.actor("police")).draft == {"summary": "ha"}
    assert cases.instance(instance_id).data.get("summary") is None  # a draft never reaches the case
    cases.complete(task_id, SUBMIT, who="police")
    (done,) = cases.tasks(instance_id, state="completed")
    assert done.draft is None


def test_draft_by_someone_who_may_not_do_the_task_is_forbidden(review, cases, factory):
    _, task_id = review
    with transaction(factory) as s, pytest.raises(Forbidden):
        tasks.save_draft(s, task_id, {"summary": "x"}, actor=cases.actor("chair"), now=NOW)


def test_draft_of_completed_task_is_conflict(review, cases, factory):
    _, task_id = review
    cases.complete(task_id, SUBMIT, who="police")
    with transaction(factory) as s, pytest.raises(Conflict):
        tasks.save_draft(s, task_id, {"summary": "late"}, actor=cases.actor("police"), now=NOW)


def test_comment_is_stored_and_empty_comment_refused(review, cases, factory):
    _, task_id = review
    with transaction(factory) as s:
        tasks.add_comment(s, task_id, "  Chased by phone  ", actor=cases.actor("coordinator"), now=NOW)
        with pytest.raises(InvalidData):
            tasks.add_comment(s, task_id, "  ", actor=cases.actor("coordinator"), now=NOW)
    with transaction(factory) as s:
        (comment,) = tasks.comments(s, task_id, actor=cases.actor("police"))
        assert (comment.author, comment.body) == ("cora", "Chased by phone")
