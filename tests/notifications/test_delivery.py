"""E-mail delivery over a real SMTP server (aiosmtpd on 127.0.0.1): what a message says, retries with backoff
while the server is down, and a worker that dies between claiming a row and sending it."""
from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import notifications
from engine.cases.due import _lease as lease_due_row
from engine.store.db import transaction
from notifications import delivery

from .conftest import START
from .notifications_kit import BASE_URL, Room, SmtpServer, delivered, free_port, mail_config

SIMPLE = {"lead_agency": "police", "pseudonym": "Child P"}


def test_the_message_names_the_case_and_links_to_the_task(deploy, room, smtp):
    deploy("notif_agency")
    instance_id = room.start("notif_agency", now=START, data=SIMPLE)
    task_id = room.task_id(instance_id)
    assert room.sweep(START + timedelta(minutes=1))["sent"] == 1
    [message] = delivered(room, smtp)
    [row] = room.notes(channel="email")

    assert str(message["To"]) == "pat@police.test"
    assert str(message["From"]) == "lif@lif.test"
    assert str(message["Subject"]) == "New task: Agency return (NOTIF-AGENCY-2026-0001, Child P)"
    assert message["Message-ID"] and str(message["X-LIF-Idempotency-Key"]).strip() == row.key
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"{BASE_URL}/tasks/{task_id}"
    assert "Case: NOTIF-AGENCY-2026-0001 (Child P)" in text
    assert f"Open the task: {link}" in text
    assert "Due: Thursday 24 December 2026 (in 10 working days)" in text
    assert "for Police" in text
    assert f'<a href="{link}">' in html
    assert "NOTIF-AGENCY-2026-0001" in html and "(Child P)" in html
    assert "lead_agency" not in text  # the case's data is not mailed out

    after = room.note(row.id)
    assert (after.state, after.attempts, after.sent_at, after.last_error) == ("sent", 1, START + timedelta(minutes=1),
                                                                              None)
    assert room.sweep(START + timedelta(minutes=2))["sent"] == 0
    assert len(delivered(room, smtp)) == 1  # the second sweep sent nothing again


def test_html_escapes_what_people_typed(deploy, room, smtp):
    deploy("notif_agency")
    room.start("notif_agency", now=START, data={"lead_agency": "police", "pseudonym": "<b>Child</b> & co"})
    room.sweep(START)
    [message] = delivered(room, smtp)
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Child&lt;/b&gt; &amp; co" in html and "<b>Child</b>" not in html


def _room_on(server, deploy, factory, partnership, db_url):
    """The notifications room installed to send through ``server``, with a case waiting to be mailed."""
    config = mail_config(db_url, server.port)
    notifications.install(config)
    room = Room(factory, partnership, config)
    room.give_emails()
    deploy("notif_agency")
    room.start("notif_agency", now=START, data=SIMPLE)
    return room


def test_retried_with_backoff_while_the_server_is_down_then_sent_once(deploy, factory, partnership, db_url, clock):
    """The server is down (nothing listens on the port): each failed attempt is recorded with its error and the
    next attempt time (1, then 5 minutes later), and the row stays pending. Once the server is back, the next
    sweep sends it, exactly once."""
    server = SmtpServer(free_port())  # not started: the port is closed
    room = _room_on(server, deploy, factory, partnership, db_url)
    [row] = room.notes(channel="email")

    result = room.sweep(START)
    assert (result["sent"], result["failed"]) == (0, 1)
    failed = room.note(row.id)
    assert (failed.state, failed.attempts, failed.sent_at) == ("pending", 1, None)
    assert failed.next_attempt_at == START + timedelta(minutes=1)
    assert failed.last_error and ("ConnectionRefusedError" in failed.last_error or "Errno" in failed.last_error)
    assert failed.lease_owner is None and failed.lease_until is None

    assert room.sweep(START + timedelta(seconds=30))["failed"] == 0  # not before its next attempt
    assert room.note(row.id).attempts == 1

    assert room.sweep(START + timedelta(minutes=1))["failed"] == 1
    again = room.note(row.id)
    assert (again.state, again.attempts) == ("pending", 2)
    assert again.next_attempt_at == START + timedelta(minutes=6)

    server.start()
    try:
        assert room.sweep(START + timedelta(minutes=5))["sent"] == 0  # still waiting for its turn
        result = room.sweep(START + timedelta(minutes=6))
        assert (result["sent"], result["failed"]) == (1, 0)
        assert len(delivered(room, server)) == 1
        sent = room.note(row.id)
        assert (sent.state, sent.attempts, sent.last_error, sent.sent_at) == ("sent", 3, None,
                                                                              START + timedelta(minutes=6))
        room.sweep(START + timedelta(hours=1))
        assert server.keys() == [row.key]
    finally:
        server.stop()


