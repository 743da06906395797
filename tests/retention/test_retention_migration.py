"""Revision 0009 moves the words people typed out of the audit events written before it (reasons, chaser and
error messages, correlation values) into notes of their cases, and leaves the trail append-only again."""
from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DatabaseError

from engine.store.db import make_engine
from engine.store.models import AuditEvent, CaseNote, ProcessDefinition, ProcessInstance
from engine.store.schema import upgrade_schema
from tests.conftest import NOW

CASE = "11111111-0000-0000-0000-000000000001"
EVENTS = [  # (action, instance, details before, details after without the note id, the words kept as a note)
    ("instance.cancelled", CASE, {"reason": "Father arrested"}, {}, "Father arrested"),
    ("task.deadline_extended", CASE, {"reason": "Awaiting police", "due_at": "2027-01-01"},
     {"due_at": "2027-01-01"}, "Awaiting police"),
    ("instance.paused", CASE, {"reason": "Trial"}, {}, "Trial"),
    ("instance.resumed", CASE, {"reason": "Verdict", "working_days_paused": 3}, {"working_days_paused": 3}, "Verdict"),
    ("task.chased", CASE, {"message": "Please send it"}, {}, "Please send it"),
    ("task.chased", CASE, {"message": ""}, {}, None),
    ("instance.error", CASE, {"message": "invalid literal: 'Child A'", "task_name": "calc", "line": 2},
     {"task_name": "calc", "line": 2}, "invalid literal: 'Child A'"),
    ("message.received", None, {"name": "referral", "correlation": {"dob": "2020-01-01"}, "delivered_to": []},
     {"name": "referral", "correlation_keys": ["dob"], "delivered_to": []}, None),
    ("instance.cancelled", "22222222-0000-0000-0000-000000000002", {"reason": "A case that is gone"}, {}, None),
    ("task.completed", CASE, {"name": "notification", "fields": ["urn"]}, {"name": "notification", "fields": ["urn"]},
     None),
]


@pytest.fixture
def bare(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_typed_words_move_from_old_audit_events_to_notes_of_their_cases(bare):
    upgrade_schema(bare, "0006_task_answers")
    with bare.begin() as c:
        c.execute(insert(ProcessDefinition.__table__).values(
            id=1, key="cdop", version=1, name="CDOP", description="", content_hash="x", primary_process_id="cdop",
            primary_file_name="cdop.bpmn", process_ids=["cdop"], message_starts={}, model={}, files={},
            spec_json="{}", deployed_at=NOW))
        c.execute(insert(ProcessInstance.__table__).values(
            id=CASE, definition_id=1, process_key="cdop", process_id="cdop", business_key="CDOP-1", title="CDOP-1",
            status="cancelled", data={}, state="", revision="r", created_at=NOW, updated_at=NOW))
        for action, instance_id, before, _, _ in EVENTS:
            c.execute(insert(AuditEvent.__table__).values(at=NOW, actor="cora", action=action,
                                                          instance_id=instance_id, task_id=None, details=before))
    upgrade_schema(bare)
    with bare.connect() as c:
        events = list(c.execute(select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)))
        notes = {n.id: n for n in c.execute(select(CaseNote))}
    assert [(a, {k: v for k, v in d.items() if k != "note_id"}) for a, d in events] == [
        (action, after) for action, _, _, after, _ in EVENTS]
    kept = [notes[d["note_id"]] if "note_id" in d else None for _, d in events]
    assert [(n.body, n.instance_id, n.action, n.author, n.created_at) if n else None for n in kept] == [
        (words, CASE, action, "cora", NOW) if words else None for action, _, _, _, words in EVENTS]
    with pytest.raises(DatabaseError), bare.begin() as c:  # the trail is append-only again
        c.execute(text("UPDATE audit_event SET actor = 'someone else'"))
