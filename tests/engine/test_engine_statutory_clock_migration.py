"""Revision 0015 gives the tasks made before it the law's clock: their deadline as the statutory one, and their
clock start from their ``dueFrom`` date when their view holds it, else their creation."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from engine.store.db import make_engine
from engine.store.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.store.schema import upgrade_schema
from tests.conftest import NOW

CASE = "11111111-0000-0000-0000-000000000001"
DUE = datetime(2026, 11, 9, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def bare(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _task(task_id, properties, data):
    return dict(id=task_id, instance_id=CASE, process_key="scr", name="notify_panel", title="Notify", state="ready",
                priority=1, due_at=DUE, properties=properties, data=data, created_at=NOW)


def test_tasks_made_before_it_get_their_clock_start_and_statutory_deadline(bare):
    upgrade_schema(bare, "0014_learning_registers")
    with bare.begin() as c:
        c.execute(insert(ProcessDefinition.__table__).values(
            id=1, key="scr", version=1, name="Review", description="", content_hash="x", primary_process_id="scr",
            primary_file_name="scr.bpmn", process_ids=["scr"], message_starts={}, model={}, files={},
            spec_json="{}", deployed_at=NOW))
        c.execute(insert(ProcessInstance.__table__).values(
            id=CASE, definition_id=1, process_key="scr", process_id="scr", business_key="SCR-1", title="SCR-1",
            status="active", data={}, state="", revision="r", created_at=NOW, updated_at=NOW))
        c.execute(insert(HumanTask.__table__), [
            _task("from-date", {"dueIn": "5WD", "dueFrom": "la_aware_on"}, {"la_aware_on": "2026-11-02"}),
            _task("from-creation", {"dueIn": "5WD"}, {}),
            _task("date-not-shown", {"dueIn": "5WD", "dueFrom": "la_aware_on"}, {})])
    upgrade_schema(bare)
    with bare.connect() as c:
        rows = {r.id: r for r in c.execute(select(HumanTask.id, HumanTask.clock_started_at,
                                                  HumanTask.statutory_due_at, HumanTask.paused_days))}
    assert rows["from-date"].clock_started_at == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # London midnight, GMT
    assert rows["from-creation"].clock_started_at == rows["date-not-shown"].clock_started_at == NOW
    assert {r.statutory_due_at for r in rows.values()} == {DUE}
    assert {r.paused_days for r in rows.values()} == {None}
