"""The JSON API of issue 4: extend a deadline, chase a task, pause and resume a case's clock, and the caller's
in-app notifications."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.api_kit import API, check_error, check_instance, check_task, iso
from tests.conftest import PASSWORDS
from web import create_app

from .conftest import START
from .notifications_kit import delivered, end_of, london, mail_config

POLICE = {"lead_agency": "police", "pseudonym": "Child P"}
NOTIFICATION_FIELDS = {"id", "kind", "task_id", "instance_id", "subject", "body", "created_at", "read_at"}


@pytest.fixture
def client(db_url, db, smtp, tmp_path, room):
    return create_app(mail_config(db_url, smtp.port, workflows_dir=tmp_path / "none")).test_client()


@pytest.fixture
def call(client):
    """``call("post", "/tasks/x/extend", "cora", {...})``: the response, signed in as that user (afresh each
    time, as the tests move the clock past a token's lifetime)."""
    def _call(method: str, path: str, who: str, body=None, **params):
        r = client.post(API + "/auth/token", json={"username": who, "password": PASSWORDS[who]})
        assert r.status_code == 200, r.json
        headers = {"Authorization": f"Bearer {r.json['token']}"}
        return getattr(client, method)(API + path, headers=headers, json=body, query_string=params)
    return _call


@pytest.fixture
def case(deploy, room):
    deploy("notif_agency")
    instance_id = room.start("notif_agency", now=START, data=POLICE)
    return instance_id, room.task_id(instance_id)


def test_extend(call, case, room):
    instance_id, task_id = case
    r = call("post", f"/tasks/{task_id}/extend", "cora", {"due_at": "2027-01-07T23:59:59Z",
                                                          "reason": "Police disclosure awaited"})
    assert r.status_code == 200, r.json
    task = check_task(r.json)
    assert (task["id"], iso(task["due_at"]), task["overdue"]) == (task_id, end_of(2027, 1, 7), False)
    assert room.rungs(task_id) == [("reminder", "2026-12-24 09:00"), ("reminder", "2027-01-05 09:00"),
                                   ("overdue", "2027-01-07 23:59"), ("escalation", "2027-01-08 09:00")]
    r = call("post", f"/tasks/{task_id}/extend", "cora", {"due_at": "2027-01-08T10:00:00+01:00", "reason": "again"})
    assert r.status_code == 200 and iso(r.json["due_at"]) == london(2027, 1, 8, 9, 0)
    assert room.words(instance_id, "task.deadline_extended") == ["Police disclosure awaited", "again"]


@pytest.mark.parametrize("body, status, field", [
    ({"due_at": "2027-01-07T23:59:59Z"}, 422, "reason"),
    ({"due_at": "2027-01-07T23:59:59Z", "reason": ""}, 422, "reason"),
    ({"due_at": "2027-01-07T23:59:59Z", "reason": "   "}, 422, "reason"),
    ({"due_at": "2026-12-09T12:00:00Z", "reason": "back-dated"}, 422, "due_at"),
    ({"due_at": "2027-01-07T23:59:59", "reason": "no offset"}, 422, "due_at"),
    ({"due_at": "next week", "reason": "not a date"}, 422, "due_at"),
    ({"reason": "no date"}, 422, "due_at"),
])
def test_extend_refuses_bad_requests(call, case, room, body, status, field):
    instance_id, task_id = case
    error = check_error(call("post", f"/tasks/{task_id}/extend", "cora", body), status)
    assert field in str(error["details"]), error
    assert room.task(task_id).due_at == end_of(2026, 12, 24)
    assert room.actions(instance_id, "task.deadline_extended") == []


def test_extend_needs_a_coordinator_and_an_open_task(call, case, room):
    _instance_id, task_id = case
    body = {"due_at": "2027-01-07T23:59:59Z", "reason": "please"}
    check_error(call("post", f"/tasks/{task_id}/extend", "pat", body), 403)
    check_error(call("post", f"/tasks/{task_id}/extend", "chad", body), 403)
    check_error(call("post", "/tasks/no-such-task/extend", "cora", body), 404)
    assert call("post", f"/tasks/{task_id}/complete", "pat", {"data": {}}).status_code == 200
    check_error(call("post", f"/tasks/{task_id}/extend", "cora", body), 409)
    assert room.task(task_id).due_at == end_of(2026, 12, 24)
    assert room.rungs(task_id) == []


def test_chase(call, case, room, smtp, clock):
    _instance_id, task_id = case
    r = call("post", f"/tasks/{task_id}/chase", "cora", {"message": "Chronology by Friday, please"})
    assert r.status_code == 202, r.json
    clock.move_to(START + timedelta(minutes=1))
    assert call("post", f"/tasks/{task_id}/chase", "cora", {}).status_code == 202  # the message is optional
    chasers = room.notes(task_id=task_id, kind="chaser")
    assert sorted(n.entry for n in chasers) == [("chaser", "pat", "email"), ("chaser", "pat", "email"),
                                                ("chaser", "pat", "inapp"), ("chaser", "pat", "inapp")]
    assert any("Chronology by Friday, please" in n.body for n in chasers)
    room.sweep(START + timedelta(minutes=1))
    assert sorted(str(m["Subject"]) for m in delivered(room, smtp)) == [
        "Chaser: Agency return (NOTIF-AGENCY-2026-0001, Child P)"] * 2 + [
        "New task: Agency return (NOTIF-AGENCY-2026-0001, Child P)"]

    check_error(call("post", f"/tasks/{task_id}/chase", "pat", {"message": "me?"}), 403)
    check_error(call("post", f"/tasks/{task_id}/chase", "cora", {"message": "x" * 2001}), 422)
    check_error(call("post", f"/tasks/{task_id}/chase", "cora", ["not", "an", "object"]), 400)
    assert call("post", f"/tasks/{task_id}/complete", "pat", {"data": {}}).status_code == 200
    check_error(call("post", f"/tasks/{task_id}/chase", "cora", {}), 409)
    assert len(room.notes(kind="chaser")) == 4


def test_pause_and_resume(call, case, room, clock):
    instance_id, task_id = case
    paused_at = london(2026, 12, 14, 12, 0)
    clock.move_to(paused_at)
    r = call("post", f"/process-instances/{instance_id}/pause", "cora", {"reason": "Criminal proceedings"})
    assert r.status_code == 200, r.json
    assert check_instance(r.json)["id"] == instance_id and r.json["status"] == "active"
    assert room.rungs(task_id) == []
    check_error(call("post", f"/process-instances/{instance_id}/pause", "cora", {"reason": "twice"}), 409)
    check_error(call("post", f"/process-instances/{instance_id}/resume", "pat", {"reason": "mine"}), 403)
    check_error(call("post", f"/process-instances/{instance_id}/resume", "cora", {}), 422)
    check_error(call("post", f"/process-instances/{instance_id}/resume", "cora", {"reason": ""}), 422)

    resumed_at = london(2026, 12, 22, 12, 0)
    clock.move_to(resumed_at)
    r = call("post", f"/process-instances/{instance_id}/resume", "cora", {"reason": "Trial concluded"})
    assert r.status_code == 200, r.json
    [task] = [t for t in check_instance(r.json)["tasks"] if t["id"] == task_id]
    assert iso(task["due_at"]) == end_of(2027, 1, 6)  # 6 working days later
    assert room.rungs(task_id) == [("reminder", "2026-12-23 09:00"), ("reminder", "2027-01-04 09:00"),
                                   ("overdue", "2027-01-06 23:59"), ("escalation", "2027-01-07 09:00")]
    check_error(call("post", f"/process-instances/{instance_id}/resume", "cora", {"reason": "again"}), 409)
    assert [a.action for a in room.actions(instance_id) if a.action.startswith("instance.")][-2:] == [
        "instance.paused", "instance.resumed"]


def test_pause_needs_a_coordinator_and_a_reason(call, case, room):
    instance_id, task_id = case
    check_error(call("post", f"/process-instances/{instance_id}/pause", "pat", {"reason": "mine"}), 403)
    check_error(call("post", f"/process-instances/{instance_id}/pause", "cora", {}), 422)
    check_error(call("post", f"/process-instances/{instance_id}/pause", "cora", {"reason": "  "}), 422)
    check_error(call("post", "/process-instances/nope/pause", "cora", {"reason": "x"}), 404)
    check_error(call("post", f"/process-instances/{instance_id}/resume", "cora", {"reason": "not paused"}), 409)
    assert room.instance(instance_id).paused_at is None
    assert len(room.rungs(task_id)) == 4


def test_notifications_list(call, case, room, clock):
    instance_id, task_id = case
    room.sweep(london(2026, 12, 15, 9, 5))  # the first reminder
    clock.move_to(london(2026, 12, 15, 10, 0))

    r = call("get", "/notifications", "pat", unread="true")
    assert r.status_code == 200, r.json
    assert set(r.json) >= {"items", "total"} and r.json["total"] == 2
    items = r.json["items"]
    for item in items:
        assert set(item) == NOTIFICATION_FIELDS, item
        assert (item["task_id"], item["instance_id"], item["read_at"]) == (task_id, instance_id, None)
        assert isinstance(item["id"], int) and item["subject"] and item["body"]
        iso(item["created_at"])
    assert [(i["kind"], iso(i["created_at"])) for i in items] == [("reminder", london(2026, 12, 15, 9, 5)),
                                                                   ("new_task", START)]  # newest first
    assert items[0]["subject"].startswith("Reminder: Agency return (NOTIF-AGENCY-2026-0001, Child P) is due in ")

    assert client_post_read(call, items[1]["id"], "pat").status_code == 204
    r = call("get", "/notifications", "pat", unread="true")
    assert (r.json["total"], [i["kind"] for i in r.json["items"]]) == (1, ["reminder"])
    r = call("get", "/notifications", "pat")
    assert r.json["total"] == 2
    assert [iso(i["read_at"]) if i["read_at"] else None for i in r.json["items"]] == [
        None, london(2026, 12, 15, 10, 0)]
    r = call("get", "/notifications", "pat", limit=1, offset=1)
    assert (r.json["total"], [i["kind"] for i in r.json["items"]]) == (2, ["new_task"])

    # in-app rows only, and only the caller's own
    assert call("get", "/notifications", "sam", unread="true").json == {"items": [], "total": 0}
    assert client_post_read(call, items[0]["id"], "sam").status_code == 404
    [email] = [n for n in room.notes(recipient="pat", channel="email", kind="reminder")]
    assert client_post_read(call, email.id, "pat").status_code == 404


def client_post_read(call, notification_id: int, who: str):
    return call("post", f"/notifications/{notification_id}/read", who)


def test_notifications_need_a_token(client):
    check_error(client.get(API + "/notifications?unread=true"), 401)


def test_a_later_sweep_sees_the_deadline_the_api_set(call, case, room, clock):
    """The ladder follows an extension made through the API: the old reminder time passes in silence."""
    _instance_id, task_id = case
    call("post", f"/tasks/{task_id}/extend", "cora", {"due_at": "2027-01-07T23:59:59Z", "reason": "agreed"})
    room.sweep(london(2026, 12, 15, 9, 5))
    assert room.notes(kind="reminder") == []
    room.sweep(london(2026, 12, 24, 9, 5))
    assert len(room.notes(kind="reminder")) == 2
