"""The yearly case file audit programme (``case_audit_programme``): the coordinator enters the themes and months
the QA sub-group agreed; each planned audit starts as a case_audit case on the first working day of its month (a
weekend or bank holiday moves it on, as the deadlines do), with its theme, criteria and agencies filled in; the
programme closes once its last audit has started."""
from __future__ import annotations

from datetime import datetime

import pytest

PLAN = [  # out of order on purpose: the programme sorts them by month
    # 1 May 2027 is a Saturday and 3 May a bank holiday; 1 January is New Year's Day, a Friday
    {"year": 2027, "month": "05", "theme": "Domestic abuse: children in the household"},
    {"year": 2027, "month": "01", "theme": "Neglect: response to early signs",
     "cohort_criteria": "Children referred for neglect between October and December 2026",
     "agencies_taking_part": ["csc", "health"]},
    {"year": 2027, "month": "03", "theme": "Child exploitation: return interviews"},  # 1 March: a Monday
    {"year": 2027, "month": "08", "theme": "Children missing education"},  # 1 August a Sunday; holiday 30 August
]


STARTS = {"2027-01": "2027-01-04", "2027-03": "2027-03-01", "2027-05": "2027-05-04", "2027-08": "2027-08-02"}


def _planned(run):
    run.move_to("2026-12-07")
    programme = run.start("case_audit_programme")
    run.do(programme, "plan_programme", planned_audits=PLAN, programme_name="2027")
    return programme


def test_each_audit_is_dated_the_first_working_day_of_its_month(run):
    programme = _planned(run)
    data = run.instance(programme).data
    assert [(a["month"], a["start_on"], a["month_name"]) for a in data["programme_audits"]] == [
        ("01", "2027-01-04", "January 2027"), ("03", "2027-03-01", "March 2027"),
        ("05", "2027-05-04", "May 2027"), ("08", "2027-08-02", "August 2027")]
    assert data["case_title"] == "Case file audit programme 2027" and data["audits_planned"] == 4
    assert sorted(run.timers(programme)) == [_seven_utc(day) for day in sorted(STARTS.values())]
    assert run.instances("case_audit") == []


def _seven_utc(day, minute=0):
    """07:00 UTC on ``day``, when a planned audit's timer is due (the scheduler's sweep finds it a moment later)."""
    return datetime.fromisoformat(f"{day}T07:{minute:02d}:00+00:00")


def test_a_planned_audit_starts_on_its_date_with_its_theme_filled_in(run):
    programme = _planned(run)
    run.move_to(_seven_utc("2027-01-01", 5))  # New Year's Day: not yet
    run.sweep()
    assert run.instances("case_audit") == []
    run.move_to(_seven_utc("2027-01-03", 5))
    run.sweep()
    assert run.instances("case_audit") == []
    run.move_to(_seven_utc("2027-01-04", 5))
    run.sweep()
    (audit,) = run.instances("case_audit")
    assert audit.title == "Case file audit: Neglect: response to early signs"
    set_up = run.task(audit.id, "set_audit")
    shown = run.shown(set_up)
    assert shown["audit_theme"] == PLAN[1]["theme"] and shown["cohort_criteria"] == PLAN[1]["cohort_criteria"]
    assert shown["agencies_taking_part"] == ["csc", "health"]
    assert shown["planned_audit"]["programme"] == "2027" and shown["planned_audit"]["month_name"] == "January 2027"
    run.complete(set_up, sample_seed=4242, sample_size=8, pre_audit_due_date="2027-01-29",
                 meeting_date="2027-02-12")
    run.do(audit.id, "identify_sample")
    assert sorted(t.agency for t in run.ready(audit.id, name="pre_audit")) == ["csc", "health"]
    assert run.instance(programme).status == "active"  # three more to start


def test_the_programme_closes_once_its_last_audit_has_started(run):
    programme = _planned(run)
    by_hand = run.start("case_audit")  # an audit started by hand never receives a planned one
    for day in sorted(STARTS.values()):
        run.move_to(_seven_utc(day, 5))
        run.sweep()
    audits = [a for a in run.instances("case_audit") if a.id != by_hand]
    assert run.ready_names(by_hand) == ["set_audit"]
    assert run.shown(run.task(by_hand, "set_audit"))["planned_audit"] is None
    assert [a.created_at.date().isoformat() for a in audits] == sorted(STARTS.values())
    assert [a.data["audit_theme"] for a in audits] == [PLAN[i]["theme"] for i in (1, 2, 0, 3)]
    assert run.instance(programme).status == "completed"


@pytest.mark.parametrize("audit, field", [({"year": 2027, "month": "13", "theme": "Neglect"}, "month"),
                                          ({"year": 1999, "month": "01", "theme": "Neglect"}, "year"),
                                          ({"month": "01", "theme": "Neglect"}, "year")])
def test_each_audit_has_a_month_and_a_year(run, audit, field):
    run.move_to("2026-12-07")
    programme = run.start("case_audit_programme")
    with pytest.raises(AssertionError, match=rf"planned_audits\[0\]\.{field}"):
        run.do(programme, "plan_programme", planned_audits=[audit])
