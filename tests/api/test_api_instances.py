"""Process instances: start, list (filters, paging), read, cancel, retry, and who may see them."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import NOW

from .api_kit import API, bundle_files, check_error, check_instance, detail_fields, iso

PAST_NOTIFICATION = "2026-10-01"  # deadlines' "from_notification" task is overdue from the start


@pytest.fixture
def deployed(api):
    for name in ("simple_review", "deadlines", "api_flaky", "multi_instance"):
        api.deploy(name)
    return api


# --- start ------------------------------------------------------------------------------------------------


def test_start_instance_is_201_with_spec_fields(deployed, api):
    instance = api.start("simple_review", {"case_ref": "C-1"})
    assert instance["process_key"] == "simple_review"
    assert instance["version"] == 1
    assert instance["status"] == "active"
    assert instance["business_key"] == "SIMPLE-REVIEW-2026-0001"
    assert instance["title"] == "Simple review SIMPLE-REVIEW-2026-0001"
    assert abs((iso(instance["created_at"]) - NOW).total_seconds()) < 60
    assert iso(instance["updated_at"]) >= iso(instance["created_at"])
    assert instance["data"]["case_ref"] == "C-1"
    assert instance["data"]["process_initiator"] == "cora"
    [task] = instance["tasks"]
    assert task["name"] == "submit" and task["title"] == "Submit summary"
    assert task["instance_id"] == instance["id"] and task["process_key"] == "simple_review"
    assert task["state"] == "ready" and task["role"] == "reviewer"
    assert task["agency"] is None and task["assignee"] is None
    assert task["completed_at"] is None and task["completed_by"] is None
    assert iso(task["due_at"]).date() == datetime(2026, 12, 8).date()  # 5 working days on, Tuesday to Tuesday
    assert task["overdue"] is False
    assert api.instance(instance["id"]) == instance


def test_start_numbers_business_keys_and_keeps_given_ones(deployed, api):
    assert api.start("simple_review")["business_key"] == "SIMPLE-REVIEW-2026-0001"
    assert api.start("simple_review", business_key="CSPR-7")["business_key"] == "CSPR-7"
    assert api.start("simple_review")["business_key"] == "SIMPLE-REVIEW-2026-0002"


def test_start_uses_the_latest_version(deployed, api):
    changed = bundle_files("simple_review")
    changed["simple_review.bpmn"] = changed["simple_review.bpmn"].replace('name="Approve"', 'name="Approve it"')
    assert api.deploy("simple_review", files=changed)["version"] == 2
    assert api.start("simple_review")["version"] == 2


def test_start_by_reviewer_is_403_and_starts_nothing(deployed, api):
    before = api.snapshot()
    check_error(api.post("/process-instances", "pat", {"process_key": "simple_review"}), 403, "forbidden")
    assert api.snapshot() == before
    assert api.instances()["total"] == 0


def test_start_unknown_process_is_404(deployed, api):
    before = api.snapshot()
    check_error(api.post("/process-instances", "cora", {"process_key": "nothing"}), 404, "not_found")
    assert api.snapshot() == before


@pytest.mark.parametrize("body,fields", [
    ({}, ["process_key"]),
    ({"process_key": "simple_review", "data": ["a"]}, ["data"]),
    ({"process_key": "simple_review", "data": "text"}, ["data"]),
    ({"process_key": "simple_review", "business_key": "K" * 65}, ["business_key"]),
    ({"process_key": "simple_review", "status": "completed"}, ["status"]),
    ({"process_key": 7}, ["process_key"]),
])
def test_start_request_failing_schema_is_422(deployed, api, body, fields):
    before = api.snapshot()
    error = check_error(api.post("/process-instances", "cora", body), 422, "invalid")
    assert detail_fields(error) == fields
    assert api.snapshot() == before


def test_start_body_not_json_is_400(deployed, api):
    before = api.snapshot()
    r = api.client.post(f"{API}/process-instances", data="process_key=simple_review", headers=api.auth("cora"))
    check_error(r, 400, "bad_request")
    r = api.client.post(f"{API}/process-instances", data="{", content_type="application/json", headers=api.auth("cora"))
    check_error(r, 400, "bad_request")
    assert api.snapshot() == before


def test_start_oversized_body_is_413(deployed, api):
    before = api.snapshot()
    r = api.post("/process-instances", "cora", {"process_key": "simple_review", "data": {"x": "y" * 9_000_000}})
    check_error(r, 413, "too_large")
    assert api.snapshot() == before


# --- list -------------------------------------------------------------------------------------------------


@pytest.fixture
def mixed(deployed, api):
    """One instance in each status (and one overdue), keyed by what it shows."""
    active = api.start("simple_review")
    cancelled = api.start("simple_review")
    r = api.post(f"/process-instances/{cancelled['id']}/cancel", "cora", {"reason": "duplicate referral"})
    assert r.status_code == 200
    overdue = api.start("deadlines", {"notified_on": PAST_NOTIFICATION})
    error = api.start("api_flaky")
    assert error["status"] == "error"
    return {"active": active["id"], "cancelled": cancelled["id"], "overdue": overdue["id"], "error": error["id"]}


def ids(page):
    return {i["id"] for i in page["items"]}


def test_list_instances_gives_summaries_with_total(mixed, api):
    page = api.instances()
    assert page["total"] == 4
    assert ids(page) == set(mixed.values())
    for item in page["items"]:
        assert "tasks" not in item and "data" not in item
    created = [iso(i["created_at"]) for i in page["items"]]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize("status,expected", [("active", {"active", "overdue"}), ("cancelled", {"cancelled"}),
                                             ("error", {"error"}), ("completed", set())])
def test_list_instances_filtered_by_status(mixed, api, status, expected):
    page = api.instances(status=status)
    assert ids(page) == {mixed[k] for k in expected}
    assert page["total"] == len(expected)
    assert all(i["status"] == status for i in page["items"])


def test_list_instances_filtered_by_process_key(mixed, api):
    assert ids(api.instances(process_key="simple_review")) == {mixed["active"], mixed["cancelled"]}
    assert ids(api.instances(process_key="deadlines")) == {mixed["overdue"]}
    assert api.instances(process_key="nothing") == {"items": [], "total": 0}
    assert ids(api.instances(process_key="simple_review", status="active")) == {mixed["active"]}


def test_list_instances_filtered_by_overdue(mixed, api):
    assert ids(api.instances(overdue="true")) == {mixed["overdue"]}
    assert ids(api.instances(overdue="false")) == {mixed["active"], mixed["cancelled"], mixed["error"]}
    assert api.instances(overdue="true", process_key="simple_review")["total"] == 0


def test_list_instances_overdue_follows_the_clock(mixed, api, traveller):
    traveller.shift(timedelta(days=10))  # past submit's 5 working days
    api.sign_in_again()
    assert ids(api.instances(overdue="true")) == {mixed["overdue"], mixed["active"]}


def test_list_instances_honours_limit_and_offset(deployed, api):
    started = [api.start("simple_review")["id"] for _ in range(5)]
    first = api.instances(limit=2)
    assert first["total"] == 5 and len(first["items"]) == 2
    second = api.instances(limit=2, offset=2)
    third = api.instances(limit=2, offset=4)
    assert second["total"] == third["total"] == 5
    assert len(second["items"]) == 2 and len(third["items"]) == 1
    seen = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert sorted(seen) == sorted(started) and len(set(seen)) == 5
    assert seen == [i["id"] for i in api.instances(limit=200)["items"]]
    assert api.instances(offset=5) == {"items": [], "total": 5}
    assert api.instances(offset=500, limit=1) == {"items": [], "total": 5}


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "201"}, {"limit": "ten"}, {"limit": "-1"},
                                    {"offset": "-1"}, {"offset": "x"}, {"limit": "2.5"}, {"overdue": "maybe"}])
def test_list_instances_with_bad_paging_or_flag_is_400(mixed, api, params):
    check_error(api.get("/process-instances", "cora", **params), 400, "bad_request")


# --- read -------------------------------------------------------------------------------------------------


def test_get_unknown_instance_is_404(deployed, api):
    check_error(api.get("/process-instances/no-such-id", "cora"), 404, "not_found")
    check_error(api.get("/process-instances/00000000-0000-0000-0000-000000000000", "cora"), 404, "not_found")


def test_coordinator_and_chair_see_every_instance(mixed, api):
    assert api.instances("cora")["total"] == 4
    assert api.instances("chad")["total"] == 4
    check_error(api.get("/process-instances", "adam"), 403, "forbidden")  # an administrator sees no case
    for instance_id in mixed.values():
        assert api.instance(instance_id, "chad")["id"] == instance_id


@pytest.fixture
def by_agency(deployed, api):
    """A multi-instance case with one return for the police and one for children's social care."""
    instance = api.start("multi_instance", {"agencies": ["police", "csc"], "secret_note": "not for reviewers",
                                            "case_title": "Child A"})
    assert sorted(t["agency"] for t in instance["tasks"]) == ["csc", "police"]
    return instance


