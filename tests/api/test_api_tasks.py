"""Human tasks: list (state, overdue, process_key, paging), read with the form, claim, unclaim, assign, draft,
complete and comments, with who may see and do each task."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.people import accounts
from engine.store.db import transaction
from tests.conftest import NOW

from .api_kit import API, COMMENT_FIELDS, check_error, check_task, detail_fields, iso

VALID_SUMMARY = {"summary": "A summary of the case", "agency": "police"}


@pytest.fixture
def deployed(api):
    for name in ("simple_review", "deadlines", "multi_instance", "nested_form"):
        api.deploy(name)
    return api


@pytest.fixture
def pete(factory, partnership):
    """A second police reviewer (with the same password as pat)."""
    with transaction(factory) as s:
        accounts.add_user(s, "pete", roles=["reviewer"], agency_key="police", password="reviewer-pass",
                          actor=None, now=NOW)
    return "pete"


@pytest.fixture
def pete_headers(client, pete):
    r = client.post(f"{API}/auth/token", json={"username": "pete", "password": "reviewer-pass"})
    return {"Authorization": f"Bearer {r.json['token']}"}


@pytest.fixture
def review(deployed, api):
    """A simple review waiting for its summary (offered to every reviewer)."""
    instance = api.start("simple_review", {"case_ref": "C-1"})
    [submit] = instance["tasks"]
    return {"instance": instance, "submit": submit["id"]}


@pytest.fixture
def returns(deployed, api):
    """A case with one return for the police and one for children's social care."""
    instance = api.start("multi_instance", {"agencies": ["police", "csc"]})
    by_agency = {t["agency"]: t["id"] for t in instance["tasks"]}
    return {"instance": instance, **by_agency}


@pytest.fixture
def workload(review, returns, api):
    """Six ready tasks: submit (reviewers), two agency returns, and three deadlines (coordinator), one overdue."""
    deadlines = api.start("deadlines", {"notified_on": "2026-10-01"})
    return {"review": review, "returns": returns, "deadlines": {t["name"]: t["id"] for t in deadlines["tasks"]}}


def names(page):
    return sorted(t["name"] for t in page["items"])


# --- list -------------------------------------------------------------------------------------------------


def test_list_tasks_gives_each_reviewer_only_their_own(workload, api):
    pat = api.tasks("pat")
    assert {t["id"] for t in pat["items"]} == {workload["review"]["submit"], workload["returns"]["police"]}
    assert pat["total"] == 2
    sam = api.tasks("sam")
    assert {t["id"] for t in sam["items"]} == {workload["review"]["submit"], workload["returns"]["csc"]}
    hana = api.tasks("hana")
    assert [t["id"] for t in hana["items"]] == [workload["review"]["submit"]]
    assert api.tasks("dee") == {"items": [], "total": 0}


def test_coordinator_lists_every_ready_task(workload, api):
    page = api.tasks("cora")
    assert page["total"] == 6
    assert names(page) == ["agency_return", "agency_return", "calendar_days", "from_notification", "submit",
                           "working_days"]


def test_list_tasks_puts_overdue_first_then_by_due_date(workload, api):
    items = api.tasks("cora")["items"]
    assert items[0]["name"] == "from_notification" and items[0]["overdue"] is True
    assert all(not t["overdue"] for t in items[1:])
    dues = [iso(t["due_at"]) for t in items if t["due_at"] is not None]
    assert dues == sorted(dues)
    assert [t["due_at"] for t in items[len(dues):]] == [None, None]  # the returns have no due date


def test_list_tasks_filtered_by_overdue(workload, api):
    overdue = api.tasks("cora", overdue="true")
    assert [t["id"] for t in overdue["items"]] == [workload["deadlines"]["from_notification"]]
    assert overdue["total"] == 1
    assert api.tasks("cora", overdue="false")["total"] == 5
    assert api.tasks("pat", overdue="true")["total"] == 0


def test_list_tasks_overdue_follows_the_clock(workload, api, traveller):
    traveller.shift(timedelta(days=8, hours=1))  # submit was due at the end of 8 December
    api.sign_in_again()
    overdue = api.tasks("pat", overdue="true")
    assert [t["name"] for t in overdue["items"]] == ["submit"]
    assert overdue["items"][0]["overdue"] is True


def test_list_tasks_filtered_by_process_key(workload, api):
    assert names(api.tasks("cora", process_key="deadlines")) == ["calendar_days", "from_notification",
                                                                 "working_days"]
    assert names(api.tasks("pat", process_key="multi_instance")) == ["agency_return"]
    assert api.tasks("pat", process_key="deadlines")["total"] == 0
    assert api.tasks("cora", process_key="deadlines", overdue="true")["total"] == 1


