"""cdop: the Joint Agency Response (the ``cdop_jar`` process, called for an unexpected death that meets the JAR
criteria): initial information sharing and planning, the home or scene visit by the lead agency (or the reason
there is none), the JAR record, and what it hands back to the case. It runs beside the agency reports."""
from __future__ import annotations

from .scenarios_kit import at


def _unexpected(run, **choices):
    case = run.start("cdop")
    run.do(case, "notification", jar=True, **choices)
    return case


def test_planning_names_the_agencies_and_the_lead_agency_does_the_visit_and_the_record(run):
    run.move_to(at("2027-01-11", 10))  # a Monday
    case = _unexpected(run)
    planning = run.task(case, "jar_planning")
    assert (planning.role, planning.agency, planning.priority) == ("coordinator", None, 1)
    assert planning.due_at == at("2027-01-12", 10)  # P1D
    shown = run.shown(planning)
    assert shown["jar_criteria"] == ["sudden_no_apparent_cause"] and shown["notified_agencies"]
    run.complete(planning, lead="health")
    visit = run.task(case, "jar_visit")
    assert (visit.role, visit.agency) == ("reviewer", "health")
    assert visit.due_at == at("2027-01-13", 10)  # P2D
    assert "circumstances" not in run.shown(visit)
    run.complete(visit)
    record = run.task(case, "jar_record")
    assert (record.role, record.agency) == ("reviewer", "health")
    assert record.due_at == at("2027-01-18", 10)  # P7D
    assert run.shown(record)["visit_findings"].startswith("Infant shared an adult bed")
    run.complete(record)
    data = run.instance(case).data
    assert data["jar_outcome"] == "no_concern" and data["referral_due_at_jar"] is False
    assert data["jar_agencies"] == ["police", "csc", "health"] and data["jar_lead_agency"] == "health"
    assert run.ready_names(case) == ["identify_agencies"]  # the reports' branch goes on by itself


def test_without_a_home_visit_the_record_gives_the_reason(run):
    case = _unexpected(run, jar_criteria=["external_causes"])
    run.do(case, "jar_planning", home_visit=False)
    assert run.ready_names(case) == ["identify_agencies", "jar_record"]
    record = run.task(case, "jar_record")
    assert run.shown(record)["no_visit_reason"].startswith("The death followed a road traffic collision")
    assert "visit_findings" not in run.shown(record)


def test_the_jar_and_the_agency_reports_run_side_by_side_and_keep_each_others_answers(run):
    case = _unexpected(run)
    run.do(case, "identify_agencies", agencies_involved=["police", "health"])  # differs from the notification's list
    run.do_each(case, "agency_report")
    run.do(case, "family_views")
    run.do(case, "jar_planning")
    run.do(case, "jar_visit")
    assert run.ready_names(case) == ["jar_record"]
    run.do(case, "jar_record")  # the JAR finishes last: its copy of the case must not undo the other branch's
    data = run.instance(case).data
    assert data["agencies_involved"] == ["police", "health"]
    assert sorted(r["agency"] for r in data["agency_returns"]) == ["health", "police"]
    assert data["jar_summary"] and data["referred_at"] == ""
    meeting = run.task(case, "cdrm")
    assert run.shown(meeting)["jar_summary"] == data["jar_summary"]


def test_the_jar_deadlines_run_on_any_day(run):
    """The JAR answers to a death, not to office hours: its tasks say ``dueOnAnyDay``, so Christmas Day stays."""
    run.move_to(at("2026-12-24", 16))  # Thursday, Christmas Eve
    case = _unexpected(run)
    planning = run.task(case, "jar_planning")
    assert planning.due_at == at("2026-12-25", 16)
    run.complete(planning)
    assert run.task(case, "jar_visit").due_at == at("2026-12-26", 16)
