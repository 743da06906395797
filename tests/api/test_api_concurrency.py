"""Requests racing each other through the API: each in its own test client and thread, released together by a
barrier. Exactly one wins; the others get a clear 409 (or 403 for a claim already taken) and nothing is done twice."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEvent

from .api_kit import API, check_error

SUBMIT = {"summary": "Missed referral", "agency": "police"}


def race(app, requests):
    """Send each ``(method, path, headers, body)`` from its own client and thread at the same moment."""
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def send(index, method, path, headers, body):
        client = app.test_client()
        barrier.wait(timeout=10)
        responses[index] = client.open(path, method=method, headers=headers, json=body)

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return responses


@pytest.fixture
def review(api):
    api.deploy("simple_review")
    instance = api.start("simple_review")
    return instance["id"], instance["tasks"][0]["id"]


def audit_count(db, action, instance_id):
    with db.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditEvent.__table__)
                           .where(AuditEvent.action == action, AuditEvent.instance_id == instance_id))


@pytest.mark.parametrize("racers", [("pat", "sam"), ("pat", "pat")], ids=["two-reviewers", "same-reviewer"])
def test_two_completions_of_one_task_at_once_one_200_one_409(app, api, review, racers):
    instance_id, task_id = review
    requests = [("POST", f"{API}/tasks/{task_id}/complete", api.auth(who), {"data": SUBMIT}) for who in racers]
    responses = race(app, requests)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [(r.status_code, r.get_json()) for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    check_error(loser, 409, "conflict")
    winner = next(r for r in responses if r.status_code == 200)
    assert winner.json["task"]["state"] == "completed"
    instance = api.instance(instance_id)
    assert [(t["name"], t["state"]) for t in instance["tasks"]] == [("submit", "completed"), ("approve", "ready")]
    assert audit_count(api.db, "task.completed", instance_id) == 1
    assert audit_count(api.db, "task.ready", instance_id) == 2


def test_many_completions_of_one_task_at_once_exactly_one_wins(app, api, review):
    instance_id, task_id = review
    requests = [("POST", f"{API}/tasks/{task_id}/complete", api.auth(who), {"data": SUBMIT})
                for who in ("pat", "sam", "hana", "pat", "sam", "hana")]
    statuses = sorted(r.status_code for r in race(app, requests))
    assert statuses == [200, 409, 409, 409, 409, 409]
    assert audit_count(api.db, "task.completed", instance_id) == 1
    assert [t["name"] for t in api.ready(api.instance(instance_id))] == ["approve"]


def test_complete_and_cancel_at_once_leave_a_consistent_case(app, api, review):
    instance_id, task_id = review
    responses = race(app, [("POST", f"{API}/tasks/{task_id}/complete", api.auth("pat"), {"data": SUBMIT}),
                           ("POST", f"{API}/process-instances/{instance_id}/cancel", api.auth("cora"),
                            {"reason": "withdrawn"})])
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}, [(r.status_code, r.get_json()) for r in responses]
    instance = api.instance(instance_id)
    assert instance["status"] == "cancelled"  # cancel either came second or won
    assert not api.ready(instance)
    if statuses[0] == 200:
        assert [t["state"] for t in instance["tasks"]] == ["completed", "cancelled"]
    else:
        assert [t["state"] for t in instance["tasks"]] == ["cancelled"]


def test_claims_of_one_task_at_once_give_it_to_one_person(app, api, review):
    _, task_id = review
    responses = race(app, [("POST", f"{API}/tasks/{task_id}/claim", api.auth(who), None)
                           for who in ("pat", "sam", "hana")])
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, [(r.status_code, r.get_json()) for r in responses]
    for loser in responses:
        if loser is not winners[0]:
            assert loser.status_code in (403, 404, 409), loser.get_json()
            check_error(loser, loser.status_code)
    assert api.task(task_id)["assignee"] == winners[0].json["assignee"]
    assert audit_count(api.db, "task.claimed", review[0]) == 1
