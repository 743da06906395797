"""Messages between instances, correlated, with LIF as the broker; messages from outside; message starts."""
from __future__ import annotations

import pytest

from engine.cases import instances, messages
from engine.errors import InvalidData
from engine.store.db import transaction

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


@pytest.fixture
def closing(deploy, restore_every_step):
    deploy("message_receiver")  # first: a receiver deployed after the sender would need an admin's pairing
    deploy("message_sender")


def _send(factory, name, correlation, payload):
    with transaction(factory) as s:
        return messages.send_message(s, name, correlation, payload, actor="api", now=NOW)


def _close(cases, case_ref, outcome):
    sender = cases.start("message_sender", data={"case_ref": case_ref})
    cases.complete(cases.task(sender, "close_case").id, {"outcome": outcome})
    return sender


def test_waiting_instance_subscribes_with_its_correlation(closing, cases):
    receiver = cases.start("message_receiver", data={"case_ref": "CR-1"})
    assert cases.subscriptions(receiver) == [("case_closed", {"case_ref": "CR-1"})]
    assert cases.ready_names(receiver) == []


def test_thrown_message_reaches_only_the_instance_with_its_correlation(closing, cases):
    first = cases.start("message_receiver", data={"case_ref": "CR-1"})
    second = cases.start("message_receiver", data={"case_ref": "CR-2"})
    sender = _close(cases, "CR-2", "closed, no further action")
    assert cases.instance(sender).status == "completed"
    assert cases.ready_names(second) == ["follow_up"]
    assert cases.instance(second).data["closure"] == {"case_ref": "CR-2", "outcome": "closed, no further action"}
    assert cases.subscriptions(second) == []
    assert cases.ready_names(first) == []
    assert cases.subscriptions(first) == [("case_closed", {"case_ref": "CR-1"})]
    (thrown,) = [e for e in cases.trail(sender) if e["action"] == "message.thrown"]
    assert thrown["details"]["delivered_to"] == [second]


def test_each_waiting_instance_receives_its_own_message(closing, cases):
    first = cases.start("message_receiver", data={"case_ref": "CR-1"})
    second = cases.start("message_receiver", data={"case_ref": "CR-2"})
    _close(cases, "CR-1", "first outcome")
    _close(cases, "CR-2", "second outcome")
    assert cases.instance(first).data["closure"]["outcome"] == "first outcome"
    assert cases.instance(second).data["closure"]["outcome"] == "second outcome"


def test_thrown_message_nobody_waits_for_is_dropped(closing, cases):
    waiting = cases.start("message_receiver", data={"case_ref": "CR-1"})
    sender = _close(cases, "CR-9", "unmatched")
    assert cases.instance(sender).status == "completed"
    assert cases.ready_names(waiting) == []
    (thrown,) = [e for e in cases.trail(sender) if e["action"] == "message.thrown"]
    assert thrown["details"]["delivered_to"] == []


def test_send_message_from_outside_with_correlation(closing, cases, factory):
    first = cases.start("message_receiver", data={"case_ref": "CR-1"})
    second = cases.start("message_receiver", data={"case_ref": "CR-2"})
    assert _send(factory, "case_closed", {"case_ref": "CR-1"}, {"outcome": "closed by the court"}) == [first]
    assert cases.ready_names(first) == ["follow_up"]
    assert cases.instance(first).data["closure"] == {"outcome": "closed by the court", "case_ref": "CR-1"}
    assert cases.ready_names(second) == []


def test_send_message_with_unknown_correlation_reaches_nobody(closing, cases, factory):
    waiting = cases.start("message_receiver", data={"case_ref": "CR-1"})
    assert _send(factory, "case_closed", {"case_ref": "CR-404"}, {"outcome": "x"}) == []
    assert _send(factory, "no_such_message", {}, {}) == []
    assert cases.ready_names(waiting) == []


def test_message_is_caught_once(closing, cases, factory):
    waiting = cases.start("message_receiver", data={"case_ref": "CR-1"})
    assert _send(factory, "case_closed", {"case_ref": "CR-1"}, {"outcome": "first"}) == [waiting]
    assert _send(factory, "case_closed", {"case_ref": "CR-1"}, {"outcome": "second"}) == []
    assert cases.instance(waiting).data["closure"]["outcome"] == "first"


def test_cancelled_instance_no_longer_receives_messages(closing, cases, factory):
    waiting = cases.start("message_receiver", data={"case_ref": "CR-1"})
    with transaction(factory) as s:
        instances.cancel_instance(s, waiting, "Withdrawn", actor=cases.actor("coordinator"), now=NOW)
    assert cases.subscriptions(waiting) == []
    assert _send(factory, "case_closed", {"case_ref": "CR-1"}, {"outcome": "late"}) == []
    assert "closure" not in cases.instance(waiting).data


def test_message_start_event_creates_new_instance(deploy, cases, factory, restore_every_step):
    deploy("message_start")
    payload = {"child": "Child B", "business_key": "REF-2026-042"}
    (started,) = _send(factory, "referral_received", {}, payload)
    row = cases.instance(started)
    assert (row.status, row.business_key) == ("active", "REF-2026-042")
    assert row.data["referral"] == payload
    assert cases.ready_names(started) == ["triage"]
    assert cases.actions(started)[:1] == ["instance.started"]


def test_message_start_without_business_key_numbers_the_case(deploy, cases, factory, restore_every_step):
    deploy("message_start")
    first = _send(factory, "referral_received", {}, {"child": "Child C"})
    second = _send(factory, "referral_received", {}, {"child": "Child D"})
    keys = [cases.instance(i).business_key for i in first + second]
    assert keys == ["MESSAGE-START-2026-0001", "MESSAGE-START-2026-0002"]


def test_send_message_without_name_is_invalid(closing, factory):
    with pytest.raises(InvalidData):
        _send(factory, "", {}, {})
    with pytest.raises(InvalidData):
        _send(factory, "case_closed", ["not", "a", "dict"], {})
