"""The retention API: legal holds (coordinator only, with their errors), the cases past their date, disposal with
its confirmation and refusals, in the API's one error shape."""
from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta

from tests.api.api_kit import check_error, check_instance, iso

from .retention_kit import cancel

HOLD = {"reason": "Coroner's inquest opened on 3 March", "kind": "inquest"}


@pytest.fixture
def case(run):
    """A cancelled CDOP case (kept 15 years from completion) and the time it ended."""
    case = run.start("cdop")
    run.do(case, "notification", pseudonym="Child E")
    cancel(run, case)
    return case


def test_a_coordinator_places_and_lifts_a_hold(web, run, case):
    held = web.api("post", f"/process-instances/{case}/hold", "cora", HOLD)
    assert held.status_code == 200, held.get_json()
    body = check_instance(held.get_json())
    hold = body["hold"]
    assert (hold["kind"], hold["kind_name"], hold["reason"], hold["placed_by"], hold["released_at"]) == (
        "inquest", "Inquest", HOLD["reason"], "cora", None)
    assert iso(hold["placed_at"]) == run.now
    assert body["retention"] == {"period": "P15Y", "from": "completion", "period_in_words": "15 years from completion",
                                 "retention_date": (run.now + relativedelta(years=15)).isoformat(),
                                 "disposed_at": None}
    error = check_error(web.api("post", f"/process-instances/{case}/hold", "cora", HOLD), 409, "conflict")
    assert "already under a legal hold (inquest" in error["message"]
    lifted = web.api("post", f"/process-instances/{case}/release-hold", "cora", {"reason": "Inquest concluded"})
    assert lifted.status_code == 200 and lifted.get_json()["hold"] is None
    check_error(web.api("post", f"/process-instances/{case}/release-hold", "cora", {"reason": "again"}), 409,
                "conflict")
    assert web.api("post", f"/process-instances/{case}/hold", "cora", {"reason": "Police investigation"}) \
        .get_json()["hold"]["kind"] == "other"  # the kind defaults to other


@pytest.mark.parametrize("path", ["hold", "release-hold"])
@pytest.mark.parametrize("body, fields", [({}, ["reason"]), ({"reason": ""}, ["reason"]),
                                          ({"reason": "  "}, ["reason"]), ({"reason": 5}, ["reason"]),
                                          ({"reason": "x" * 2001}, ["reason"])])
def test_a_hold_or_release_without_a_reason_is_refused(web, case, path, body, fields):
    error = check_error(web.api("post", f"/process-instances/{case}/{path}", "cora", body), 422, "invalid")
    assert sorted(d["field"] for d in error["details"]) == fields


def test_a_hold_of_an_unknown_kind_is_refused(web, case):
    error = check_error(web.api("post", f"/process-instances/{case}/hold", "cora", {"reason": "x", "kind": "trial"}),
                        422, "invalid")
    assert [d["field"] for d in error["details"]] == ["kind"]


@pytest.mark.parametrize("username", ["chad", "adam"])
def test_only_a_coordinator_holds_releases_lists_and_disposes(web, run, case, username):
    check_error(web.api("post", f"/process-instances/{case}/hold", username, HOLD), 403, "forbidden")
    web.api("post", f"/process-instances/{case}/hold", "cora", HOLD)
    check_error(web.api("post", f"/process-instances/{case}/release-hold", username, {"reason": "x"}), 403)
    check_error(web.api("get", "/retention/due", username), 403, "forbidden")
    check_error(web.api("post", f"/process-instances/{case}/dispose", username, {"business_key": "x"}), 403)
    check_error(web.api("get", f"/process-instances/{case}/access-report", username), 403)