def test_the_server_going_away_mid_run_is_retried(deploy, room, smtp):
    deploy("notif_agency")
    room.start("notif_agency", now=START, data=SIMPLE)
    smtp.stop()
    assert room.sweep(START)["failed"] == 1
    smtp.start()
    assert room.sweep(START + timedelta(minutes=1))["sent"] == 1
    assert len(delivered(room, smtp)) == 1


def test_a_worker_that_leased_a_row_and_died_leaves_it_to_go_out_once_later(deploy, room, smtp):
    """A scheduler claims a pending e-mail (the lease) and dies before sending: nobody sends it while the lease
    holds; after it expires the next sweep sends it, once."""
    deploy("notif_agency")
    room.start("notif_agency", now=START, data=SIMPLE)
    [row] = room.notes(channel="email")
    with transaction(room.factory) as s:
        assert delivery.lease(s, row.id, "dead-worker", START)
    with transaction(room.factory) as s:
        assert not delivery.lease(s, row.id, "another", START + timedelta(minutes=1))  # still held

    assert room.sweep(START + timedelta(minutes=1))["sent"] == 0
    assert room.sweep(START + delivery.LEASE - timedelta(seconds=1))["sent"] == 0
    assert smtp.messages == []
    assert room.sweep(START + delivery.LEASE + timedelta(seconds=1))["sent"] == 1
    assert room.sweep(START + delivery.LEASE + timedelta(minutes=1))["sent"] == 0
    assert len(delivered(room, smtp)) == 1 and smtp.keys() == [row.key]
    after = room.note(row.id)
    assert (after.state, after.attempts, after.lease_owner) == ("sent", 1, None)


def test_a_due_row_claimed_by_a_worker_that_died_runs_once_later(deploy, room, smtp):
    """The same for the due table: a reminder claimed by a dead scheduler waits for its lease, then goes out
    once."""
    deploy("notif_agency")
    instance_id = room.start("notif_agency", now=START, data=SIMPLE)
    task_id = room.task_id(instance_id)
    reminder = room.due(task_id=task_id, kind="ladder")[0]
    due = reminder.due_at
    with transaction(room.factory) as s:
        assert lease_due_row(s, reminder.id, "dead-worker", due)
    assert room.sweep(due + timedelta(minutes=1))["ladder"] == 0
    assert room.notes(kind="reminder") == []
    assert room.sweep(due + timedelta(minutes=6))["ladder"] == 1
    assert room.sweep(due + timedelta(minutes=7))["ladder"] == 0
    assert sorted(n.entry for n in room.notes(kind="reminder")) == [("reminder", "pat", "email"),
                                                                    ("reminder", "pat", "inapp")]
    assert [r.done_at for r in room.due(task_id=task_id, kind="ladder") if r.id == reminder.id] == [
        due + timedelta(minutes=6)]


def test_backoff_grows_and_a_hopeless_row_is_kept_as_failed(deploy, factory, partnership, db_url, clock):
    """1, 5, 15, 60, 240 minutes, then every 12 hours; after the last attempt the row is marked failed, with its
    error, and kept."""
    from .notifications_kit import Room

    config = mail_config(db_url, free_port())  # nothing ever listens there
    notifications.install(config)
    room = Room(factory, partnership, config)
    room.give_emails()
    deploy("notif_agency")
    room.start("notif_agency", now=START, data=SIMPLE)
    [row] = room.notes(channel="email")
    attempts_at, moment = [], START
    while room.note(row.id).state == "pending":
        room.sweep(moment)
        attempts_at.append(moment)
        moment = room.note(row.id).next_attempt_at
    gaps = [int((b - a).total_seconds() // 60) for a, b in pairwise(attempts_at)]
    assert gaps == [1, 5, 15, 60, 240] + [720] * 6
    final = room.note(row.id)
    assert (final.state, final.attempts, final.sent_at) == ("failed", delivery.MAX_ATTEMPTS, None)
    assert final.last_error
    assert room.sweep(attempts_at[-1] + timedelta(days=1))["failed"] == 0  # Monday 14 Dec: nothing else due
    assert room.note(row.id).attempts == delivery.MAX_ATTEMPTS