def test_reviewer_sees_the_instance_with_only_their_own_tasks_and_shared_data(by_agency, api):
    seen = api.instance(by_agency["id"], "pat")
    assert [t["agency"] for t in seen["tasks"]] == ["police"]
    assert "secret_note" not in seen["data"]
    assert seen["data"] == {"case_title": "Child A"}
    seen = api.instance(by_agency["id"], "sam")
    assert [t["agency"] for t in seen["tasks"]] == ["csc"]
    assert len(api.instance(by_agency["id"], "cora")["tasks"]) == 2
    assert api.instance(by_agency["id"], "cora")["data"]["secret_note"] == "not for reviewers"


def test_reviewer_asking_for_an_instance_they_take_no_part_in_gets_404(by_agency, api):
    check_error(api.get(f"/process-instances/{by_agency['id']}", "hana"), 404, "not_found")
    check_error(api.get(f"/process-instances/{by_agency['id']}", "dee"), 403, "forbidden")  # a designer: no case


def test_reviewer_lists_only_instances_they_take_part_in(by_agency, mixed, api):
    # submit is offered to every reviewer, so hana takes part in both simple reviews (one since cancelled)
    assert ids(api.instances("hana")) == {mixed["active"], mixed["cancelled"]}
    assert ids(api.instances("pat")) == {mixed["active"], mixed["cancelled"], by_agency["id"]}
    assert api.instances("pat", process_key="multi_instance")["total"] == 1
    check_error(api.get("/process-instances", "dee"), 403, "forbidden")
    assert api.instances("cora")["total"] == 5


