"""The compliance report's statutory deadlines, from cases run through the real engine with known answers: the
notification (5 working days), the rapid review (15 working days), publication (6 months), on time and late, a
paused case (the days paused are not counted against the partnership), an extended one (counted late, and shown)
and cases either side of a year boundary."""
from __future__ import annotations

from datetime import date

import pytest

from engine.errors import Forbidden
from engine.records import Actor
from engine.reports import compliance
from engine.store.db import transaction
from engine.work import deadline_changes

from .scenarios_kit import end_of_day

LSCB = {"regime": "lscb2013"}
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
YEAR_2027 = (date(2027, 1, 1), date(2027, 12, 31))


ROLES = {"cora": ("coordinator", None), "chad": ("chair", None), "scot": ("scrutineer", None),
         "lena": ("partner", "csc"), "pat": ("reviewer", "police"), "adam": ("admin", None), "dee": ("designer", None)}


def actor(who):
    role, agency = ROLES[who]
    return Actor(who, frozenset({role}), agency)


def report(run, start, end, who="cora"):
    with transaction(run.factory) as s:
        return {m.key: m for m in compliance.compliance_report(s, actor=actor(who), start=start, end=end,
                                                              now=run.now)}


def drill(run, key, start, end, who="cora"):
    with transaction(run.factory) as s:
        return compliance.measure_cases(s, key, actor=actor(who), start=start, end=end, now=run.now)


def referred(run, aware):
    """A case whose local authority became aware on ``aware``, screened and waiting for the notification."""
    run.move_to(aware)
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", la_aware_on=aware, abuse_or_neglect="suspected", child_outcome="died")
    run.do(case, "screening")
    return case


def notified(run, aware, on):
    case = referred(run, aware)
    run.move_to(on)
    run.do(case, "notify_panel", notification_date=on)
    return case


def test_notifications_on_time_and_late_are_counted_by_when_the_la_became_aware(run):
    on_time = notified(run, "2026-12-21", "2026-12-23")  # due 30 December (Christmas and Boxing Day skipped)
    late = notified(run, "2026-12-22", "2027-01-04")  # due 31 December
    next_year = notified(run, "2027-01-05", "2027-01-06")  # a 2027 case: not in 2026
    found = report(run, *YEAR_2026)["notification_within_5wd"]
    assert (found.numerator, found.denominator, found.percent) == (1, 2, 50.0)
    assert set(found.cases) == {on_time, late}
    assert report(run, *YEAR_2027)["notification_within_5wd"].cases == (next_year,)
    # the range's edges are days, both included
    assert report(run, date(2026, 12, 22), date(2026, 12, 22))["notification_within_5wd"].cases == (late,)
    assert report(run, date(2026, 12, 21), date(2026, 12, 21))["notification_within_5wd"].cases == (on_time,)


def test_an_open_notification_counts_late_only_once_its_deadline_has_passed(run):
    case = referred(run, "2026-12-21")
    run.move_to("2026-12-30")  # the last day: still within time, not counted
    assert report(run, *YEAR_2026)["notification_within_5wd"].denominator == 0
    run.move_to("2026-12-31")
    found = report(run, *YEAR_2026)["notification_within_5wd"]
    assert (found.numerator, found.denominator, found.cases) == (0, 1, (case,))
    _, rows = drill(run, "notification_within_5wd", *YEAR_2026)
    assert [(r.met, r.due_on, r.done_on) for r in rows] == [(False, date(2026, 12, 30), None)]


def test_a_paused_clock_does_not_count_against_the_partnership(run):
    case = referred(run, "2026-12-01")  # due 8 December
    with transaction(run.factory) as s:
        deadline_changes.pause_instance(s, case, "Criminal proceedings", actor=run.coordinator, now=run.now)
    run.move_to("2026-12-07")
    with transaction(run.factory) as s:  # 4 working days paused: due 14 December
        deadline_changes.resume_instance(s, case, "Proceedings ended", actor=run.coordinator, now=run.now)
    run.move_to("2026-12-11")
    run.do(case, "notify_panel", notification_date="2026-12-11")  # after 8 December, within the moved deadline
    found = report(run, *YEAR_2026)["notification_within_5wd"]
    assert (found.numerator, found.denominator) == (1, 1)
    assert any("paused" in note and "4 working days" in note for note in found.notes)
    _, (row,) = drill(run, "notification_within_5wd", *YEAR_2026)
    assert (row.met, row.due_on, row.paused_days) == (True, date(2026, 12, 14), 4)


def test_a_step_done_while_the_clock_stood_still_is_on_time_once_resumed(run):
    case = referred(run, "2026-12-01")  # due 8 December
    with transaction(run.factory) as s:
        deadline_changes.pause_instance(s, case, "Criminal proceedings", actor=run.coordinator, now=run.now)
    run.move_to("2026-12-10")
    run.do(case, "notify_panel", notification_date="2026-12-10")  # during the pause, 7 working days in
    run.move_to("2026-12-14")
    with transaction(run.factory) as s:
        deadline_changes.resume_instance(s, case, "Proceedings ended", actor=run.coordinator, now=run.now)
    found = report(run, *YEAR_2026)["notification_within_5wd"]
    assert (found.numerator, found.denominator) == (1, 1)
    _, (row,) = drill(run, "notification_within_5wd", *YEAR_2026)
    assert (row.met, row.due_on, row.paused_days) == (True, date(2026, 12, 17), 7)


