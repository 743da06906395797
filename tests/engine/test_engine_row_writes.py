"""The rows each step writes through Core (engine/row_writes.py): the instance under its optimistic lock, and
the session's objects left agreeing with the database."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Conflict
from engine.store import row_writes
from engine.store.models import HumanTask, ProcessInstance

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


def _instance_id(deploy, cases) -> str:
    deploy("simple_review")
    return cases.start("simple_review")


def test_update_writes_pending_changes_too_and_leaves_nothing_to_flush(deploy, cases, factory):
    instance_id = _instance_id(deploy, cases)
    with factory() as s, s.begin():
        instance = s.get(ProcessInstance, instance_id)
        before = instance.revision
        instance.pseudonym = "Child Q"  # changed on the object, not yet flushed
        row_writes.update_instance(s, instance, {"title": "Renamed", "updated_at": NOW})
        assert instance.revision != before and instance.title == "Renamed"
        assert not s.is_modified(instance)
        revision = instance.revision
        s.flush()
        assert instance.revision == revision  # the flush had nothing left to write, so no second revision
    with factory() as s:
        stored = s.get(ProcessInstance, instance_id)
        assert (stored.title, stored.pseudonym, stored.revision) == ("Renamed", "Child Q", revision)


def test_a_stale_revision_is_a_conflict_and_changes_nothing(deploy, cases, factory):
    instance_id = _instance_id(deploy, cases)
    stale = factory()
    instance = stale.get(ProcessInstance, instance_id)
    stale.commit()  # the object stays loaded (no expiry on commit), as in a later unit of work
    with factory() as s, s.begin():  # another step saves the case first
        row_writes.update_instance(s, s.get(ProcessInstance, instance_id), {"title": "First", "updated_at": NOW})
    with pytest.raises(Conflict):
        row_writes.update_instance(stale, instance, {"title": "Second", "updated_at": NOW})
    stale.rollback()
    stale.close()
    with factory() as s:
        assert s.get(ProcessInstance, instance_id).title == "First"


def test_task_update_and_insert_are_seen_by_later_reads(deploy, cases, factory):
    instance_id = _instance_id(deploy, cases)
    task_id = cases.task(instance_id, "submit").id
    with factory() as s, s.begin():
        row = s.get(HumanTask, task_id)
        row_writes.update_task(s, row, {"assignee": "pat", "claimed_at": NOW})
        assert not s.is_modified(row) and row.assignee == "pat"
        copy = {c.name: getattr(row, c.name) for c in HumanTask.__table__.columns}
        row_writes.insert_tasks(s, [{**copy, "id": "00000000-0000-0000-0000-000000000001", "assignee": None}])
        names = s.scalars(select(HumanTask.assignee).where(HumanTask.instance_id == instance_id)
                          .order_by(HumanTask.id)).all()
        assert names == [None, "pat"]