def test_list_tasks_filtered_by_state(workload, api):
    api.complete(workload["returns"]["police"], {"summary": "Police return"}, "pat")
    done = api.tasks("pat", state="completed")
    assert [t["id"] for t in done["items"]] == [workload["returns"]["police"]]
    assert done["items"][0]["state"] == "completed" and done["items"][0]["completed_by"] == "pat"
    assert api.tasks("sam", state="completed")["total"] == 0
    assert [t["id"] for t in api.tasks("pat")["items"]] == [workload["review"]["submit"]]
    r = api.post(f"/process-instances/{workload['review']['instance']['id']}/cancel", "cora", {"reason": "x"})
    assert r.status_code == 200
    cancelled = api.tasks("hana", state="cancelled")
    assert [t["id"] for t in cancelled["items"]] == [workload["review"]["submit"]]
    assert api.tasks("hana") == {"items": [], "total": 0}


def test_list_tasks_honours_limit_and_offset(workload, api):
    every = [t["id"] for t in api.tasks("cora", limit=200)["items"]]
    pages = [api.tasks("cora", limit=4, offset=0), api.tasks("cora", limit=4, offset=4)]
    assert [p["total"] for p in pages] == [6, 6]
    assert [len(p["items"]) for p in pages] == [4, 2]
    assert [t["id"] for p in pages for t in p["items"]] == every
    assert api.tasks("cora", offset=6) == {"items": [], "total": 6}


@pytest.mark.parametrize("params", [{"state": "done"}, {"state": "READY"}, {"limit": "0"}, {"limit": "500"},
                                    {"limit": "many"}, {"offset": "-3"}, {"overdue": "soon"}])
def test_list_tasks_with_bad_filter_or_paging_is_400(workload, api, params):
    check_error(api.get("/tasks", "cora", **params), 400, "bad_request")


# --- read -------------------------------------------------------------------------------------------------


def test_get_task_gives_form_instructions_data_and_draft(review, api):
    task = api.task(review["submit"], "pat")
    assert task["id"] == review["submit"] and task["name"] == "submit"
    assert task["form_schema"]["required"] == ["summary", "agency"]
    assert task["form_schema"]["properties"]["agency"]["enum"] == ["csc", "health", "police"]
    assert task["ui_schema"] is None
    assert task["instructions"] == "Summarise the case **C-1**."
    assert task["data"]["case_ref"] == "C-1"
    assert task["draft"] is None


def test_get_unknown_task_is_404(deployed, api):
    check_error(api.get("/tasks/no-such-task", "cora"), 404, "not_found")


def test_reviewer_asking_for_a_task_of_another_agency_gets_404(returns, api):
    check_error(api.get(f"/tasks/{returns['police']}", "sam"), 404, "not_found")
    check_error(api.get(f"/tasks/{returns['police']}", "hana"), 404, "not_found")
    check_error(api.get(f"/tasks/{returns['police']}", "dee"), 404, "not_found")
    assert api.task(returns["police"], "pat")["agency"] == "police"
    assert api.task(returns["police"], "cora")["agency"] == "police"
    assert api.task(returns["police"], "chad")["agency"] == "police"


def test_reviewer_of_the_same_agency_sees_a_colleagues_task(returns, api, client, pete_headers):
    assert api.post(f"/tasks/{returns['police']}/claim", "pat").status_code == 200
    r = client.get(f"{API}/tasks/{returns['police']}", headers=pete_headers)
    assert r.status_code == 200 and r.json["assignee"] == "pat"


# --- claim and unclaim --------------------------------------------------------------------------------------


def test_claim_assigns_the_task_to_the_caller(review, api):
    r = api.post(f"/tasks/{review['submit']}/claim", "pat")
    assert r.status_code == 200, r.json
    task = check_task(r.json)
    assert task["assignee"] == "pat" and task["state"] == "ready"
    again = api.post(f"/tasks/{review['submit']}/claim", "pat")
    assert again.status_code == 200 and again.json["assignee"] == "pat"
    assert api.tasks("hana")["total"] == 0  # no longer offered to other reviewers
    check_error(api.get(f"/tasks/{review['submit']}", "hana"), 404, "not_found")


