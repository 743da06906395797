"""Child matching: a referral for a child who has an open case reaches that case's link message instead of opening a
duplicate, matched by a keyed hash of the NHS number or of initials, date of birth and local authority; only the
hashes are stored, and the audit trail holds ids and the basis only."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from engine.bundles.parsing import read_bundle_dir
from engine.cases import child_match, messages
from engine.config import Config
from engine.errors import InvalidData
from engine.retention import disposal
from engine.store.db import make_session_factory, transaction
from engine.store.models import AuditEvent, ChildMatchKey, ProcessInstance
from tests.conftest import VERIFIED

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # the keys are rows and the match is a query: both databases

SECRET = "a-test-secret-for-child-matching-0123456789"
NHS = "9434765919"  # a valid NHS number (check digit 9); 9434765918 is not
CHILD = {"child_nhs_number": "943 476 5919", "child_initials": "J.S.", "child_dob": "2019-03-04",
         "child_local_authority": "Northshire", "la_aware_on": "2026-11-30", "grounds": "suspected neglect"}
IDENTIFIERS = ("9434765919", "943 476 5919", "J.S.", "JS", "2019-03-04", "Northshire", "northshire")


@pytest.fixture
def factory(db):
    return make_session_factory(db, replace(VERIFIED, child_match_secret=SECRET))


@pytest.fixture
def matching(deploy, restore_every_step):
    deploy("child_referral")  # the catcher first: a thrower deployed before it owns the message
    deploy("child_referrer")


def _refer(cases, **changes):
    """Start a referrer case that throws ``child_referral`` with CHILD and ``changes``; the ids it reached."""
    sender = cases.start("child_referrer", data={"child_referral": {**CHILD, **changes}})
    (thrown,) = [e for e in cases.trail(sender) if e["action"] == "message.thrown"]
    return thrown["details"]["delivered_to"]


def _cases_of(factory, key="child_referral"):
    with transaction(factory) as s:
        return list(s.scalars(select(ProcessInstance.id).where(ProcessInstance.process_key == key)
                              .order_by(ProcessInstance.created_at, ProcessInstance.id)))


def _keys(factory, instance_id):
    with transaction(factory) as s:
        return {r.basis: r.key_hash for r in s.scalars(select(ChildMatchKey)
                                                        .where(ChildMatchKey.instance_id == instance_id))}


def _audit(factory, action):
    with transaction(factory) as s:
        return [(r.instance_id, r.details) for r in s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                                               .order_by(AuditEvent.id))]


def _declaration():
    return child_match.Declaration.of(json.loads((read_bundle_dir(_fixture("child_referral")))["process_model.json"]))


def _fixture(name):
    from .engine_kit import BUNDLES
    return BUNDLES / name


# --- linking ---------------------------------------------------------------------------------------------------

def test_first_referral_starts_a_case_keyed_by_both_bases(matching, cases, factory):
    (first,) = _refer(cases)
    assert _cases_of(factory) == [first]
    assert cases.ready_names(first) == ["screen_referral"]
    assert _keys(factory, first) == child_match.child_keys(CHILD, _declaration(), SECRET)
    assert set(_keys(factory, first)) == {"nhs", "details"}


def test_second_referral_by_nhs_number_reaches_the_open_case_even_with_other_initials(matching, cases, factory):
    (first,) = _refer(cases)
    assert _refer(cases, child_initials="JW", grounds="a second agency's concern") == [first]
    assert _cases_of(factory) == [first]
    assert cases.ready_names(first) == ["consider_further_referral", "screen_referral"]
    task = cases.task(first, "consider_further_referral")
    assert task.data["further_referral"]["grounds"] == "a second agency's concern"
    assert _audit(factory, "referral.linked") == [(first, {"process_key": "child_referral", "basis": "nhs",
                                                            "message": "child_referral",
                                                            "link_message": "further_referral"})]


def test_second_referral_by_initials_dob_and_authority_reaches_the_open_case(matching, cases, factory):
    (first,) = _refer(cases, child_nhs_number=None)
    assert set(_keys(factory, first)) == {"details"}
    assert _refer(cases, child_nhs_number="", child_initials="j s", child_local_authority=" NORTHSHIRE ") == [first]
    assert cases.ready_names(first) == ["consider_further_referral", "screen_referral"]
    assert [d["basis"] for _, d in _audit(factory, "referral.linked")] == ["details"]


def test_a_case_without_nhs_number_takes_a_referral_with_one_by_its_details(matching, cases, factory):
    (first,) = _refer(cases, child_nhs_number=None)
    assert _refer(cases) == [first]
    assert [d["basis"] for _, d in _audit(factory, "referral.linked")] == ["details"]


def test_each_further_referral_reaches_the_open_case_again(matching, cases, factory):
    (first,) = _refer(cases)
    assert _refer(cases) == [first]
    assert _refer(cases) == [first]
    assert cases.ready_names(first) == ["consider_further_referral", "consider_further_referral", "screen_referral"]


def test_a_case_begun_after_a_link_still_ends(matching, cases):
    """SpiffWorkflow connects an event subprocess on the shared spec when a message first starts one; a later case
    must not run it as a branch from its start (engine.spiff.state.arm_event_subprocesses)."""
    (first,) = _refer(cases)
    assert _refer(cases) == [first]
    (other,) = _refer(cases, child_nhs_number=None, child_initials="AB")
    assert cases.subscriptions(other) == [("further_referral", {})] and cases.ready_names(other) == ["screen_referral"]
    cases.complete(cases.task(other, "screen_referral").id)
    cases.complete(cases.task(other, "review").id)
    assert cases.instance(other).status == "completed" and cases.subscriptions(other) == []
    cases.complete(cases.task(first, "consider_further_referral").id)
    cases.complete(cases.task(first, "screen_referral").id)
    cases.complete(cases.task(first, "review").id)
    assert cases.instance(first).status == "completed"


@pytest.mark.parametrize("other", [
    {"child_nhs_number": None, "child_local_authority": "Southshire"},  # same initials and birthday elsewhere
    {"child_nhs_number": None, "child_dob": "2019-03-05"},
    {"child_nhs_number": None, "child_initials": "JW"},
    {"child_nhs_number": "9434765870"},  # a twin: same initials, birthday and authority, another NHS number
], ids=["other-authority", "other-birthday", "other-initials", "other-nhs-number"])
def test_a_different_child_starts_a_new_case(matching, cases, factory, other):
    (first,) = _refer(cases)
    (second,) = _refer(cases, **other)
    assert second != first and sorted(_cases_of(factory)) == sorted([first, second])
    assert cases.ready_names(first) == ["screen_referral"] and cases.ready_names(second) == ["screen_referral"]
    assert _audit(factory, "referral.linked") == []


def test_a_referral_with_only_an_nhs_number_does_not_match_a_case_without_one(matching, cases, factory):
    (first,) = _refer(cases, child_nhs_number=None)
    (second,) = _refer(cases, child_initials=None, child_dob=None, child_local_authority=None)
    assert second != first and set(_keys(factory, second)) == {"nhs"}


def test_an_invalid_nhs_number_is_no_key(matching, cases, factory):
    (first,) = _refer(cases, child_nhs_number="9434765918", child_initials=None)
    assert _keys(factory, first) == {}
    (second,) = _refer(cases, child_nhs_number="9434765918", child_initials=None)
    assert second != first


def test_a_finished_case_is_not_linked_to(matching, cases, factory):
    (first,) = _refer(cases)
    cases.complete(cases.task(first, "screen_referral").id)
    cases.complete(cases.task(first, "review").id)
    assert cases.instance(first).status == "completed"
    (second,) = _refer(cases)
    assert second != first and sorted(_cases_of(factory)) == sorted([first, second])


def test_a_case_not_waiting_for_the_link_message_gets_a_new_case_beside_it(deploy, cases, factory):
    deploy("child_referral_late")
    deploy("child_referrer")
    (first,) = _refer(cases)
    (second,) = _refer(cases)
    assert second != first and sorted(_cases_of(factory, "child_referral_late")) == sorted([first, second])
    assert _audit(factory, "referral.not_linked") == [(second, {
        "matched": first, "basis": "nhs", "message": "child_referral",
        "reason": "the matching case does not wait for further_referral"})]
    cases.complete(cases.task(first, "screen_referral").id)  # now it waits for a further referral
    assert _refer(cases) == [first]
    assert cases.instance(first).status == "completed"


def test_a_message_from_outside_is_linked_and_answers_where_it_went(matching, cases, factory):
    (first,) = _refer(cases)
    with transaction(factory) as s:
        delivered = messages.send_message(s, "child_referral", {}, {**CHILD, "child_initials": "JX"}, actor="api",
                                          now=NOW)
    assert delivered == [first]
    assert cases.ready_names(first) == ["consider_further_referral", "screen_referral"]


def test_the_key_follows_the_case_data(matching, cases, factory):
    (first,) = _refer(cases, child_nhs_number=None)
    before = _keys(factory, first)
    cases.complete(cases.task(first, "screen_referral").id, {"child_nhs_number": NHS})
    after = _keys(factory, first)
    assert after["details"] == before["details"] and set(after) == {"nhs", "details"}
    assert _refer(cases, child_initials="QQ") == [first]  # found now by the NHS number screening added


# --- what is stored and audited --------------------------------------------------------------------------------

def test_the_stored_key_is_not_the_identifiers_and_changes_with_the_secret(matching, cases, factory, db):
    (first,) = _refer(cases)
    stored = _keys(factory, first)
    assert all(len(k) == 64 and not any(i.casefold() in k.casefold() for i in IDENTIFIERS) for k in stored.values())
    other = child_match.child_keys(CHILD, _declaration(), SECRET + "-rotated")
    assert set(other) == set(stored) and not set(other.values()) & set(stored.values())
    rotated = make_session_factory(db, replace(VERIFIED, child_match_secret=SECRET + "-rotated"))
    with transaction(rotated) as s:  # under another secret the stored key is a stranger's
        definition = s.get(ProcessInstance, first).definition
        assert child_match.open_cases_for(s, definition, _declaration(), CHILD) == []
    with transaction(factory) as s:
        assert child_match.open_cases_for(s, definition, _declaration(), CHILD) == [child_match.Match(first, "nhs")]


def test_the_audit_trail_holds_no_identifiers(matching, cases, factory):
    _refer(cases)
    _refer(cases, child_nhs_number=None)
    _refer(cases, child_local_authority="Southshire")
    with transaction(factory) as s:
        trail = [json.dumps(r.details) for r in s.scalars(select(AuditEvent))]
    assert any("referral.linked" in t or "nhs" in t for t in trail)
    assert [t for t in trail if any(i in t for i in IDENTIFIERS)] == []


def test_without_a_secret_nothing_is_kept_or_matched(matching, cases, db):
    from .engine_kit import Cases
    bare = Cases(make_session_factory(db, replace(VERIFIED, child_match_secret="")), cases.actors)
    (first,) = _refer(bare)
    (second,) = _refer(bare)
    assert first != second and _keys(bare.factory, first) == {}


def test_disposal_erases_the_keys(matching, cases, factory, partnership):
    (first,) = _refer(cases)
    cases.complete(cases.task(first, "screen_referral").id)
    cases.complete(cases.task(first, "review").id)
    assert cases.instance(first).status == "completed"
    with transaction(factory) as s:
        business_key = s.get(ProcessInstance, first).business_key
        result = disposal.dispose_case(s, first, business_key, actor=partnership["coordinator"],
                                       now=NOW + relativedelta(years=1, days=2))
    assert result.erased["child_keys"] == 2 and _keys(factory, first) == {}


# --- normalising -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("9434765919", NHS), ("943 476 5919", NHS), ("943-476-5919", NHS), (9434765919, NHS),
    ("9434765918", None), ("943476591", None), ("94347659190", None), ("abcdefghij", None), (None, None),
    (True, None), ("0000000000", "0000000000"), ("1234567890", None),  # check digit 10: never issued
])
def test_nhs_numbers_are_ten_digits_with_a_valid_check_digit(value, expected):
    assert child_match.nhs_number(value) == expected


def test_details_are_normalised():
    assert child_match.initials(" j. s ") == "JS" and child_match.initials("1.") is None
    assert child_match.date_of_birth("2019-03-04T00:00:00+00:00") == "2019-03-04"
    assert child_match.date_of_birth("04/03/2019") is None
    assert child_match.local_authority("  North   Shire ") == child_match.local_authority("north shire")


def test_no_key_without_a_whole_basis():
    declaration = _declaration()
    assert child_match.child_keys({"child_initials": "JS", "child_dob": "2019-03-04"}, declaration, SECRET) == {}
    assert child_match.child_keys(CHILD, declaration, "") == {}
    assert set(child_match.child_keys({"referral": CHILD}, declaration, SECRET)) == {"nhs", "details"}


# --- the deployment secret -------------------------------------------------------------------------------------

def test_a_weak_secret_is_refused_and_a_missing_one_generated_once(monkeypatch, tmp_path):
    monkeypatch.setenv("LIF_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("LIF_CHILD_MATCH_SECRET", "short")
    with pytest.raises(InvalidData, match="LIF_CHILD_MATCH_SECRET must be at least 32 characters"):
        Config.from_env(secret_key="x", database_url="sqlite://")
    monkeypatch.delenv("LIF_CHILD_MATCH_SECRET")
    first = Config.from_env(secret_key="x", database_url="sqlite://")
    assert len(first.child_match_secret) >= 32 and (tmp_path / "child_match_secret").read_text() == \
        first.child_match_secret
    assert Config.from_env(secret_key="x", database_url="sqlite://").child_match_secret == first.child_match_secret
    assert first.step_settings.child_match_secret == first.child_match_secret
    assert first.child_match_secret not in repr(first) + repr(first.step_settings)


# --- the declaration, at deploy --------------------------------------------------------------------------------

@pytest.mark.parametrize("declaration,message", [
    ("yes", "child_match: must be an object"),
    ({"nhs_number": "n", "link_message": "further_referral", "name": "child_name"},
     "child_match: 'name' is not one of"),
    ({"nhs_number": "child nhs", "link_message": "further_referral"}, "child_match: nhs_number: 'child nhs' is not a "
                                                                       "variable name"),
    ({"initials": "i", "dob": "d", "link_message": "further_referral"},
     "child_match: initials, dob and local_authority match a child only together: local_authority is missing"),
    ({"payload": "referral", "link_message": "further_referral"}, "child_match: name nhs_number, or initials"),
    ({"nhs_number": "n"}, "child_match: link_message must name the message"),
    ({"nhs_number": "n", "link_message": "nobody_catches"},
     "child_match: link_message 'nobody_catches' is not a message this bundle catches"),
])
def test_a_malformed_declaration_is_refused_at_deploy(deploy, bundle_copy, declaration, message):
    path = bundle_copy("child_referral")
    model = json.loads((path / "process_model.json").read_text())
    (path / "process_model.json").write_text(json.dumps({**model, "child_match": declaration}))
    with pytest.raises(InvalidData) as refused:
        deploy(path)
    assert any(p["message"].startswith(message) and p["file"] == "process_model.json"
               for p in refused.value.details), refused.value.details


def test_a_message_from_outside_without_correlation_is_refused_when_several_cases_wait(matching, cases, factory):
    """Two open cases for two children both wait for ``further_referral`` (an event sub-process, no correlation):
    a message naming neither would write one child's referral into both, so it is refused and changes nothing."""
    (first,) = _refer(cases)
    (second,) = _refer(cases, child_nhs_number="", child_initials="AB", child_dob="2020-01-01")
    assert first != second
    before = {case: cases.ready_names(case) for case in (first, second)}
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        messages.send_message(s, "further_referral", {}, {**CHILD}, actor="api", now=NOW)
    assert refused.value.details == [{"field": "correlation",
                                      "message": "is required when several cases wait for the message"}]
    assert {case: cases.ready_names(case) for case in (first, second)} == before