def test_reviewer_keeps_seeing_an_instance_after_completing_their_task(by_agency, api):
    [police] = [t for t in by_agency["tasks"] if t["agency"] == "police"]
    api.complete(police["id"], {"summary": "Police return"}, "pat")
    seen = api.instance(by_agency["id"], "pat")
    assert [(t["id"], t["state"]) for t in seen["tasks"]] == [(police["id"], "completed")]
    assert ids(api.instances("pat")) == {by_agency["id"]}


# --- cancel -----------------------------------------------------------------------------------------------


def test_cancel_instance_cancels_it_and_its_tasks(deployed, api):
    instance = api.start("simple_review")
    r = api.post(f"/process-instances/{instance['id']}/cancel", "cora", {"reason": "Referral withdrawn"})
    assert r.status_code == 200, r.json
    cancelled = check_instance(r.json)
    assert cancelled["id"] == instance["id"] and cancelled["status"] == "cancelled"
    assert [t["state"] for t in cancelled["tasks"]] == ["cancelled"]
    assert api.instance(instance["id"])["status"] == "cancelled"
    assert api.tasks("pat")["total"] == 0
    assert api.tasks("pat", state="cancelled")["total"] == 1


def test_cancel_twice_is_409_and_changes_nothing(deployed, api):
    instance = api.start("simple_review")
    assert api.post(f"/process-instances/{instance['id']}/cancel", "cora", {"reason": "once"}).status_code == 200
    before = api.snapshot()
    error = check_error(api.post(f"/process-instances/{instance['id']}/cancel", "cora", {"reason": "twice"}),
                        409, "conflict")
    assert "cancelled" in error["message"]
    assert api.snapshot() == before


def test_cancel_completed_instance_is_409(deployed, api):
    instance = api.start("multi_instance", {"agencies": ["police"]})
    [task] = instance["tasks"]
    api.complete(task["id"], {"summary": "done"}, "pat")
    [collate] = api.ready(api.instance(instance["id"]), "collate")
    assert api.complete(collate["id"], {}, "cora")["instance"]["status"] == "completed"
    before = api.snapshot()
    check_error(api.post(f"/process-instances/{instance['id']}/cancel", "cora", {"reason": "late"}), 409, "conflict")
    assert api.snapshot() == before


