"""Database helpers: reading units of work, and bulk statements that keep the session's objects in step only
when it holds some."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import bindparam, delete, inspect, select

from engine.people import accounts
from engine.store.db import bulk_execute, reading, transaction
from engine.store.models import Agency, DueItem

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

# timer rows only: other tests in the process may have installed the notifications, which add ladder rows
_DELETE_FOR = delete(DueItem).where(DueItem.instance_id == bindparam("instance_id"), DueItem.kind == "timer")


def _due(factory, *instance_ids: str) -> list[int]:
    with transaction(factory) as s:
        rows = [DueItem(kind="timer", instance_id=i, task_id=None, due_at=NOW, payload={}) for i in instance_ids]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


@pytest.fixture
def cases_ab(deploy, cases) -> dict[str, str]:
    deploy("simple_review")
    return {"a": cases.start("simple_review"), "b": cases.start("simple_review")}


def _left(factory) -> list[str]:
    with transaction(factory) as s:
        return sorted(s.scalars(select(DueItem.instance_id).where(DueItem.kind == "timer")))


def test_bulk_delete_without_objects_in_the_session_goes_straight_to_the_database(factory, cases_ab):
    a, b = cases_ab["a"], cases_ab["b"]
    _due(factory, a, a, b)
    with transaction(factory) as s:
        bulk_execute(s, _DELETE_FOR, {"instance_id": a})
    assert _left(factory) == [b]


def test_bulk_delete_marks_the_sessions_objects_deleted(factory, cases_ab):
    a, b = cases_ab["a"], cases_ab["b"]
    first, _ = _due(factory, a, b)
    with transaction(factory) as s:
        held = s.get(DueItem, first)
        bulk_execute(s, _DELETE_FOR, {"instance_id": a})
        s.flush()
        state = inspect(held)
        assert (state.deleted or state.was_deleted) and held not in s
    assert _left(factory) == [b]


def test_bulk_delete_flushes_pending_changes_first(factory, cases_ab):
    a = cases_ab["a"]
    first, _ = _due(factory, a, a)
    with transaction(factory) as s, s.no_autoflush:
        s.delete(s.get(DueItem, first))  # pending, not yet flushed
        s.add(DueItem(kind="timer", instance_id=a, task_id=None, due_at=NOW, payload={}))
        bulk_execute(s, _DELETE_FOR, {"instance_id": a})
    assert _left(factory) == []


def test_nothing_written_in_a_reading_unit_of_work_is_kept(factory):
    with reading(factory) as s:
        accounts.add_agency(s, "probation", "Probation", actor=None, now=NOW)
        s.flush()
        assert s.scalar(select(Agency.key).where(Agency.key == "probation")) == "probation"
    with transaction(factory) as s:
        assert s.scalar(select(Agency.key).where(Agency.key == "probation")) is None


def test_a_reading_unit_of_work_does_not_wait_for_a_writer(factory):
    with transaction(factory) as s:
        accounts.add_agency(s, "police", "Police", actor=None, now=NOW)
    writer_has_lock, reader_done = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction(factory) as s:
            accounts.add_agency(s, "health", "Health", actor=None, now=NOW)
            s.flush()  # holds the write lock (SQLite) / the uncommitted row (PostgreSQL)
            writer_has_lock.set()
            reader_done.wait(timeout=10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writer_has_lock.wait(timeout=10)
    try:
        with reading(factory) as s:
            keys = sorted(s.scalars(select(Agency.key)))
    finally:
        reader_done.set()
        thread.join(timeout=10)
    assert keys == ["police"]  # read at once, without the writer's uncommitted row
