"""Two people completing the same task at the same moment: one success, one clear conflict, one step."""
from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from sqlalchemy import event

import notifications
from engine import events
from engine.cases import runtime
from engine.config import Config
from engine.errors import Conflict
from engine.work import tasks

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

SUBMIT = {"summary": "Missed referral", "agency": "police"}


def _race(factory, task_id, actors) -> list[object]:
    """Complete ``task_id`` once per actor, each in its own thread and session, all released together."""
    return _race_pairs(factory, [(task_id, actor) for actor in actors], SUBMIT)


@pytest.mark.parametrize("cached", [False, True], ids=["restored", "cached"])
def test_concurrent_completion_of_same_task_one_success_one_conflict(deploy, cases, factory, cached, monkeypatch):
    monkeypatch.setattr(runtime.WORKFLOWS, "enabled", cached)
    deploy("simple_review")
    instance_id = cases.start("simple_review")
    task_id = cases.task(instance_id, "submit").id
    results = _race(factory, task_id, [cases.actor("police"), cases.actor("csc")])
    assert sorted(map(str, results)) == ["completed", "conflict"], results
    assert [t.name for t in cases.tasks(instance_id)] == ["approve"]  # advanced exactly once
    assert [t.id for t in cases.tasks(instance_id, state="completed")] == [task_id]
    assert cases.actions(instance_id).count("task.completed") == 1
    assert cases.actions(instance_id).count("task.ready") == 2  # submit, then one approve


def test_concurrent_completion_then_instance_still_works(deploy, cases, factory, restore_every_step):
    deploy("simple_review")
    instance_id = cases.start("simple_review")
    _race(factory, cases.task(instance_id, "submit").id, [cases.actor("police"), cases.actor("csc")])
    cases.complete(cases.task(instance_id, "approve").id, {"approved": True}, who="chair")
    assert cases.instance(instance_id).status == "completed"


def _race_pairs(factory, pairs, data=None) -> list[object]:
    """Complete each (task id, actor) with ``data`` in its own thread and session, all released together."""
    barrier = threading.Barrier(len(pairs))
    results: list[object] = []
    lock = threading.Lock()

    def attempt(task_id, actor):
        session = factory()
        try:
            barrier.wait(timeout=10)
            tasks.complete_task(session, task_id, dict(data or {}), actor=actor, now=NOW)
            session.commit()
            outcome: object = "completed"
        except Conflict:
            session.rollback()
            outcome = "conflict"
        except Exception as exc:  # a deadlock or any other error is a failure the test reports
            session.rollback()
            outcome = exc
        finally:
            session.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a completion hung"
    return results


def _writes(engine, action) -> list[str]:
    """The tables written by ``action``, in order (audit rows left out: they are inserts no step waits on)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        words = statement.split()
        verb = words[0].upper()
        table = words[1] if verb == "UPDATE" else words[2] if verb in ("INSERT", "DELETE") else None
        if table and table != "audit_event":
            seen.append(f"{verb} {table}")
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("cached", [False, True], ids=["restored", "cached"])
def test_a_step_writes_its_case_row_before_any_other_row(deploy, cases, factory, db, db_url, cached, monkeypatch):
    """Ending the case withdraws the other task and drops the timer and the reminder rungs (notifications are
    installed); the case's row is still written first, so a step racing on the other task queues on the case's
    row instead of deadlocking with this one."""
    monkeypatch.setattr(runtime.WORKFLOWS, "enabled", cached)
    monkeypatch.setattr(events, "_handlers", defaultdict(list))  # installed for this test only
    notifications.install(Config.from_env(database_url=db_url, secret_key="test", mail_backend="console"))
    deploy("terminate_branch")
    instance_id = cases.start("terminate_branch")
    finish = cases.task(instance_id, "finish").id
    writes = _writes(db, lambda: cases.complete(finish))
    assert writes[0] == "UPDATE process_instance", writes
    assert {"UPDATE human_task", "DELETE due_item"} <= set(writes)
    assert cases.instance(instance_id).status == "completed"
    assert [t.name for t in cases.tasks(instance_id, state="cancelled")] == ["other"]


def test_two_steps_of_one_case_at_once_one_wins_and_nothing_is_lost(deploy, cases, factory):
    """Finishing (which ends the case and withdraws the other task) races completing the other task: each time
    exactly one step wins, the other is told to reload, and the case ends once."""
    deploy("terminate_branch")
    coordinator = cases.actor("coordinator")
    for _ in range(4):
        instance_id = cases.start("terminate_branch")
        pairs = [(cases.task(instance_id, name).id, coordinator) for name in ("finish", "other")]
        results = _race_pairs(factory, pairs)
        assert sorted(map(str, results)) in (["completed", "conflict"], ["completed", "completed"]), results
        completed = [t.name for t in cases.tasks(instance_id, state="completed")]
        assert len(completed) == results.count("completed")
        if "finish" in completed:
            assert cases.instance(instance_id).status == "completed"
        assert cases.actions(instance_id).count("task.completed") == len(completed)
