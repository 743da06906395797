"""The reminder and escalation ladder, counted in working days (England and Wales bank holidays skipped).

Each test walks the calendar with time-machine, sweeping as the scheduler would (09:05 and 16:00 London every
day, weekends and bank holidays included, and at the moment a task falls due), and compares every notification
written, by the London minute it was written at, with the exact expected list. Recipients: the police return
goes to pat (the police reviewer); escalations go to cora (coordinator) and polly (the police's senior lead).
Everyone has an e-mail address, so each message is one in-app and one e-mail row."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from engine.errors import Conflict, Forbidden, InvalidData
from engine.work import deadline_changes
from notifications import ladder, outbox

from .conftest import START
from .notifications_kit import BASE_URL, both, end_of, london, stamp

POLICE = {"lead_agency": "police", "pseudonym": "Child P"}


def _start_return(room, key="notif_agency", now=START):
    instance_id = room.start(key, now=now, data=POLICE)
    return instance_id, room.task_id(instance_id)


def _emails_match_outbox(room, smtp):
    """Every e-mail row went out, once, and nothing else arrived."""
    emails = room.notes(channel="email")
    assert all(n.state == "sent" for n in emails), [(n.key, n.state, n.last_error) for n in emails]
    assert sorted(smtp.keys()) == sorted(n.key for n in emails)


def test_default_ladder_across_christmas(deploy, room, clock, smtp):
    """Due Thursday 24 Dec 2026 (10 working days from Thursday 10 Dec): reminders 7 and 2 working days before
    (Tue 15 and Tue 22 Dec), the overdue notice when it falls due, the escalation one working day later, which
    skips Christmas Day, the weekend and the Boxing Day substitute (Tue 29 Dec), then weekly until done."""
    deploy("notif_agency")
    _instance_id, task_id = _start_return(room)
    assert room.task(task_id).due_at == end_of(2026, 12, 24)
    assert room.rungs(task_id) == [("reminder", "2026-12-15 09:00"), ("reminder", "2026-12-22 09:00"),
                                   ("overdue", "2026-12-24 23:59"), ("escalation", "2026-12-29 09:00")]

    done_at = london(2027, 1, 13, 12, 0)
    room.walk(clock, date(2026, 12, 10), date(2027, 1, 31), extra=[end_of(2026, 12, 24)],
              actions={done_at: lambda now: room.complete(task_id, now=now, who="pat")})

    assert room.ledger(task_id) == {
        "2026-12-10 10:00": both(("new_task", "pat")),
        "2026-12-15 09:05": both(("reminder", "pat")),
        "2026-12-22 09:05": both(("reminder", "pat")),
        "2026-12-24 23:59": both(("overdue", "pat")),
        "2026-12-29 09:05": both(("escalation", "cora"), ("escalation", "polly")),
        "2027-01-05 09:05": both(("escalation", "cora"), ("escalation", "polly")),
        "2027-01-12 09:05": both(("escalation", "cora"), ("escalation", "polly")),
    }
    assert room.rungs(task_id) == []  # completed on the 13th: nothing more is scheduled
    _emails_match_outbox(room, smtp)
    subjects = {n.kind: n.subject for n in room.notes(task_id=task_id, channel="email", recipient="pat")}
    assert subjects["reminder"].startswith("Reminder: Agency return (NOTIF-AGENCY-2026-0001, Child P) is due in ")
    assert subjects["overdue"] == "Overdue: Agency return (NOTIF-AGENCY-2026-0001, Child P)"
    escalations = [n.subject for n in room.notes(task_id=task_id, kind="escalation", recipient="cora",
                                                  channel="email")]
    assert escalations == [
        "Escalation: Agency return for Police (NOTIF-AGENCY-2026-0001, Child P) is 1 working day overdue",
        "Escalation: Agency return for Police (NOTIF-AGENCY-2026-0001, Child P) is 5 working days overdue",
        "Escalation: Agency return for Police (NOTIF-AGENCY-2026-0001, Child P) is 10 working days overdue",
    ]


def test_own_ladder_across_easter_and_the_clock_change(deploy, room, clock, smtp):
    """``reminders = -10,-5,-2,0,1,+7w`` on a return due Thursday 18 Mar 2027. The weekly escalation after
    Friday 19 Mar would fall on Good Friday (26 Mar) and moves to the next working day, Tuesday 30 Mar after
    Easter Monday; British Summer Time starts on 28 Mar, and every rung still goes out at 09:00 London."""
    deploy("notif_ladder")
    created = london(2027, 2, 25, 10, 0)
    clock.move_to(created)
    _instance_id, task_id = _start_return(room, "notif_ladder", created)
    assert room.task(task_id).due_at == end_of(2027, 3, 18)
    assert room.rungs(task_id) == [("reminder", "2027-03-04 09:00"), ("reminder", "2027-03-11 09:00"),
                                   ("reminder", "2027-03-16 09:00"), ("overdue", "2027-03-18 23:59"),
                                   ("escalation", "2027-03-19 09:00")]

    done_at = london(2027, 4, 14, 12, 0)
    room.walk(clock, date(2027, 2, 25), date(2027, 4, 30), extra=[end_of(2027, 3, 18)],
              actions={done_at: lambda now: room.complete(task_id, now=now, who="pat")})

    escalated = both(("escalation", "cora"), ("escalation", "polly"))
    assert room.ledger(task_id) == {
        "2027-02-25 10:00": both(("new_task", "pat")),
        "2027-03-04 09:05": both(("reminder", "pat")),
        "2027-03-11 09:05": both(("reminder", "pat")),
        "2027-03-16 09:05": both(("reminder", "pat")),
        "2027-03-18 23:59": both(("overdue", "pat")),
        "2027-03-19 09:05": escalated,
        "2027-03-30 09:05": escalated,  # not Good Friday 26 Mar nor Easter Monday 29 Mar
        "2027-04-06 09:05": escalated,
        "2027-04-13 09:05": escalated,
    }
    for row in room.due(task_id=task_id, kind="ladder"):
        if row.payload["rung"] != "overdue":
            assert stamp(row.due_at).endswith(" 09:00"), row  # 09:00 London before and after the clock change
    assert room.rungs(task_id) == []
    _emails_match_outbox(room, smtp)


def test_no_ladder_messages_after_the_task_is_done(deploy, room, clock, smtp):
    deploy("notif_agency")
    instance_id, task_id = _start_return(room)
    done_at = london(2026, 12, 16, 11, 0)
    room.walk(clock, date(2026, 12, 10), date(2027, 1, 20), extra=[end_of(2026, 12, 24)],
              actions={done_at: lambda now: room.complete(task_id, now=now, who="pat")})
    assert room.ledger(task_id) == {
        "2026-12-10 10:00": both(("new_task", "pat")),
        "2026-12-15 09:05": both(("reminder", "pat")),
    }
    assert room.due(task_id=task_id, kind="ladder", open_only=True) == []
    assert room.instance(instance_id).status == "completed"
    _emails_match_outbox(room, smtp)


def test_extending_the_deadline_moves_the_ladder(deploy, room, clock, smtp):
    """Extended on Monday 14 Dec to Thursday 7 Jan 2027: the old rungs (15, 22, 24 and 29 Dec) never fire; the
    new ones count back over Christmas (7 working days before 7 Jan is Thursday 24 Dec)."""
    deploy("notif_agency")
    instance_id, task_id = _start_return(room)
    new_due = end_of(2027, 1, 7)

    def extend(now: datetime) -> None:
        room.call(deadline_changes.extend_deadline, task_id, new_due, "Police disclosure awaited", now=now)
        assert room.task(task_id).due_at == new_due
        assert room.rungs(task_id) == [("reminder", "2026-12-24 09:00"), ("reminder", "2027-01-05 09:00"),
                                       ("overdue", "2027-01-07 23:59"), ("escalation", "2027-01-08 09:00")]

    room.walk(clock, date(2026, 12, 10), date(2027, 1, 15), extra=[end_of(2026, 12, 24), new_due],
              actions={london(2026, 12, 14, 12, 0): extend})
    escalated = both(("escalation", "cora"), ("escalation", "polly"))
    assert room.ledger(task_id) == {
        "2026-12-10 10:00": both(("new_task", "pat")),
        "2026-12-24 09:05": both(("reminder", "pat")),
        "2027-01-05 09:05": both(("reminder", "pat")),
        "2027-01-07 23:59": both(("overdue", "pat")),
        "2027-01-08 09:05": escalated,
        "2027-01-15 09:05": escalated,
    }
    assert room.words(instance_id, "task.deadline_extended") == ["Police disclosure awaited"]
    _emails_match_outbox(room, smtp)


def test_extending_after_the_escalation_starts_a_new_ladder(deploy, room, clock, smtp):
    """Already escalated on 29 Dec; extended on 30 Dec to Friday 8 Jan: reminders already in the past are not
    sent late, the rest follow the new date, and the old weekly escalation stops."""
    deploy("notif_agency")
    _instance_id, task_id = _start_return(room)
    new_due = end_of(2027, 1, 8)

    def extend(now: datetime) -> None:
        room.call(deadline_changes.extend_deadline, task_id, new_due, "agreed", now=now)

    room.walk(clock, date(2026, 12, 10), date(2027, 1, 19), extra=[end_of(2026, 12, 24), new_due],
              actions={london(2026, 12, 30, 12, 0): extend})
    escalated = both(("escalation", "cora"), ("escalation", "polly"))
    assert room.ledger(task_id) == {
        "2026-12-10 10:00": both(("new_task", "pat")),
        "2026-12-15 09:05": both(("reminder", "pat")),
        "2026-12-22 09:05": both(("reminder", "pat")),
        "2026-12-24 23:59": both(("overdue", "pat")),
        "2026-12-29 09:05": escalated,
        "2027-01-06 09:05": both(("reminder", "pat")),  # 2 working days before Friday 8 Jan
        "2027-01-08 23:59": both(("overdue", "pat")),
        "2027-01-11 09:05": escalated,
        "2027-01-18 09:05": escalated,
    }
    _emails_match_outbox(room, smtp)


def test_pause_stops_the_ladder_and_resume_moves_every_deadline(deploy, room, clock, smtp):
    """Paused on Monday 14 Dec, resumed on Tuesday 22 Dec: 6 working days (15-18, 21, 22 Dec) paused, so the
    deadline moves from Thursday 24 Dec to Wednesday 6 Jan 2027 (past Christmas, Boxing Day and New Year)."""
    deploy("notif_agency")
    instance_id, task_id = _start_return(room)
    _other_id, other_task = _start_return(room)  # not paused: its ladder carries on

    def pause(now: datetime) -> None:
        room.call(deadline_changes.pause_instance, instance_id, "Criminal proceedings", now=now)
        assert room.rungs(task_id) == []

    def resume(now: datetime) -> None:
        room.call(deadline_changes.resume_instance, instance_id, "Trial concluded", now=now)
        assert room.task(task_id).due_at == end_of(2027, 1, 6)
        assert room.rungs(task_id) == [("reminder", "2026-12-23 09:00"), ("reminder", "2027-01-04 09:00"),
                                       ("overdue", "2027-01-06 23:59"), ("escalation", "2027-01-07 09:00")]

    room.walk(clock, date(2026, 12, 10), date(2027, 1, 14), extra=[end_of(2026, 12, 24), end_of(2027, 1, 6)],
              actions={london(2026, 12, 14, 12, 0): pause, london(2026, 12, 22, 12, 0): resume})
    escalated = both(("escalation", "cora"), ("escalation", "polly"))
    assert room.ledger(task_id) == {
        "2026-12-10 10:00": both(("new_task", "pat")),
        "2026-12-23 09:05": both(("reminder", "pat")),
        "2027-01-04 09:05": both(("reminder", "pat")),
        "2027-01-06 23:59": both(("overdue", "pat")),
        "2027-01-07 09:05": escalated,
        "2027-01-14 09:05": escalated,
    }
    assert room.ledger(other_task) == {
        "2026-12-10 10:00": both(("new_task", "pat")),
        "2026-12-15 09:05": both(("reminder", "pat")),
        "2026-12-22 09:05": both(("reminder", "pat")),
        "2026-12-24 23:59": both(("overdue", "pat")),
        "2026-12-29 09:05": escalated,
        "2027-01-05 09:05": escalated,
        "2027-01-12 09:05": escalated,
    }
    resumed = room.actions(instance_id, "instance.resumed")
    assert [a.details["working_days_paused"] for a in resumed] == [6]
    _emails_match_outbox(room, smtp)


def test_after_a_scheduler_outage_each_rung_goes_out_once_without_a_burst(deploy, room, clock, smtp):
    """No sweep ran from Thursday 10 Dec until Monday 1 Feb 2027. The first sweep back sends the overdue notice
    and one escalation; the reminders, which would now read "due 26 working days ago", are dropped; the weekly
    escalation continues a week later, not once a minute to catch up the missed weeks."""
    deploy("notif_agency")
    _instance_id, task_id = _start_return(room)
    back = london(2027, 2, 1, 9, 5)
    every_minute = [back + timedelta(minutes=m) for m in range(15)]
    room.walk(clock, date(2027, 2, 2), date(2027, 2, 16), extra=every_minute)
    escalated = both(("escalation", "cora"), ("escalation", "polly"))
    assert room.ledger(task_id) == {
        "2026-12-10 10:00": both(("new_task", "pat")),
        "2027-02-01 09:05": sorted(both(("overdue", "pat")) + escalated),
        "2027-02-08 09:05": escalated,
        "2027-02-15 09:05": escalated,
    }
    _emails_match_outbox(room, smtp)


def test_escalations_go_to_the_coordinators_alone_without_a_senior_lead(deploy, room, clock):
    deploy("notif_agency")
    room.set_senior_lead("police", None)
    room.add_user("cleo", ["coordinator"], email="cleo@lif.test", now=START)
    room.add_user("old", ["coordinator"], email="old@lif.test", now=START)
    room.set_user("old", active=False)
    _instance_id, _task_id = _start_return(room)
    room.sweep(london(2026, 12, 29, 9, 5))
    assert sorted(n.entry for n in room.notes(kind="escalation")) == both(("escalation", "cleo"),
                                                                          ("escalation", "cora"))


def test_a_chaser_goes_to_the_agency_then_to_the_assignee(deploy, room, clock, smtp):
    deploy("notif_agency")
    room.add_user("pete", ["reviewer"], "police", email="pete@police.test", now=START)
    instance_id, task_id = _start_return(room)
    first = london(2026, 12, 11, 10, 0)
    clock.move_to(first)
    room.call(outbox.send_chaser, task_id, "  Please send the chronology by Friday.  ", now=first, base_url=BASE_URL)
    chasers = room.notes(task_id=task_id, kind="chaser")
    assert sorted(n.entry for n in chasers) == both(("chaser", "pat"), ("chaser", "pete"))
    assert all("Please send the chronology by Friday." in n.body for n in chasers)
    assert all("cora is chasing this task." in n.body for n in chasers)

    room.claim(task_id, now=first, who="pat")
    second = london(2026, 12, 11, 11, 0)
    room.call(outbox.send_chaser, task_id, None, now=second, base_url=BASE_URL)
    assert room.ledger(task_id)["2026-12-11 11:00"] == both(("chaser", "pat"))

    room.sweep(second)
    assert sorted(smtp.keys()) == sorted(n.key for n in room.notes(channel="email"))
    chaser_mail = [m for m in smtp.messages if str(m["Subject"]).startswith("Chaser:")]
    assert sorted(str(m["To"]) for m in chaser_mail) == ["pat@police.test", "pat@police.test", "pete@police.test"]
    assert room.words(instance_id, "task.chased") == ["Please send the chronology by Friday.", None]


def test_only_a_coordinator_chases_and_only_an_open_task(deploy, room, clock):
    deploy("notif_agency")
    _instance_id, task_id = _start_return(room)
    with pytest.raises(Forbidden):
        room.call(outbox.send_chaser, task_id, "hurry", now=START, who="pat", base_url=BASE_URL)
    room.complete(task_id, now=START, who="pat")
    with pytest.raises(Conflict):
        room.call(outbox.send_chaser, task_id, "hurry", now=START, base_url=BASE_URL)
    assert room.notes(kind="chaser") == []


def test_extend_and_pause_need_a_coordinator_and_a_reason(deploy, room, clock):
    deploy("notif_agency")
    instance_id, task_id = _start_return(room)
    later = end_of(2027, 1, 7)
    with pytest.raises(Forbidden):
        room.call(deadline_changes.extend_deadline, task_id, later, "please", now=START, who="pat")
    with pytest.raises(InvalidData):
        room.call(deadline_changes.extend_deadline, task_id, later, "   ", now=START)
    with pytest.raises(InvalidData):
        room.call(deadline_changes.extend_deadline, task_id, london(2026, 12, 9), "back-dated", now=START)
    with pytest.raises(Forbidden):
        room.call(deadline_changes.pause_instance, instance_id, "why not", now=START, who="pat")
    with pytest.raises(Conflict):
        room.call(deadline_changes.resume_instance, instance_id, "not paused", now=START)
    assert room.task(task_id).due_at == end_of(2026, 12, 24)
    assert len(room.rungs(task_id)) == 4


def test_ladder_parsing():
    assert ladder.parse(None) == ladder.parse("-7,-2,0,1,+7w")
    rungs, repeat = ladder.parse("1, -10 ,0,-5,-2,+7w")
    assert [(r.offset, r.kind) for r in rungs] == [(-10, "reminder"), (-5, "reminder"), (-2, "reminder"),
                                                  (0, "overdue"), (1, "escalation")]
    assert repeat == 7
    assert ladder.parse("-3,0")[1] is None