def test_a_reviewer_who_cannot_see_the_case_is_told_it_is_not_there(web, case):
    for path, body in (("hold", HOLD), ("release-hold", {"reason": "x"}), ("dispose", {"business_key": "x"})):
        check_error(web.api("post", f"/process-instances/{case}/{path}", "pat", body), 404, "not_found")
    check_error(web.api("get", f"/process-instances/{case}/access-report", "pat"), 404)
    check_error(web.api("post", "/process-instances/no-such-case/hold", "cora", HOLD), 404, "not_found")


def test_a_case_past_its_date_is_listed_then_disposed_of(web, run, case):
    business_key = run.instance(case).business_key
    ended = run.now
    assert web.api("get", "/retention/due", "cora").get_json() == {"items": [], "total": 0}
    run.traveller.move_to(ended + relativedelta(years=15, days=1))
    listed = web.api("get", "/retention/due", "cora").get_json()
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert item == {"instance_id": case, "business_key": business_key, "process_key": "cdop",
                    "process_name": "Child death review (CDOP)", "version": 1, "status": "cancelled",
                    "retention_date": (ended + relativedelta(years=15)).isoformat(), "held": False, "hold": None}
    wrong = check_error(web.api("post", f"/process-instances/{case}/dispose", "cora", {"business_key": "CDOP"}), 422)
    assert [d["field"] for d in wrong["details"]] == ["business_key"]
    done = web.api("post", f"/process-instances/{case}/dispose", "cora", {"business_key": business_key})
    assert done.status_code == 200, done.get_json()
    result = done.get_json()
    assert (result["instance_id"], result["business_key"], result["process_key"], result["version"]) == (
        case, business_key, "cdop", 1)
    assert iso(result["disposed_at"]) == run.now and result["outcomes"] == {"expected_death": "unexpected"}
    assert result["erased"]["tasks"] == 2 and result["erased"]["notes"] == 1
    instance = check_instance(web.api("get", f"/process-instances/{case}", "cora").get_json())
    assert (instance["title"], instance["pseudonym"], instance["data"]) == ("Disposed case", None, {})
    assert web.api("get", "/retention/due", "cora").get_json()["total"] == 0
    error = check_error(web.api("post", f"/process-instances/{case}/dispose", "cora", {"business_key": business_key}),
                        409, "conflict")
    assert "already disposed of" in error["message"]


def test_a_held_case_is_refused_with_the_hold_and_its_reason(web, run, case):
    business_key = run.instance(case).business_key
    web.api("post", f"/process-instances/{case}/hold", "cora", HOLD)
    run.traveller.move_to(run.now + relativedelta(years=20))
    (item,) = web.api("get", "/retention/due", "cora").get_json()["items"]
    assert item["held"] is True and item["hold"]["reason"] == HOLD["reason"]
    error = check_error(web.api("post", f"/process-instances/{case}/dispose", "cora", {"business_key": business_key}),
                        409, "case_held")
    assert HOLD["reason"] in error["message"] and "inquest" in error["message"]
    assert error["details"]["hold"]["kind"] == "inquest" and error["details"]["hold"]["reason"] == HOLD["reason"]
    assert web.api("get", f"/process-instances/{case}", "cora").get_json()["title"] != "Disposed case"


def test_a_case_not_yet_due_is_refused(web, run, case):
    business_key = run.instance(case).business_key
    error = check_error(web.api("post", f"/process-instances/{case}/dispose", "cora", {"business_key": business_key}),
                        409, "conflict")
    assert "not due for disposal until" in error["message"]


def test_the_openapi_document_describes_the_retention_calls(web):
    paths = web.app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in (("/process-instances/{id}/hold", "post"), ("/process-instances/{id}/release-hold", "post"),
                         ("/retention/due", "get"), ("/process-instances/{id}/dispose", "post"),
                         ("/process-instances/{id}/access-report", "get")):
        assert method in paths[path], path
    assert "409" in paths["/process-instances/{id}/dispose"]["post"]["responses"]
    assert "text/csv" in paths["/process-instances/{id}/access-report"]["get"]["responses"]["200"]["content"]