def test_an_extension_counts_against_the_partnership_and_is_shown(run):
    case = referred(run, "2026-12-01")  # due 8 December
    task = run.task(case, "notify_panel")
    with transaction(run.factory) as s:
        deadline_changes.extend_deadline(s, task.id, end_of_day("2026-12-15"), "Details awaited",
                                         actor=run.coordinator, now=run.now)
    run.move_to("2026-12-11")
    run.do(case, "notify_panel", notification_date="2026-12-11")  # within the extension, late by the law
    found = report(run, *YEAR_2026)["notification_within_5wd"]
    assert (found.numerator, found.denominator) == (0, 1)
    assert any("1 deadline was extended" in note and "1 of them late" in note for note in found.notes)
    _, (row,) = drill(run, "notification_within_5wd", *YEAR_2026)
    assert (row.met, row.due_on, row.extended_to) == (False, date(2026, 12, 8), date(2026, 12, 15))


def test_rapid_reviews_within_15_working_days_of_the_notification(run):
    on_time = notified(run, "2026-12-21", "2026-12-23")  # rapid review due 18 January 2027
    run.move_to("2027-01-18")
    run.do(on_time, "rapid_review", rr_sent_date="2027-01-18")
    late = notified(run, "2026-12-01", "2026-12-02")  # due 23 December
    run.move_to("2027-01-19")
    run.do(late, "rapid_review", rr_sent_date="2026-12-24")  # recorded a day late, on the form's date
    found = report(run, *YEAR_2026)["rapid_review_within_15wd"]
    assert (found.numerator, found.denominator) == (1, 2)
    _, rows = drill(run, "rapid_review_within_15wd", *YEAR_2026)
    assert {(r.instance_id, r.met, r.done_on) for r in rows} == {(on_time, True, date(2027, 1, 18)),
                                                                 (late, False, date(2026, 12, 24))}


def test_the_report_is_for_coordinators_chairs_the_scrutineer_and_partners(run):
    notified(run, "2026-12-01", "2026-12-02")
    for who in ("cora", "chad", "scot", "lena"):
        assert len(report(run, *YEAR_2026, who=who)) == len(compliance.KEYS)
    for who in ("pat", "adam", "dee"):
        with pytest.raises(Forbidden):
            report(run, *YEAR_2026, who=who)


def test_a_partner_sees_the_figures_but_may_open_only_their_own_cases(run):
    case = notified(run, "2026-12-01", "2026-12-02")
    _, (row,) = drill(run, "notification_within_5wd", *YEAR_2026, who="lena")
    assert row.instance_id == case and not row.visible
    _, (row,) = drill(run, "notification_within_5wd", *YEAR_2026, who="cora")
    assert row.visible


def test_the_keys_come_in_the_contract_order(run):
    assert tuple(report(run, *YEAR_2026)) == compliance.KEYS
    assert compliance.KEYS[:7] == ("notification_within_5wd", "rapid_review_within_15wd", "report_within_6_months",
                                   "cdop_returns_on_time", "section11_returns_complete", "actions_overdue",
                                   "case_audit_grades")


def test_working_together_2023_cases_count_their_notification_and_first_sending_to_the_panel(run):
    """Under Working Together 2023 the notification is ``notify_panel_wt`` and the rapid review goes to the Panel
    at ``rr_submit``; when the Panel's questions send it again, the first sending is the one timed."""
    run.move_to("2027-04-27")
    case = run.start("scr", who="pat")
    run.do(case, "referral", la_aware_on="2027-04-27", child_outcome="died")  # notification due 5 May
    run.move_to("2027-04-29")
    run.do(case, "notify_panel_wt", notification_date="2027-04-29")  # rapid review due 21 May
    run.do(case, "screening_wt")
    run.do_each(case, "rr_summary")
    run.do(case, "rr_meeting")
    run.do_each(case, "partners_signoff")
    run.move_to("2027-05-24")
    run.do(case, "rr_submit", rr_sent_date="2027-05-24")  # late
    run.do(case, "record_panel_response", outcome="questions")
    run.do(case, "answer_panel")
    run.do(case, "rr_submit", rr_sent_date="2027-05-25")
    found = report(run, *YEAR_2027)
    assert (found["notification_within_5wd"].numerator, found["notification_within_5wd"].denominator) == (1, 1)
    assert (found["rapid_review_within_15wd"].numerator, found["rapid_review_within_15wd"].denominator) == (0, 1)
    _, (row,) = drill(run, "rapid_review_within_15wd", *YEAR_2027)
    assert (row.started_on, row.due_on, row.done_on) == (date(2027, 4, 29), date(2027, 5, 21), date(2027, 5, 24))


def test_a_notification_recorded_after_it_was_sent_counts_by_the_date_sent(run):
    case = referred(run, "2026-12-01")  # due 8 December
    run.move_to("2026-12-10")
    run.do(case, "notify_panel", notification_date="2026-12-07")  # sent on the 7th, recorded on the 10th
    found = report(run, *YEAR_2026)["notification_within_5wd"]
    assert (found.numerator, found.denominator) == (1, 1)
    _, (row,) = drill(run, "notification_within_5wd", *YEAR_2026)
    assert (row.met, row.done_on) == (True, date(2026, 12, 7))
