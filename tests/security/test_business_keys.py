"""Item 12: duplicate business keys were accepted.

Reproduction: ``POST /api/v1/process-instances {"process_key": "simple_review", "business_key": "CSPR-7"}`` twice
made two cases both called CSPR-7. A key given by hand, or generated, belongs to one case: asking for a taken key
(however it is spaced, whichever process has it, however the other case got it) answers 409
``duplicate_business_key``, also when two starts race; the generator skips keys given by hand. Cases started by a
message whose payload names the key continue another's work and share it (each period of an action plan's action).
"""
from __future__ import annotations

import pytest

from engine.cases import business_keys
from engine.errors import DuplicateBusinessKey
from engine.store.db import transaction
from tests.api.api_kit import check_error
from tests.api.test_api_concurrency import race

API = "/api/v1"


def _start(api, key, business_key=None, who="cora"):
    body = {"process_key": key} if business_key is None else {"process_key": key, "business_key": business_key}
    return api.post("/process-instances", who, body)


@pytest.mark.parametrize("again", ["CSPR-7", "  CSPR-7 ", "CSPR-7   "])
def test_a_business_key_given_twice_is_refused_with_409(api, again):
    api.deploy("simple_review")
    api.deploy("agency_task")
    assert api.start("simple_review", business_key="CSPR-7")["business_key"] == "CSPR-7"
    before = api.snapshot()
    for process in ("simple_review", "agency_task"):  # whichever process asks
        error = check_error(_start(api, process, again), 409, "duplicate_business_key")
        assert error["details"] == [{"field": "business_key", "message": "is already in use"}]
    assert api.snapshot() == before
    assert api.instances()["total"] == 1


def test_a_generated_key_cannot_be_taken_by_hand_and_the_generator_skips_keys_given_by_hand(api):
    api.deploy("simple_review")
    generated = api.start("simple_review")["business_key"]
    assert generated == "SIMPLE-REVIEW-2026-0001"
    check_error(_start(api, "simple_review", generated), 409, "duplicate_business_key")
    api.start("simple_review", business_key="SIMPLE-REVIEW-2026-0002")
    assert api.start("simple_review")["business_key"] == "SIMPLE-REVIEW-2026-0003"


def test_cases_a_message_starts_under_a_named_key_share_it_but_no_hand_start_can(api):
    api.deploy("message_start")
    started = []
    for child in ("Child A", "Child B"):
        r = api.post("/messages", "cora", {"name": "referral_received",
                                           "payload": {"business_key": "REF-9", "child": child}})
        assert r.status_code == 202, r.json
        started += r.json["delivered_to"]
    assert [api.instance(i)["business_key"] for i in started] == ["REF-9", "REF-9"]
    check_error(_start(api, "message_start", "REF-9"), 409, "duplicate_business_key")


def test_two_starts_racing_for_one_key_give_one_case_and_one_409(api, app):
    api.deploy("simple_review")
    body = {"process_key": "simple_review", "business_key": "RACE-1"}
    responses = race(app, [("POST", API + "/process-instances", api.headers("cora"), body)] * 4)
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [r.json for r in responses]
    assert {r.json["error"]["code"] for r in responses if r.status_code == 409} == {"duplicate_business_key"}
    assert api.instances()["total"] == 1


def test_starts_racing_for_the_first_generated_key_of_a_year_all_succeed(api, app):
    """The year's first start makes the key sequence's row; concurrent first starts (PostgreSQL) used to collide
    on it and answer 500."""
    api.deploy("simple_review")
    responses = race(app, [("POST", API + "/process-instances", api.headers("cora"),
                            {"process_key": "simple_review"})] * 4)
    assert [r.status_code for r in responses] == [201] * 4, [r.json for r in responses]
    assert len({r.json["business_key"] for r in responses}) == 4


def test_a_claim_that_loses_the_race_at_the_database_is_a_409(factory, partnership):
    """The check before a start cannot see a concurrent start that has not committed (PostgreSQL): the claim's
    primary key catches it, and the loser's whole unit of work is rolled back."""
    with transaction(factory) as session:
        business_keys.claim(session, "RACE-2", "instance-a")
    with pytest.raises(DuplicateBusinessKey), transaction(factory) as session:
        business_keys.claim(session, "RACE-2", "instance-b")
