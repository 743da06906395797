"""Human tasks, continued from test_api_tasks: save a draft, complete (what is kept, what is refused and what
changes nothing) and comment, with who may do each."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import NOW

from .api_kit import API, COMMENT_FIELDS, check_error, check_task, detail_fields, iso
from .tasks_kit import VALID_SUMMARY, deployed, pete, pete_headers, returns, review  # noqa: F401  (fixtures)

# --- draft ------------------------------------------------------------------------------------------------


def test_draft_is_saved_without_validation(review, api):
    r = api.post(f"/tasks/{review['submit']}/draft", "pat", {"data": {"summary": "x"}})
    assert r.status_code == 200, r.json
    task = check_task(r.json)
    assert task["state"] == "ready"
    assert api.task(review["submit"], "pat")["draft"] == {"summary": "x"}
    api.post(f"/tasks/{review['submit']}/draft", "pat", {"data": {"summary": "xy", "score": 2}})
    assert api.task(review["submit"], "pat")["draft"] == {"summary": "xy", "score": 2}
    assert "summary" not in api.instance(review["instance"]["id"])["data"]


def test_completing_clears_the_draft(review, api):
    api.post(f"/tasks/{review['submit']}/draft", "pat", {"data": {"summary": "x"}})
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    assert api.task(review["submit"], "pat")["draft"] is None


@pytest.mark.parametrize("body,fields", [({}, ["data"]), ({"data": ["x"]}, ["data"]), ({"data": None}, ["data"]),
                                         ({"data": {}, "extra": 1}, ["extra"])])
def test_draft_request_failing_schema_is_422(review, api, body, fields):
    before = api.snapshot()
    error = check_error(api.post(f"/tasks/{review['submit']}/draft", "pat", body), 422, "invalid")
    assert detail_fields(error) == fields
    assert api.snapshot() == before


def test_draft_too_large_is_413_and_keeps_the_old_draft(review, api):
    api.post(f"/tasks/{review['submit']}/draft", "pat", {"data": {"summary": "kept"}})
    before = api.snapshot()
    r = api.post(f"/tasks/{review['submit']}/draft", "pat", {"data": {"summary": "x" * 600_000}})
    check_error(r, 413, "too_large")
    assert api.snapshot() == before
    assert api.task(review["submit"], "pat")["draft"] == {"summary": "kept"}


def test_draft_on_completed_task_is_409_and_on_another_agencys_task_404(review, returns, api):
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    check_error(api.post(f"/tasks/{review['submit']}/draft", "pat", {"data": {}}), 409, "conflict")
    check_error(api.post(f"/tasks/{returns['police']}/draft", "sam", {"data": {}}), 404, "not_found")


# --- complete ---------------------------------------------------------------------------------------------


def test_complete_answers_task_and_instance(review, api):
    answer = api.complete(review["submit"], {**VALID_SUMMARY, "score": 2}, "pat")
    task, instance = answer["task"], answer["instance"]
    assert task["id"] == review["submit"]
    assert task["state"] == "completed" and task["completed_by"] == "pat"
    assert abs((iso(task["completed_at"]) - NOW).total_seconds()) < 60
    assert task["overdue"] is False
    assert instance["id"] == review["instance"]["id"] and instance["status"] == "active"
    assert instance["title"] == "Review of A summary of the cas"  # set by the diagram's script
    full = api.instance(instance["id"])
    assert full["data"]["summary"] == "A summary of the case" and full["data"]["score"] == 2
    assert [t["name"] for t in api.ready(full)] == ["approve"]


def test_completing_without_claiming_first_is_allowed(review, api):
    task = api.complete(review["submit"], VALID_SUMMARY, "hana")["task"]
    assert task["completed_by"] == "hana"
    # the engine records the completer in completed_by and leaves assignee as it was (see the concurrency tests:
    # setting it would hide the task from the losing racer, who must get 409, not 404)
    assert task["assignee"] in (None, "hana")


def test_complete_runs_the_case_to_its_end(review, api):
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    [approve] = api.ready(api.instance(review["instance"]["id"]), "approve")
    assert approve["role"] == "chair"
    check_error(api.post(f"/tasks/{approve['id']}/complete", "pat", {"data": {"approved": True}}), 404)
    done = api.complete(approve["id"], {"approved": True}, "chad")["instance"]
    assert done["status"] == "completed"
    assert api.instances(status="completed")["total"] == 1


def test_complete_keeps_only_the_fields_the_form_declares(review, api):
    api.complete(review["submit"], {**VALID_SUMMARY, "process_initiator": "mallory", "approved": True}, "pat")
    data = api.instance(review["instance"]["id"])["data"]
    assert data["process_initiator"] == "cora"
    assert "approved" not in data


def test_complete_with_data_failing_the_form_is_422_with_field_paths(deployed, api):
    instance = api.start("nested_form")
    [task] = instance["tasks"]
    before = api.snapshot()
    r = api.post(f"/tasks/{task['id']}/complete", "cora", {"data": {"a": {"b": [{"c": 0}, {}]}, "note": "n" * 30}})
    error = check_error(r, 422, "invalid")
    assert detail_fields(error) == ["a.b[0].c", "a.b[1].c", "note"]
    assert all(d["message"] for d in error["details"])
    assert api.snapshot() == before
    r = api.post(f"/tasks/{task['id']}/complete", "cora", {"data": {}})
    assert detail_fields(check_error(r, 422, "invalid")) == ["a"]
    r = api.post(f"/tasks/{task['id']}/complete", "cora", {"data": {"a": {"b": []}}})
    assert detail_fields(check_error(r, 422, "invalid")) == ["a.b"]
    assert api.snapshot() == before
    assert api.task(task["id"])["state"] == "ready"


def test_complete_with_required_fields_missing_lists_each(review, api):
    error = check_error(api.post(f"/tasks/{review['submit']}/complete", "pat", {"data": {"summary": "x"}}), 422)
    assert detail_fields(error) == ["agency", "summary"]
    error = check_error(api.post(f"/tasks/{review['submit']}/complete", "pat",
                                 {"data": {"summary": "ok summary", "agency": "mi6"}}), 422)
    assert detail_fields(error) == ["agency"]


def test_complete_twice_is_409_and_changes_nothing(review, api):
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    before = api.snapshot()
    error = check_error(api.post(f"/tasks/{review['submit']}/complete", "pat", {"data": VALID_SUMMARY}), 409)
    assert error["code"] == "conflict"
    assert api.snapshot() == before


def test_complete_a_cancelled_cases_task_is_409_and_changes_nothing(review, api):
    r = api.post(f"/process-instances/{review['instance']['id']}/cancel", "cora", {"reason": "withdrawn"})
    assert r.status_code == 200
    before = api.snapshot()
    check_error(api.post(f"/tasks/{review['submit']}/complete", "pat", {"data": VALID_SUMMARY}), 409, "conflict")
    assert api.snapshot() == before
    assert api.instance(review["instance"]["id"])["status"] == "cancelled"


def test_complete_a_task_claimed_by_a_colleague_is_403(returns, api, client, pete_headers):
    api.post(f"/tasks/{returns['police']}/claim", "pat")
    before = api.snapshot()
    r = client.post(f"{API}/tasks/{returns['police']}/complete", json={"data": {"summary": "mine"}},
                    headers=pete_headers)
    check_error(r, 403, "forbidden")
    assert api.snapshot() == before


def test_complete_a_task_of_another_agency_is_404_and_changes_nothing(returns, api):
    before = api.snapshot()
    check_error(api.post(f"/tasks/{returns['police']}/complete", "sam", {"data": {"summary": "x"}}), 404)
    assert api.snapshot() == before


def test_complete_by_coordinator_of_a_reviewers_task_is_403(review, api):
    check_error(api.post(f"/tasks/{review['submit']}/complete", "cora", {"data": VALID_SUMMARY}), 403, "forbidden")


def test_complete_unknown_task_is_404(deployed, api):
    check_error(api.post("/tasks/no-such-task/complete", "cora", {"data": {}}), 404, "not_found")


@pytest.mark.parametrize("body,fields", [({}, ["data"]), ({"data": "text"}, ["data"]),
                                         ({"data": {}, "task_id": "x"}, ["task_id"])])
def test_complete_request_failing_schema_is_422(review, api, body, fields):
    before = api.snapshot()
    error = check_error(api.post(f"/tasks/{review['submit']}/complete", "pat", body), 422, "invalid")
    assert detail_fields(error) == fields
    assert api.snapshot() == before


def test_complete_body_not_json_is_400(review, api):
    before = api.snapshot()
    r = api.client.post(f"{API}/tasks/{review['submit']}/complete", data="summary=x", headers=api.auth("pat"))
    check_error(r, 400, "bad_request")
    r = api.client.post(f"{API}/tasks/{review['submit']}/complete", data='{"data": ', headers=api.auth("pat"),
                        content_type="application/json")
    check_error(r, 400, "bad_request")
    assert api.snapshot() == before


def test_complete_with_oversized_data_is_413(review, api):
    before = api.snapshot()
    check_error(api.post(f"/tasks/{review['submit']}/complete", "pat",
                         {"data": {**VALID_SUMMARY, "summary": "s" * 600_000}}), 413, "too_large")
    check_error(api.post(f"/tasks/{review['submit']}/complete", "pat",
                         {"data": {**VALID_SUMMARY, "summary": "s" * 9_000_000}}), 413, "too_large")
    assert api.snapshot() == before


# --- comments ---------------------------------------------------------------------------------------------


def test_comments_are_added_and_listed(review, api, traveller):
    r = api.post(f"/tasks/{review['submit']}/comments", "pat", {"body": "  Waiting for the chronology.  "})
    assert r.status_code == 201, r.json
    first = r.json
    assert COMMENT_FIELDS <= set(first)
    assert first["author"] == "pat" and first["body"] == "Waiting for the chronology."
    iso(first["created_at"])
    traveller.shift(timedelta(minutes=5))
    second = api.post(f"/tasks/{review['submit']}/comments", "cora", {"body": "Chased."}).json
    listing = api.get(f"/tasks/{review['submit']}/comments", "hana")
    assert listing.status_code == 200
    assert listing.json == {"items": [first, second], "total": 2}


def test_comments_on_a_task_the_reviewer_cannot_see_are_404(returns, api):
    before = api.snapshot()
    check_error(api.post(f"/tasks/{returns['police']}/comments", "sam", {"body": "hello"}), 404, "not_found")
    assert api.snapshot() == before
    check_error(api.get(f"/tasks/{returns['police']}/comments", "sam"), 404, "not_found")
    check_error(api.get("/tasks/no-such-task/comments", "cora"), 404, "not_found")


@pytest.mark.parametrize("body,fields", [({}, ["body"]), ({"body": ""}, ["body"]), ({"body": "   "}, ["body"]),
                                         ({"body": "x" * 10_001}, ["body"]), ({"body": 3}, ["body"])])
def test_comment_failing_schema_is_422(review, api, body, fields):
    before = api.snapshot()
    error = check_error(api.post(f"/tasks/{review['submit']}/comments", "pat", body), 422, "invalid")
    assert detail_fields(error) == fields
    assert api.snapshot() == before


def test_comments_allowed_on_completed_task(review, api):
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    assert api.post(f"/tasks/{review['submit']}/comments", "pat", {"body": "Done, see the report."}).status_code == 201
    assert api.get(f"/tasks/{review['submit']}/comments", "pat").json["total"] == 1


def test_comments_list_honours_limit_and_offset(review, api, traveller):
    for n in range(3):
        api.post(f"/tasks/{review['submit']}/comments", "pat", {"body": f"note {n}"})
        traveller.shift(timedelta(seconds=2))
    page = api.get(f"/tasks/{review['submit']}/comments", "pat", limit=2, offset=1).json
    assert page["total"] == 3
    assert [c["body"] for c in page["items"]] == ["note 1", "note 2"]
    check_error(api.get(f"/tasks/{review['submit']}/comments", "pat", offset=-1), 400, "bad_request")
