"""The compliance report's other measures, from cases run through the real engine with known answers: CDOP agency
reports on time by agency, Section 11 returns by agency and by standard against the previous cycle, actions open
past their due date by agency (a re-planned one measured against its new date, and shown), case file audit grades
by month, and reviews published within 6 months."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update

from engine.store.db import transaction
from engine.store.models import PlanAction

from .scenarios_kit import at
from .test_compliance_deadlines import YEAR_2026, YEAR_2027, drill, report

AMBER_3 = ["green", "green", "amber", "green", "green", "green", "green", "green"]
RED_1_NA_6 = ["red", "green", "green", "green", "green", "na", "green", "green"]
ALL_GREEN = ["green"] * 8


def shares(measure, breakdown):
    return {s.key: (s.label, s.numerator, s.denominator) for s in measure.breakdowns[breakdown]}


# --- CDOP -----------------------------------------------------------------------------------------------------

def cdop_reports_asked(run, day, agencies):
    run.move_to(at(day, 10))
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    run.do(case, "identify_agencies", agencies_involved=agencies)
    return case


def test_cdop_agency_reports_on_time_by_agency(run):
    first = cdop_reports_asked(run, "2026-11-02", ["police", "csc", "health"])  # due 23 November
    run.move_to(at("2026-11-20", 10))
    run.do(first, "agency_report", "police")
    run.move_to(at("2026-11-23", 16))
    run.do(first, "agency_report", "csc")  # on the due day: on time
    run.move_to(at("2026-11-24", 10))
    run.do(first, "agency_report", "health")  # a day late
    second = cdop_reports_asked(run, "2026-12-01", ["police", "health"])  # due 22 December
    run.move_to(at("2026-12-23", 10))  # police's still open past its date: late; health's done on time before
    found = report(run, *YEAR_2026)["cdop_returns_on_time"]
    assert (found.numerator, found.denominator) == (2, 5)  # health's second report, not done, is late too
    assert shares(found, "by agency") == {"csc": ("Children's Social Care", 1, 1), "health": ("Health Trust", 0, 2),
                                          "police": ("Police", 1, 2)}
    assert set(found.cases) == {first, second}
    _, rows = drill(run, "cdop_returns_on_time", *YEAR_2026)
    assert sorted((r.what, r.met, r.done_on) for r in rows if r.instance_id == first) == [
        ("Children's Social Care", True, date(2026, 11, 23)), ("Health Trust", False, date(2026, 11, 24)),
        ("Police", True, date(2026, 11, 20))]


# --- Section 11 -----------------------------------------------------------------------------------------------

def test_section11_returns_by_agency_and_standard_against_the_previous_cycle(run):
    run.move_to("2025-01-06")
    previous = run.start("section11")
    run.do(previous, "set_cycle", cycle_name="2025-27", return_deadline="2025-03-28")
    run.move_to(at("2025-03-03", 10))
    run.do(previous, "self_evaluation", "police", ratings=ALL_GREEN)
    run.do(previous, "self_evaluation", "csc", ratings=RED_1_NA_6)  # health never returned
    run.move_to("2026-12-01")
    current = run.start("section11")
    run.do(current, "set_cycle", cycle_name="2026-28", return_deadline="2027-02-26")
    run.do_each(current, "self_evaluation", per_agency={"police": {"ratings": AMBER_3},
                                                        "csc": {"ratings": RED_1_NA_6},
                                                        "health": {"ratings": ALL_GREEN}})
    found = report(run, *YEAR_2026)["section11_returns_complete"]
    assert (found.numerator, found.denominator, found.cases) == (3, 3, (current,))
    assert shares(found, "by agency") == {"csc": ("Children's Social Care", 1, 1),
                                          "health": ("Health Trust", 1, 1), "police": ("Police", 1, 1)}
    standards = shares(found, "by standard")
    assert standards["standard_1:green"] == ("Standard 1: green", 2, 3)
    assert standards["standard_1:red"] == ("Standard 1: red", 1, 3)
    assert standards["standard_3:amber"] == ("Standard 3: amber", 1, 3)
    assert standards["standard_6:na"] == ("Standard 6: not applicable", 1, 3)
    assert list(standards)[:4] == ["standard_1:green", "standard_1:amber", "standard_1:red", "standard_1:na"]
    assert shares(found, "previous cycle by agency") == {
        "csc": ("Children's Social Care", 1, 1), "health": ("Health Trust", 0, 1), "police": ("Police", 1, 1)}
    assert shares(found, "previous cycle by standard")["standard_1:green"] == ("Standard 1: green", 1, 2)
    assert found.notes == ("Previous cycle (started 6 January 2025): 2 of 3 returns completed.",)
    previous_year = report(run, date(2025, 1, 1), date(2025, 12, 31))["section11_returns_complete"]
    assert (previous_year.numerator, previous_year.denominator) == (2, 3)
    assert previous_year.breakdowns["previous cycle by agency"] == () and previous_year.notes == ()


# --- actions --------------------------------------------------------------------------------------------------

def test_actions_open_past_their_due_date_by_agency_and_the_re_planned_shown(run):
    run.move_to("2026-10-01")
    plan = run.start("action_plan")
    run.do(plan, "plan_form", actions=4, due_in_days=30)  # police, csc, health, police; due 31 October
    run.move_to("2026-11-16")
    with transaction(run.factory) as s:
        rows = {r.number: r for r in s.query(PlanAction).filter(PlanAction.plan_id == plan)}
        assert sorted(rows) == [1, 2, 3, 4] and {r.agency for r in rows.values()} == {"police", "csc", "health"}
        s.execute(update(PlanAction).where(PlanAction.id == rows[2].id).values(status="signed_off"))
        s.execute(update(PlanAction).where(PlanAction.id == rows[3].id).values(  # re-planned twice, due next year
            replans=2, original_due_date=rows[3].due_date, due_date=date(2027, 3, 31)))
        agencies = {n: r.agency for n, r in rows.items()}
    found = report(run, *YEAR_2026)["actions_overdue"]
    assert (found.numerator, found.denominator, found.cases) == (2, 4, (plan,))
    assert agencies == {1: "police", 2: "csc", 3: "health", 4: "police"}
    assert shares(found, "by agency") == {"csc": ("Children's Social Care", 0, 1), "health": ("Health Trust", 0, 1),
                                          "police": ("Police", 2, 2)}
    assert found.notes == ("1 action was re-planned and is measured against the new due date; 1 of them is open past "
                           "the first due date.",)
    assert report(run, *YEAR_2027)["actions_overdue"].denominator == 0
    _, rows = drill(run, "actions_overdue", *YEAR_2026)
    assert [(r.what, r.met) for r in rows] == [("Action 1", True), ("Action 2", False), ("Action 3", False),
                                               ("Action 4", True)]


# --- case file audits -----------------------------------------------------------------------------------------

def audited(run, day):
    """An audit of 8 children whose meeting on ``day`` grades them good, adequate, inadequate in turn (3, 3, 2)."""
    run.move_to(at(day, 9))
    case = run.start("case_audit")
    run.do(case, "set_audit", sample_size=8, sample_seed=7, pre_audit_due_date=day, meeting_date=day)
    run.run_to_end(case, skip={"audit_meeting"})
    run.move_to(at(day, 15))
    run.do(case, "audit_meeting")
    return case


def test_case_audit_grades_by_month_across_the_year_boundary(run):
    november = audited(run, "2026-11-10")
    january = audited(run, "2027-01-12")
    found = report(run, *YEAR_2026)["case_audit_grades"]
    assert (found.numerator, found.denominator, found.cases) == (6, 8, (november,))
    assert shares(found, "by grade") == {"good": ("Good", 3, 8), "adequate": ("Adequate", 3, 8),
                                         "inadequate": ("Inadequate", 2, 8)}
    assert shares(found, "by month") == {"2026-11": ("November 2026", 6, 8)}
    winter = report(run, date(2026, 11, 1), date(2027, 1, 31))["case_audit_grades"]
    assert (winter.numerator, winter.denominator, winter.cases) == (12, 16, (november, january))
    assert list(shares(winter, "by month")) == ["2026-11", "2027-01"]


# --- publication ----------------------------------------------------------------------------------------------

def reviewed(run, day):
    """A serious case review decided on ``day``, run to its publication."""
    run.move_to(day)
    case = run.start("scr", data={"regime": "lscb2013"}, who="pat")
    run.do(case, "referral", abuse_or_neglect="suspected", child_outcome="died")
    run.run_to_end(case, skip={"publish_report"})
    assert run.ready_names(case) == ["publish_report"]
    return case


def test_reviews_published_within_6_months_of_initiation(run):
    on_time, late = reviewed(run, "2026-01-05"), reviewed(run, "2026-01-05")  # 6 months: Sunday 5 July, so the 6th
    run.move_to("2026-07-06")
    run.do(on_time, "publish_report", publication_date="2026-07-06")
    run.move_to("2026-07-07")
    run.do(late, "publish_report", publication_date="2026-07-07")
    found = report(run, *YEAR_2026)["report_within_6_months"]
    assert (found.numerator, found.denominator, set(found.cases)) == (1, 2, {on_time, late})
    _, rows = drill(run, "report_within_6_months", *YEAR_2026)
    assert sorted((r.started_on, r.due_on, r.done_on, r.met) for r in rows) == [
        (date(2026, 1, 5), date(2026, 7, 6), date(2026, 7, 6), True),
        (date(2026, 1, 5), date(2026, 7, 6), date(2026, 7, 7), False)]


def test_a_report_done_after_midnight_in_summer_time_counts_on_englands_day(run):
    """Days are England's: half past midnight in summer is 23:30 the day before in UTC, as the rows keep it."""
    case = cdop_reports_asked(run, "2026-06-01", ["police", "csc"])  # due 22 June at 10:00
    run.move_to(datetime(2026, 6, 21, 23, 30, tzinfo=UTC))  # 00:30 on 22 June in England: on time
    run.do(case, "agency_report", "police")
    run.move_to(datetime(2026, 6, 22, 23, 30, tzinfo=UTC))  # 00:30 on 23 June: late
    run.do(case, "agency_report", "csc")
    _, rows = drill(run, "cdop_returns_on_time", *YEAR_2026)
    assert sorted((r.what, r.met, r.due_on, r.done_on) for r in rows) == [
        ("Children's Social Care", False, date(2026, 6, 22), date(2026, 6, 23)),
        ("Police", True, date(2026, 6, 22), date(2026, 6, 22))]
