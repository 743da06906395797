"""The daily digest: a user who chose it gets no single e-mails; what was held for them goes out in one e-mail
after 07:00 London the next morning. In-app notifications are never held."""
from __future__ import annotations

from notifications import outbox

from .conftest import START
from .notifications_kit import BASE_URL, delivered, london

POLICE = {"lead_agency": "police"}


def test_held_e_mails_go_out_as_one_digest_after_seven(deploy, room, clock, smtp):
    room.set_user("pat", daily_digest=True)
    deploy("notif_agency")
    first = room.start("notif_agency", now=START, data=POLICE)  # Thursday 10 Dec, 10:00
    room.sweep(london(2026, 12, 10, 10, 5))
    afternoon = london(2026, 12, 10, 14, 0)
    clock.move_to(afternoon)
    second = room.start("notif_agency", now=afternoon, data=POLICE)
    room.sweep(london(2026, 12, 10, 14, 5))
    room.sweep(london(2026, 12, 11, 6, 59))

    pats = room.notes(recipient="pat", channel="email")
    assert [(n.kind, n.state) for n in pats] == [("new_task", "held"), ("new_task", "held")]
    assert [(n.kind, n.state) for n in room.notes(recipient="pat", channel="inapp")] == [("new_task", "sent")] * 2
    assert smtp.messages == []  # no single e-mail, and no digest before 07:00

    result = room.sweep(london(2026, 12, 11, 7, 1))
    assert (result["digests"], result["sent"]) == (1, 1)
    [digest] = delivered(room, smtp)
    assert str(digest["To"]) == "pat@police.test"
    assert str(digest["Subject"]) == "Your LIF digest for Friday 11 December 2026: 2 updates"
    text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = digest.get_body(("html",)).get_content()
    assert "Your LIF digest for Friday 11 December 2026: 2 updates." in text
    for instance_id, key in ((first, "NOTIF-AGENCY-2026-0001"), (second, "NOTIF-AGENCY-2026-0002")):
        link = f"{BASE_URL}/tasks/{room.task_id(instance_id)}"
        assert f"- New task: Agency return ({key})\n  {link}" in text
        assert f'<a href="{link}">New task: Agency return ({key})</a>' in html
    assert [n.state for n in room.notes(recipient="pat", kind="new_task", channel="email")] == ["digested"] * 2

    assert room.sweep(london(2026, 12, 11, 9, 5))["digests"] == 0
    assert len(delivered(room, smtp)) == 1  # no second digest


def test_what_arrives_after_the_digest_waits_for_the_next_morning(deploy, room, clock, smtp):
    room.set_user("pat", daily_digest=True)
    deploy("notif_agency")
    room.start("notif_agency", now=START, data=POLICE)
    room.sweep(london(2026, 12, 11, 7, 5))
    assert len(delivered(room, smtp)) == 1

    later = london(2026, 12, 11, 10, 0)
    clock.move_to(later)
    room.start("notif_agency", now=later, data=POLICE)
    assert room.sweep(london(2026, 12, 11, 10, 5))["digests"] == 0
    assert room.sweep(london(2026, 12, 12, 6, 0))["digests"] == 0
    assert room.sweep(london(2026, 12, 12, 7, 0))["digests"] == 1
    messages = delivered(room, smtp)
    assert len(messages) == 2
    assert [str(m["Subject"]) for m in messages] == ["Your LIF digest for Friday 11 December 2026: 1 update",
                                                       "Your LIF digest for Saturday 12 December 2026: 1 update"]
    assert "NOTIF-AGENCY-2026-0002" in messages[1].get_body(("plain",)).get_content()
    assert room.sweep(london(2026, 12, 13, 7, 0))["digests"] == 0  # nothing held: no empty digest


def test_only_the_user_who_chose_it_is_held(deploy, room, clock, smtp):
    """pat (digest) and the escalation's cora and polly (single e-mails). The next sweep is on Tuesday 29 Dec at
    09:00 (the return is overdue and escalated by then): cora and polly get their escalations at once, pat one
    digest of what was held before 07:00 (the new task and the chaser), while the overdue notice written at 09:00
    waits for tomorrow's digest."""
    room.set_user("pat", daily_digest=True)
    deploy("notif_agency")
    instance_id = room.start("notif_agency", now=START, data=POLICE)
    task_id = room.task_id(instance_id)
    room.call(outbox.send_chaser, task_id, "please", now=START, base_url=BASE_URL)
    room.sweep(START)
    assert smtp.messages == []

    escalated = london(2026, 12, 29, 9, 0)
    clock.move_to(escalated)
    room.sweep(escalated)
    got = sorted((str(m["To"]), str(m["Subject"])) for m in delivered(room, smtp))
    assert [to for to, _ in got] == ["cora@lif.test", "pat@police.test", "polly@police.test"]
    assert got[0][1].startswith("Escalation: ") and got[2][1].startswith("Escalation: ")
    assert got[1][1] == "Your LIF digest for Tuesday 29 December 2026: 2 updates"
    assert sorted((n.kind, n.state) for n in room.notes(recipient="pat", channel="email")) == [
        ("chaser", "digested"), ("digest", "sent"), ("new_task", "digested"), ("overdue", "held")]
    assert [(n.kind, n.state) for n in room.notes(recipient="pat", channel="inapp")] == [
        ("new_task", "sent"), ("chaser", "sent"), ("overdue", "sent")]