def test_claim_of_a_task_claimed_by_a_colleague_is_403(returns, api, client, pete_headers):
    assert api.post(f"/tasks/{returns['police']}/claim", "pat").status_code == 200
    before = api.snapshot()
    check_error(client.post(f"{API}/tasks/{returns['police']}/claim", headers=pete_headers), 403, "forbidden")
    assert api.snapshot() == before


def test_claim_by_someone_without_the_lane_role_is_403(review, api):
    before = api.snapshot()
    check_error(api.post(f"/tasks/{review['submit']}/claim", "chad"), 403, "forbidden")
    check_error(api.post(f"/tasks/{review['submit']}/claim", "cora"), 403, "forbidden")
    assert api.snapshot() == before


def test_claim_of_another_agencys_task_is_404(returns, api):
    check_error(api.post(f"/tasks/{returns['police']}/claim", "sam"), 404, "not_found")


def test_claim_of_a_completed_task_is_409(review, api):
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    before = api.snapshot()
    check_error(api.post(f"/tasks/{review['submit']}/claim", "pat"), 409, "conflict")
    assert api.snapshot() == before


def test_unclaim_offers_the_task_again(review, api):
    api.post(f"/tasks/{review['submit']}/claim", "pat")
    r = api.post(f"/tasks/{review['submit']}/unclaim", "pat")
    assert r.status_code == 200
    assert check_task(r.json)["assignee"] is None
    assert [t["id"] for t in api.tasks("hana")["items"]] == [review["submit"]]


def test_unclaim_of_a_colleagues_task_is_403_but_coordinator_may(returns, api, client, pete_headers):
    api.post(f"/tasks/{returns['police']}/claim", "pat")
    before = api.snapshot()
    check_error(client.post(f"{API}/tasks/{returns['police']}/unclaim", headers=pete_headers), 403, "forbidden")
    assert api.snapshot() == before
    r = api.post(f"/tasks/{returns['police']}/unclaim", "cora")
    assert r.status_code == 200 and r.json["assignee"] is None


def test_unclaim_of_a_completed_task_is_409(review, api):
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    check_error(api.post(f"/tasks/{review['submit']}/unclaim", "pat"), 409, "conflict")


# --- assign -----------------------------------------------------------------------------------------------


def test_coordinator_assigns_a_task(review, api):
    r = api.post(f"/tasks/{review['submit']}/assign", "cora", {"username": "sam"})
    assert r.status_code == 200, r.json
    assert check_task(r.json)["assignee"] == "sam"
    assert [t["id"] for t in api.tasks("sam")["items"]] == [review["submit"]]
    assert api.tasks("pat")["total"] == 0
    api.complete(review["submit"], VALID_SUMMARY, "sam")


def test_reassigning_moves_the_task(review, api):
    api.post(f"/tasks/{review['submit']}/claim", "pat")
    r = api.post(f"/tasks/{review['submit']}/assign", "cora", {"username": "hana"})
    assert r.json["assignee"] == "hana"
    assert api.tasks("pat")["total"] == 0
    check_error(api.post(f"/tasks/{review['submit']}/complete", "pat", {"data": VALID_SUMMARY}), 404)


@pytest.mark.parametrize("who", ["pat", "chad", "dee", "adam"])
def test_assign_by_non_coordinator_is_403_and_changes_nothing(review, api, who):
    before = api.snapshot()
    check_error(api.post(f"/tasks/{review['submit']}/assign", who, {"username": "pat"}), 403, "forbidden")
    assert api.snapshot() == before


def test_assign_to_unknown_user_is_422(review, api):
    before = api.snapshot()
    error = check_error(api.post(f"/tasks/{review['submit']}/assign", "cora", {"username": "nobody"}), 422)
    assert detail_fields(error) == ["username"]
    assert api.snapshot() == before


@pytest.mark.parametrize("body,fields", [({}, ["username"]), ({"username": ""}, ["username"]),
                                         ({"username": ["pat"]}, ["username"]),
                                         ({"username": "pat", "note": "x"}, ["note"])])
def test_assign_request_failing_schema_is_422(review, api, body, fields):
    error = check_error(api.post(f"/tasks/{review['submit']}/assign", "cora", body), 422, "invalid")
    assert detail_fields(error) == fields


def test_assign_completed_task_is_409_and_unknown_task_404(review, api):
    api.complete(review["submit"], VALID_SUMMARY, "pat")
    before = api.snapshot()
    check_error(api.post(f"/tasks/{review['submit']}/assign", "cora", {"username": "sam"}), 409, "conflict")
    check_error(api.post("/tasks/no-such-task/assign", "cora", {"username": "sam"}), 404, "not_found")
    assert api.snapshot() == before


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
