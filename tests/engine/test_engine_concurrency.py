"""Two people completing the same task at the same moment: one success, one clear conflict, one step."""
from __future__ import annotations

import threading

import pytest

from engine import runtime, tasks
from engine.errors import Conflict

from .enginetest import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

SUBMIT = {"summary": "Missed referral", "agency": "police"}


def _race(factory, task_id, actors) -> list[object]:
    """Complete ``task_id`` once per actor, each in its own thread and session, all released together."""
    barrier = threading.Barrier(len(actors))
    results: list[object] = []
    lock = threading.Lock()

    def attempt(actor):
        session = factory()
        try:
            barrier.wait(timeout=10)
            tasks.complete_task(session, task_id, dict(SUBMIT), actor=actor, now=NOW)
            session.commit()
            outcome: object = "completed"
        except Conflict:
            session.rollback()
            outcome = "conflict"
        except Exception as exc:  # anything else is a failure the test reports
            session.rollback()
            outcome = exc
        finally:
            session.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a completion hung"
    return results


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


def _race_pairs(factory, pairs) -> list[object]:
    """Complete each (task id, actor) in its own thread and session, all released together."""
    barrier = threading.Barrier(len(pairs))
    results: list[object] = []
    lock = threading.Lock()

    def attempt(task_id, actor):
        session = factory()
        try:
            barrier.wait(timeout=10)
            tasks.complete_task(session, task_id, {}, actor=actor, now=NOW)
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


def test_parallel_tasks_of_one_case_completed_at_once_never_deadlock(deploy, cases, factory):
    """Every step writes its case's row first, so two steps of one case queue on it instead of deadlocking
    on each other's task rows: at least one succeeds, the others are told to reload, nothing is lost."""
    deploy("deadlines")
    instance_id = cases.start("deadlines", data={"notified_on": "2026-12-01"})
    ready = cases.tasks(instance_id)
    assert len(ready) == 3
    coordinator = cases.actor("coordinator")
    for _ in range(3):
        results = _race_pairs(factory, [(task.id, coordinator) for task in ready])
        assert all(r in ("completed", "conflict") for r in results), results
        assert "completed" in results
        done = {t.id for t in cases.tasks(instance_id, state="completed")}
        assert len(done) == results.count("completed") + (3 - len(ready))
        ready = cases.tasks(instance_id)
        if not ready:
            break
    assert cases.instance(instance_id).status == "completed"
    assert cases.actions(instance_id).count("task.completed") == 3
