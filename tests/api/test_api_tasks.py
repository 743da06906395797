"""Human tasks: list (state, overdue, process_key, paging), read with the form, claim, unclaim and assign, with
who may see and do each task. Drafts, completion and comments are in test_api_task_completion."""
from __future__ import annotations

from datetime import timedelta

import pytest

from .api_kit import API, check_error, check_task, detail_fields, iso
from .tasks_kit import VALID_SUMMARY, deployed, pete, pete_headers, returns, review, workload  # noqa: F401  (fixtures)


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
    check_error(api.get("/tasks", "dee"), 403, "forbidden")  # a designer has no tasks: no case is theirs


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
    check_error(api.get(f"/tasks/{returns['police']}", "dee"), 403, "forbidden")
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
