"""A coordinator's hand on the clock through the API: extend a deadline, chase a task, pause and resume a case;
and the caller's in-app notifications."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .api_kit import check_error, check_instance, check_task, detail_fields, iso

NEW_DUE = "2026-12-21T17:00:00+00:00"
NOTIFICATION_FIELDS = {"id", "kind", "task_id", "instance_id", "subject", "body", "created_at", "read_at"}


@pytest.fixture
def review(api):
    api.deploy("simple_review")
    instance = api.start("simple_review")
    return {"instance": instance["id"], "submit": instance["tasks"][0]["id"],
            "due_at": iso(instance["tasks"][0]["due_at"])}


@pytest.fixture
def returns(api):
    api.deploy("multi_instance")
    instance = api.start("multi_instance", {"agencies": ["police", "csc"]})
    return {"instance": instance["id"], **{t["agency"]: t["id"] for t in instance["tasks"]}}


# --- extend -----------------------------------------------------------------------------------------------


def test_extend_moves_the_due_date(review, api):
    r = api.post(f"/tasks/{review['submit']}/extend", "cora", {"due_at": NEW_DUE, "reason": "Awaiting records"})
    assert r.status_code == 200, r.json
    task = check_task(r.json)
    assert iso(task["due_at"]) == datetime(2026, 12, 21, 17, 0, tzinfo=UTC)
    assert api.task(review["submit"], "pat")["due_at"] == task["due_at"]


def test_extend_takes_an_overdue_task_off_the_overdue_list(api):
    api.deploy("deadlines")
    instance = api.start("deadlines", {"notified_on": "2026-10-01"})
    [late] = [t for t in instance["tasks"] if t["overdue"]]
    api.post(f"/tasks/{late['id']}/extend", "cora", {"due_at": NEW_DUE, "reason": "Police investigation"})
    assert api.tasks("cora", overdue="true")["total"] == 0
    assert api.instances(overdue="true")["total"] == 0


@pytest.mark.parametrize("body,fields", [
    ({"reason": "x"}, ["due_at"]),
    ({"due_at": NEW_DUE}, ["reason"]),
    ({"due_at": NEW_DUE, "reason": "   "}, ["reason"]),
    ({"due_at": "2026-12-21T17:00:00", "reason": "naive"}, ["due_at"]),
    ({"due_at": "next week", "reason": "x"}, ["due_at"]),
    ({"due_at": "2026-11-01T17:00:00Z", "reason": "in the past"}, ["due_at"]),
])
def test_extend_with_bad_request_is_422_and_changes_nothing(review, api, body, fields):
    before = api.snapshot()
    error = check_error(api.post(f"/tasks/{review['submit']}/extend", "cora", body), 422, "invalid")
    assert detail_fields(error) == fields
    assert api.snapshot() == before


@pytest.mark.parametrize("who", ["pat", "chad", "dee"])
def test_extend_by_non_coordinator_is_403(review, api, who):
    before = api.snapshot()
    check_error(api.post(f"/tasks/{review['submit']}/extend", who, {"due_at": NEW_DUE, "reason": "x"}), 403)
    assert api.snapshot() == before


def test_extend_completed_task_is_409_and_unknown_task_404(review, api):
    api.complete(review["submit"], {"summary": "A summary", "agency": "police"}, "pat")
    check_error(api.post(f"/tasks/{review['submit']}/extend", "cora", {"due_at": NEW_DUE, "reason": "x"}), 409)
    check_error(api.post("/tasks/no-such-task/extend", "cora", {"due_at": NEW_DUE, "reason": "x"}), 404)


# --- chase and notifications ------------------------------------------------------------------------------


def notifications(api, who, **params):
    r = api.get("/notifications", who, **params)
    assert r.status_code == 200, r.json
    assert set(r.json) == {"items", "total"}
    for item in r.json["items"]:
        assert NOTIFICATION_FIELDS <= set(item), item
        iso(item["created_at"])
    return r.json


def chasers(api, who, **params):
    return [n for n in notifications(api, who, **params)["items"] if n["kind"] == "chaser"]


def test_chase_is_202_and_reaches_the_tasks_agency(returns, api):
    r = api.post(f"/tasks/{returns['police']}/chase", "cora", {"message": "The return is due on Friday."})
    assert r.status_code == 202, r.json
    [chaser] = chasers(api, "pat")
    assert chaser["task_id"] == returns["police"] and chaser["instance_id"] == returns["instance"]
    assert chaser["read_at"] is None
    assert chasers(api, "sam") == [] and chasers(api, "hana") == []


def test_chase_reaches_the_assignee_only(returns, review, api):
    api.post(f"/tasks/{review['submit']}/claim", "hana")
    assert api.post(f"/tasks/{review['submit']}/chase", "cora", {}).status_code == 202
    assert [c["task_id"] for c in chasers(api, "hana")] == [review["submit"]]
    assert chasers(api, "pat") == [] and chasers(api, "sam") == []


@pytest.mark.parametrize("who", ["pat", "chad"])
def test_chase_by_non_coordinator_is_403(returns, api, who):
    before = api.snapshot()
    check_error(api.post(f"/tasks/{returns['police']}/chase", who, {}), 403, "forbidden")
    assert api.snapshot() == before


def test_chase_of_completed_task_is_409_unknown_404_long_message_422(returns, api):
    api.complete(returns["police"], {"summary": "done"}, "pat")
    check_error(api.post(f"/tasks/{returns['police']}/chase", "cora", {}), 409, "conflict")
    check_error(api.post("/tasks/no-such-task/chase", "cora", {}), 404, "not_found")
    error = check_error(api.post(f"/tasks/{returns['csc']}/chase", "cora", {"message": "m" * 2001}), 422)
    assert detail_fields(error) == ["message"]


def test_notifications_mark_read_and_unread_filter(returns, api):
    api.post(f"/tasks/{returns['police']}/chase", "cora", {"message": "first"})
    [chaser] = chasers(api, "pat", unread="true")
    r = api.post(f"/notifications/{chaser['id']}/read", "pat")
    assert r.status_code == 204
    assert chasers(api, "pat", unread="true") == []
    [read] = chasers(api, "pat")
    assert iso(read["read_at"])
    assert api.post(f"/notifications/{chaser['id']}/read", "pat").status_code == 204  # again: no change


def test_notification_of_someone_else_is_404(returns, api):
    api.post(f"/tasks/{returns['police']}/chase", "cora", {})
    [chaser] = chasers(api, "pat")
    before = api.snapshot()
    check_error(api.post(f"/notifications/{chaser['id']}/read", "sam"), 404, "not_found")
    check_error(api.post("/notifications/999999/read", "pat"), 404, "not_found")
    assert api.snapshot() == before


def test_notifications_honour_limit_and_offset(returns, api, traveller):
    for n in range(3):
        api.post(f"/tasks/{returns['police']}/chase", "cora", {"message": f"chaser {n}"})
        traveller.shift(timedelta(seconds=5))
    total = notifications(api, "pat")["total"]
    assert total >= 3
    first = notifications(api, "pat", limit=2)
    rest = notifications(api, "pat", limit=2, offset=2)
    assert len(first["items"]) == 2 and first["total"] == rest["total"] == total
    assert {n["id"] for n in first["items"]}.isdisjoint({n["id"] for n in rest["items"]})
    check_error(api.get("/notifications", "pat", limit="0"), 400, "bad_request")
    check_error(api.get("/notifications", "pat", unread="perhaps"), 400, "bad_request")


# --- pause and resume -------------------------------------------------------------------------------------


def test_pause_and_resume_move_the_due_dates_on_by_the_working_days_paused(review, api, traveller):
    r = api.post(f"/process-instances/{review['instance']}/pause", "cora", {"reason": "Criminal proceedings"})
    assert r.status_code == 200, r.json
    assert check_instance(r.json)["paused"] is True
    traveller.shift(timedelta(days=7))  # Tuesday to Tuesday: five working days
    api.sign_in_again()
    r = api.post(f"/process-instances/{review['instance']}/resume", "cora", {"reason": "Trial over"})
    assert r.status_code == 200, r.json
    resumed = check_instance(r.json)
    assert resumed["paused"] is False
    [task] = resumed["tasks"]
    assert iso(task["due_at"]) - review["due_at"] == timedelta(days=7)
    assert task["overdue"] is False


def test_pause_twice_is_409_and_resume_when_not_paused_is_409(review, api):
    check_error(api.post(f"/process-instances/{review['instance']}/resume", "cora", {"reason": "x"}), 409)
    api.post(f"/process-instances/{review['instance']}/pause", "cora", {"reason": "x"})
    before = api.snapshot()
    check_error(api.post(f"/process-instances/{review['instance']}/pause", "cora", {"reason": "again"}), 409)
    assert api.snapshot() == before


def test_pause_of_a_cancelled_case_is_409(review, api):
    api.post(f"/process-instances/{review['instance']}/cancel", "cora", {"reason": "withdrawn"})
    check_error(api.post(f"/process-instances/{review['instance']}/pause", "cora", {"reason": "x"}), 409)


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_pause_and_resume_by_reviewer_are_403_and_without_reason_422(review, api, action):
    before = api.snapshot()
    check_error(api.post(f"/process-instances/{review['instance']}/{action}", "pat", {"reason": "x"}), 403)
    error = check_error(api.post(f"/process-instances/{review['instance']}/{action}", "cora", {}), 422)
    assert detail_fields(error) == ["reason"]
    check_error(api.post(f"/process-instances/no-such-id/{action}", "cora", {"reason": "x"}), 404)
    assert api.snapshot() == before


def test_resume_keeps_a_case_that_ended_while_paused_as_it_ended(review, api, traveller):
    """A paused case may still end (here cancelled; a script failing on a step done meanwhile puts it in error):
    resuming lifts the pause and leaves its status and its stored state alone."""
    instance = review["instance"]
    api.post(f"/process-instances/{instance}/pause", "cora", {"reason": "Criminal proceedings"})
    r = api.post(f"/process-instances/{instance}/cancel", "cora", {"reason": "withdrawn"})
    assert r.status_code == 200, r.json
    traveller.shift(timedelta(days=7))
    api.sign_in_again()
    r = api.post(f"/process-instances/{instance}/resume", "cora", {"reason": "Trial over"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "cancelled" and r.json["paused"] is False
