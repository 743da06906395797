"""The audit trail never holds what people typed: each of the five shipped processes is run to its end with a
distinct marker in every free-text answer, comment, draft, reason (cancel, extend, pause, resume, legal hold) and
chaser message, and no audit event may contain one. Then the case is disposed of, and no row it owns may."""
from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import inspect, or_, select

from engine.bundles.retention_policy import policy_of
from engine.cases import instances, messages
from engine.retention import disposal
from engine.store import audit
from engine.store.db import transaction
from engine.store.models import (
    CaseNote,
    CaseStatistics,
    Comment,
    DueItem,
    HumanTask,
    LegalHold,
    MessageSubscription,
    Notification,
    ProcessInstance,
)
from tests.conftest import NOW
from tests.scenarios.conftest import SHIPPED

from .markers_kit import MarkedScenario, found_in
from .retention_kit import audit_rows


@pytest.fixture
def marked(factory, partnership, shipped, traveller):
    return MarkedScenario(factory, traveller)


def _leaks(factory) -> list:
    return [(row.action, found_in(row.details)) for row in audit_rows(factory) if found_in(row.details)]


@pytest.mark.slow  # five whole processes, each with every kind of typed reason: ~10 s each
@pytest.mark.parametrize("key", SHIPPED)
def test_no_typed_value_reaches_the_audit_trail_and_disposal_leaves_none(marked, factory, key):
    case = marked.drive(key)
    cancelled = marked.cancelled_case(key)
    assert found_in(marked.instance(case).data), "the markers never reached the case: the test would prove nothing"
    assert found_in(_owned_rows(factory, case)) and found_in(_owned_rows(factory, cancelled))
    assert _leaks(factory) == []

    before = audit_rows(factory, case)
    _move_past_retention(marked, case)
    with transaction(factory) as s:
        result = disposal.dispose_case(s, case, marked.instance(case).business_key, actor=marked.coordinator,
                                       now=marked.now)
    assert found_in(_owned_rows(factory, case)) == []
    assert found_in(result.outcomes) == []
    after = audit_rows(factory, case)
    assert [(r.id, r.action, r.details) for r in after[:len(before)]] == [(r.id, r.action, r.details) for r in before]
    assert [r.action for r in after[len(before):]] == ["documents.erased", "instance.disposed"]
    assert _leaks(factory) == []


def _move_past_retention(marked, case) -> None:
    with transaction(marked.factory) as s:
        row = s.get(ProcessInstance, case)
        due = policy_of(row.definition.model).retention_date(row.created_at, row.completed_at)
    marked.traveller.move_to(due + relativedelta(days=1))


def _owned_rows(factory, instance_id: str) -> list[dict]:
    """Every column of every row the case owns (the audit trail aside), as dictionaries."""
    with transaction(factory) as s:
        task_ids = select(HumanTask.id).where(HumanTask.instance_id == instance_id)
        queries = [select(ProcessInstance).where(ProcessInstance.id == instance_id)] + [
            select(model).where(model.instance_id == instance_id)
            for model in (HumanTask, Comment, CaseNote, DueItem, MessageSubscription, LegalHold, CaseStatistics)]
        queries.append(select(Notification).where(or_(Notification.instance_id == instance_id,
                                                      Notification.task_id.in_(task_ids))))
        rows = [row for query in queries for row in s.scalars(query)]
        return [{c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs} for row in rows]


def test_a_script_error_quoting_the_case_data_stays_out_of_the_audit_trail(factory, partnership, deploy,
                                                                           bundle_copy, restore_every_step):
    deploy(bundle_copy("script_task", replace={"positive = [v * 2 for v in values if v &gt; 0]":
                                               "positive = int(values[0])"}))
    with transaction(factory) as s:
        row = instances.start_instance(s, "script_task", data={"values": ["QZX0001-answer"], "agencies": []},
                                       actor=partnership["coordinator"], now=NOW)
        case = row.id
    with transaction(factory) as s:
        error = s.get(ProcessInstance, case).error
    assert "QZX0001" in error["message"]  # the case keeps the whole message, for the coordinator
    (event,) = [r for r in audit_rows(factory, case) if r.action == "instance.error"]
    assert event.details["task_name"] == "calculate" and event.details["note_id"]
    assert _leaks(factory) == []


def test_a_message_from_outside_leaves_its_correlation_values_out_of_the_audit_trail(factory, partnership, deploy):
    deploy("message_start")
    with transaction(factory) as s:
        messages.send_message(s, "referral_received", {"child_dob": "QZX0002-answer"}, {"child": "QZX0003-answer"},
                              actor="api-client", now=NOW)
    (received,) = [r for r in audit_rows(factory) if r.action == "message.received"]
    assert received.details["correlation_keys"] == ["child_dob"] and len(received.details["delivered_to"]) == 1
    assert _leaks(factory) == []


def test_the_leak_check_finds_a_marker_in_an_event(factory, partnership):
    with transaction(factory) as s:
        audit.record(s, "test.event", actor="cora", now=NOW, reason="QZX0004-answer")
    assert [action for action, _ in _leaks(factory)] == ["test.event"]
