"""POST /messages: 202 with the instances reached, correlation respected, message starts, and refusals."""
from __future__ import annotations

import pytest

from .api_kit import check_error, detail_fields


@pytest.fixture
def waiting(api):
    """Two receivers waiting for case_closed, for cases A and B."""
    api.deploy("message_receiver")
    a = api.start("message_receiver", {"case_ref": "A"})
    b = api.start("message_receiver", {"case_ref": "B"})
    assert a["tasks"] == [] and b["tasks"] == []
    return {"A": a["id"], "B": b["id"]}


def send(api, body, who="cora"):
    return api.post("/messages", who, body)


def test_message_reaches_only_the_instance_whose_correlation_matches(waiting, api):
    r = send(api, {"name": "case_closed", "correlation": {"case_ref": "A"}, "payload": {"outcome": "closed"}})
    assert r.status_code == 202, r.json
    assert r.json == {"delivered_to": [waiting["A"]]}
    a = api.instance(waiting["A"])
    assert [t["name"] for t in api.ready(a)] == ["follow_up"]
    assert a["data"]["closure"]["outcome"] == "closed"
    assert api.instance(waiting["B"])["tasks"] == []


def test_message_with_no_matching_correlation_reaches_nobody(waiting, api):
    before = api.snapshot()
    for correlation in ({"case_ref": "C"}, {"case_ref": None}, {"case_ref": ["A"]}, {"other_key": "A"}):
        r = send(api, {"name": "case_closed", "correlation": correlation, "payload": {}})
        assert r.status_code == 202, r.json
        assert r.json == {"delivered_to": []}, correlation
    assert api.instance(waiting["A"])["tasks"] == [] and api.instance(waiting["B"])["tasks"] == []
    after = api.snapshot()
    assert {k: v for k, v in after.items() if k != "audit_event"} == \
        {k: v for k, v in before.items() if k != "audit_event"}


def test_message_delivered_once_is_not_delivered_again(waiting, api):
    body = {"name": "case_closed", "correlation": {"case_ref": "B"}, "payload": {"outcome": "x"}}
    assert send(api, body).json == {"delivered_to": [waiting["B"]]}
    assert send(api, body).json == {"delivered_to": []}
    assert len(api.instance(waiting["B"])["tasks"]) == 1


def test_message_of_unknown_name_reaches_nobody(waiting, api):
    r = send(api, {"name": "nobody_listens", "correlation": {}, "payload": {}})
    assert r.status_code == 202 and r.json == {"delivered_to": []}


def test_message_starts_a_process_with_a_message_start_event(api):
    api.deploy("message_start")
    r = send(api, {"name": "referral_received", "payload": {"business_key": "REF-9", "child": "Child A"}})
    assert r.status_code == 202, r.json
    [started] = r.json["delivered_to"]
    instance = api.instance(started)
    assert instance["process_key"] == "message_start" and instance["business_key"] == "REF-9"
    assert [t["name"] for t in api.ready(instance)] == ["triage"]
    assert instance["data"]["referral"]["child"] == "Child A"


def test_message_thrown_by_one_case_reaches_the_matching_receiver(waiting, api):
    api.deploy("message_sender")
    sender = api.start("message_sender", {"case_ref": "B"})
    [close] = sender["tasks"]
    api.complete(close["id"], {"outcome": "no further action"}, "cora")
    assert api.ready(api.instance(waiting["B"]), "follow_up")
    assert api.instance(waiting["A"])["tasks"] == []


@pytest.mark.parametrize("who", ["pat", "dee", "chad", "adam"])
def test_message_from_non_coordinator_is_403(waiting, api, who):
    before = api.snapshot()
    r = send(api, {"name": "case_closed", "correlation": {"case_ref": "A"}, "payload": {}}, who=who)
    check_error(r, 403, "forbidden")
    assert api.snapshot() == before


@pytest.mark.parametrize("body,fields", [
    ({}, ["name"]),
    ({"name": ""}, ["name"]),
    ({"name": "case_closed", "correlation": "A"}, ["correlation"]),
    ({"name": "case_closed", "correlation": {"case_ref": "A"}, "reply_to": "x"}, ["reply_to"]),
    ({"name": "n" * 129}, ["name"]),
])
def test_message_failing_schema_is_422_and_delivers_nothing(waiting, api, body, fields):
    before = api.snapshot()
    error = check_error(send(api, body), 422, "invalid")
    assert detail_fields(error) == fields
    assert api.snapshot() == before


def test_message_body_not_json_is_400(waiting, api):
    r = api.client.post("/api/v1/messages", data="case_closed", headers=api.auth("cora"))
    check_error(r, 400, "bad_request")