def test_cancel_instance_in_error_is_allowed(deployed, api):
    instance = api.start("api_flaky")
    assert instance["status"] == "error"
    r = api.post(f"/process-instances/{instance['id']}/cancel", "cora", {"reason": "abandoned"})
    assert r.status_code == 200 and r.json["status"] == "cancelled"


def test_reviewer_cancelling_is_403_and_changes_nothing(by_agency, api):
    before = api.snapshot()
    check_error(api.post(f"/process-instances/{by_agency['id']}/cancel", "pat", {"reason": "mine"}), 403, "forbidden")
    check_error(api.post(f"/process-instances/{by_agency['id']}/cancel", "chad", {"reason": "chair"}), 403)
    assert api.snapshot() == before
    assert api.instance(by_agency["id"])["status"] == "active"


def test_reviewer_cancelling_an_instance_they_take_no_part_in_is_404(by_agency, api):
    before = api.snapshot()
    check_error(api.post(f"/process-instances/{by_agency['id']}/cancel", "hana", {"reason": "x"}), 404, "not_found")
    assert api.snapshot() == before


def test_cancel_unknown_instance_is_404(deployed, api):
    check_error(api.post("/process-instances/no-such-id/cancel", "cora", {"reason": "x"}), 404, "not_found")


@pytest.mark.parametrize("body,fields", [({}, ["reason"]), ({"reason": ""}, ["reason"]),
                                         ({"reason": "   "}, ["reason"]), ({"reason": 5}, ["reason"]),
                                         ({"reason": "x" * 2001}, ["reason"]),
                                         ({"reason": "ok", "force": True}, ["force"])])
def test_cancel_without_a_proper_reason_is_422_and_changes_nothing(deployed, api, body, fields):
    instance = api.start("simple_review")
    before = api.snapshot()
    error = check_error(api.post(f"/process-instances/{instance['id']}/cancel", "cora", body), 422, "invalid")
    assert detail_fields(error) == fields
    assert api.snapshot() == before


def test_cancel_body_not_json_is_400(deployed, api):
    instance = api.start("simple_review")
    r = api.client.post(f"{API}/process-instances/{instance['id']}/cancel", data="because",
                        headers=api.auth("cora"))
    check_error(r, 400, "bad_request")
    assert api.instance(instance["id"])["status"] == "active"


# --- retry ------------------------------------------------------------------------------------------------


def test_instance_in_error_reports_the_failure(deployed, api):
    instance = api.start("api_flaky")
    assert instance["status"] == "error"
    assert instance["tasks"] == []
    assert "division" in instance["error"]["message"]
    assert instance["error"]["task_name"] == "fails_until_2027"


def test_retry_instance_in_error_runs_it_on(deployed, api, traveller):
    instance = api.start("api_flaky")
    still = api.post(f"/process-instances/{instance['id']}/retry", "cora")
    assert still.status_code == 200, still.json
    assert check_instance(still.json)["status"] == "error"
    traveller.move_to(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    api.sign_in_again()
    r = api.post(f"/process-instances/{instance['id']}/retry", "cora")
    assert r.status_code == 200, r.json
    retried = check_instance(r.json)
    assert retried["status"] == "active"
    assert retried["error"] is None
    assert [t["name"] for t in api.ready(retried)] == ["check"]
    assert api.instances(status="error")["total"] == 0


def test_retry_instance_not_in_error_is_409_and_changes_nothing(deployed, api):
    instance = api.start("simple_review")
    before = api.snapshot()
    error = check_error(api.post(f"/process-instances/{instance['id']}/retry", "cora"), 409, "conflict")
    assert "error" in error["message"]
    assert api.snapshot() == before


def test_retry_by_reviewer_is_403(deployed, api):
    participant = api.start("simple_review")
    before = api.snapshot()
    check_error(api.post(f"/process-instances/{participant['id']}/retry", "pat"), 403, "forbidden")
    assert api.snapshot() == before


def test_retry_by_someone_taking_no_part_is_404(deployed, api):
    instance = api.start("api_flaky")
    before = api.snapshot()
    check_error(api.post(f"/process-instances/{instance['id']}/retry", "hana"), 404, "not_found")
    check_error(api.post(f"/process-instances/{instance['id']}/retry", "dee"), 403, "forbidden")
    assert api.snapshot() == before


def test_retry_unknown_instance_is_404(deployed, api):
    check_error(api.post("/process-instances/no-such-id/retry", "cora"), 404, "not_found")
