"""Carry-forward (``process_model.json`` ``carry_forward``): a new case starts with a variable of the most recent
earlier case of its process that holds it, completed or active; cancelled cases, cases in error, other processes
and earlier cases that never wrote it are passed over; the copy is the new case's own; deploy refuses a malformed
declaration, and a view may name the carried variable."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bundles import carry_forward
from engine.bundles.parsing import parse_bundle, read_bundle_dir
from engine.cases import instances
from engine.errors import InvalidData
from engine.store.db import transaction
from engine.store.models import ProcessInstance

from .engine_kit import BUNDLES, NOW

pytestmark = pytest.mark.postgres  # the earlier case is found by SQL over stored JSON: PostgreSQL too

KEY = "carry_forward"


@pytest.fixture
def carried(deploy, restore_every_step):
    deploy(KEY)


def _submitted(cases, summary, *, day=0, approve=True):
    """A case started ``day`` days after NOW whose summary is ``summary`` (and approved, so completed)."""
    case = cases.start(KEY, now=NOW + timedelta(days=day))
    cases.complete(cases.task(case, "submit").id, {"summary": summary, "agency": "police"}, who="police",
                   now=NOW + timedelta(days=day))
    if approve:
        cases.complete(cases.task(case, "approve").id, {"approved": True}, who="chair",
                       now=NOW + timedelta(days=day))
    return case


def test_the_first_case_starts_with_nothing_carried(carried, cases):
    case = cases.start(KEY)
    assert cases.instance(case).data["previous_summary"] is None
    assert cases.task(case, "submit").data["previous_summary"] is None  # the view names it: it counts as written


def test_the_latest_earlier_case_is_carried_forward_across_cycles(carried, cases):
    first = _submitted(cases, "First cycle summary")
    second = _submitted(cases, "Second cycle summary", day=1)
    assert cases.instance(first).status == "completed"
    assert cases.instance(second).data["previous_summary"] == "First cycle summary"
    third = cases.start(KEY, now=NOW + timedelta(days=2))
    assert cases.instance(third).data["previous_summary"] == "Second cycle summary"
    assert cases.task(third, "submit").data["previous_summary"] == "Second cycle summary"


def test_an_active_earlier_case_counts(carried, cases):
    _submitted(cases, "Completed long ago")
    active = _submitted(cases, "Still being approved", day=1, approve=False)
    assert cases.instance(active).status == "active"
    assert cases.instance(cases.start(KEY, now=NOW + timedelta(days=2))).data["previous_summary"] == \
        "Still being approved"


def test_an_earlier_case_without_the_variable_is_passed_over(carried, cases):
    _submitted(cases, "The last one written")
    cases.start(KEY, now=NOW + timedelta(days=1))  # not yet submitted: holds no summary
    assert cases.instance(cases.start(KEY, now=NOW + timedelta(days=2))).data["previous_summary"] == \
        "The last one written"


def test_cancelled_and_failed_cases_are_passed_over(carried, cases, factory):
    _submitted(cases, "Signed off")
    cancelled = _submitted(cases, "Withdrawn", day=1, approve=False)
    failed = _submitted(cases, "Broken", day=2, approve=False)
    with transaction(factory) as s:
        instances.cancel_instance(s, cancelled, "Duplicate", actor=cases.actor("coordinator"), now=NOW)
        s.get(ProcessInstance, failed).status = "error"
    assert cases.instance(cases.start(KEY, now=NOW + timedelta(days=3))).data["previous_summary"] == "Signed off"


def test_another_process_is_never_carried_from(carried, cases, deploy):
    deploy("simple_review")
    other = cases.start("simple_review")
    cases.complete(cases.task(other, "submit").id, {"summary": "Another process", "agency": "police"}, who="police")
    assert cases.instance(cases.start(KEY, now=NOW + timedelta(days=1))).data["previous_summary"] is None


def test_a_process_without_the_declaration_carries_nothing(deploy, cases):
    deploy("simple_review")
    cases.start("simple_review")
    assert "previous_summary" not in cases.instance(cases.start("simple_review")).data


@pytest.mark.parametrize("value, words", [
    ("summary", "must be an object"),
    ([], "must be an object"),
    ({"from": "summary"}, "'to' must be a variable name"),
    ({"from": "1summary", "to": "x"}, "'from' must be a variable name"),
    ({"from": "a", "to": "b", "when": "always"}, "unknown field 'when'"),
    ([{"from": "a", "to": "b"}, {"from": "c", "to": "b"}], "writes 'b' twice"),
])
def test_deploy_refuses_a_malformed_declaration(tmp_path, value, words):
    import json
    files = read_bundle_dir(BUNDLES / KEY)
    model = json.loads(files["process_model.json"])
    files["process_model.json"] = json.dumps(dict(model, carry_forward=value))
    with pytest.raises(InvalidData) as refused:
        parse_bundle(KEY, files)
    assert any(words in d["message"] and "carry_forward" in d["message"] for d in refused.value.details), \
        refused.value.details


def test_one_object_or_a_list_declares_the_same_rules():
    one = {"carry_forward": {"from": "a", "to": "b"}}
    assert carry_forward.rules(one) == carry_forward.rules({"carry_forward": [{"from": "a", "to": "b"}]})
    assert carry_forward.targets(one) == ["b"] and carry_forward.targets({}) == []


def test_without_the_declaration_a_view_naming_the_variable_is_refused():
    import json
    files = read_bundle_dir(BUNDLES / KEY)
    model = json.loads(files["process_model.json"])
    files["process_model.json"] = json.dumps({k: v for k, v in model.items() if k != "carry_forward"})
    with pytest.raises(InvalidData) as refused:
        parse_bundle(KEY, files)
    assert any("previous_summary" in d["message"] for d in refused.value.details)
