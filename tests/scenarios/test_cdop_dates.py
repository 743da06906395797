"""cdop: exact deadlines across Christmas 2026, Easter 2027 and the May and August 2027 bank holidays. The agency
report's 3 weeks (``P21D``, a local SLA: DOMAIN A3) are calendar days; a calendar deadline that ends on a weekend
or an England and Wales bank holiday moves to the next working day, at the same London time (SPEC §3). The
bank holidays: Christmas Day Friday 25 December 2026, Boxing Day Saturday 26 December with its substitute Monday 28
December; Good Friday 26 March and Easter Monday 29 March 2027; the early May bank holiday 3 May, the spring bank
holiday 31 May and the summer bank holiday 30 August 2027."""
from __future__ import annotations

import json

import pytest
from lxml import etree

from .conftest import WORKFLOWS
from .scenarios_kit import at, end_of_day

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def _requests_on(run, when):
    """A case whose agency reports and family views are requested at ``when`` (London)."""
    run.move_to(when)
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    run.do(case, "identify_agencies", agencies_involved=["police", "csc"])
    return case


@pytest.mark.parametrize(("requested", "due"), [
    pytest.param(at("2026-12-07", 14), at("2026-12-29", 14), id="christmas-substitute-boxing-day"),
    pytest.param(at("2026-12-04", 11), at("2026-12-29", 11), id="christmas-day"),
    pytest.param(at("2027-03-05", 10), at("2027-03-30", 10), id="good-friday-and-easter-monday"),
    pytest.param(at("2027-03-08", 10), at("2027-03-30", 10), id="easter-monday"),
    pytest.param(at("2027-04-12", 10), at("2027-05-04", 10), id="early-may"),
    pytest.param(at("2027-05-10", 10), at("2027-06-01", 10), id="spring"),
    pytest.param(at("2027-08-09", 10), at("2027-08-31", 10), id="summer"),
    pytest.param(at("2027-01-09", 10), at("2027-02-01", 10), id="saturday"),
    pytest.param(at("2026-12-08", 9), at("2026-12-29", 9), id="tuesday-after-christmas-stays"),
    pytest.param(at("2027-08-16", 10), at("2027-09-06", 10), id="over-the-summer-holiday-stays"),
])
def test_agency_reports_and_family_views_are_due_three_weeks_later_on_a_working_day(run, requested, due):
    case = _requests_on(run, requested)
    reports = run.ready(case, name="agency_report")
    assert len(reports) == 2 and {r.due_at for r in reports} == {due}
    assert run.task(case, "family_views").due_at == due


def test_a_report_due_on_the_substitute_boxing_day_is_overdue_only_after_the_next_working_day(run):
    case = _requests_on(run, at("2026-12-07", 14))
    run.move_to(at("2026-12-29", 9))
    assert all(not r.overdue for r in run.ready(case, name="agency_report"))
    run.move_to(at("2026-12-29", 15))
    assert all(r.overdue for r in run.ready(case, name="agency_report"))


@pytest.mark.parametrize(("notified", "due"), [
    pytest.param(at("2027-01-15", 10), at("2027-01-18", 10), id="friday-to-monday"),
    pytest.param(at("2027-03-25", 16), at("2027-03-30", 16), id="maundy-thursday-to-easter-tuesday"),
    pytest.param(at("2027-01-12", 10), at("2027-01-13", 10), id="tuesday"),
])
def test_the_notification_is_due_the_next_day_or_the_next_working_day(run, notified, due):
    run.move_to(notified)
    case = run.start("cdop")
    assert run.task(case, "notification").due_at == due


@pytest.mark.parametrize(("notified", "due"), [
    (at("2026-12-24", 10), end_of_day("2026-12-30")),  # 25, 28 December are holidays; 26-27 a weekend
    (at("2027-03-25", 10), end_of_day("2027-03-31")),  # Good Friday and Easter Monday
    (at("2027-05-28", 10), end_of_day("2027-06-02")),  # the spring bank holiday
    (at("2027-08-27", 10), end_of_day("2027-09-01")),  # the summer bank holiday
])
def test_identifying_the_agencies_takes_two_working_days(run, notified, due):
    run.move_to(notified)
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    assert run.task(case, "identify_agencies").due_at == due


@pytest.mark.parametrize(("met", "due"), [
    (at("2026-12-24", 10), end_of_day("2027-01-05")),  # over Christmas and New Year's Day (Friday 1 January)
    (at("2027-03-24", 10), end_of_day("2027-04-02")),  # over Good Friday and Easter Monday
    (at("2027-04-28", 10), end_of_day("2027-05-06")),  # over the early May bank holiday
])
def test_collation_takes_five_working_days_after_the_review_meeting(run, met, due):
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    run.run_to_end(case, skip={"cdrm"})
    run.move_to(met)
    run.do(case, "cdrm")
    assert run.task(case, "collate_anonymise").due_at == due


def test_the_timescales_in_the_bundle_are_the_diagrams_and_each_says_where_it_comes_from():
    """``process_model.json`` ``timescales`` holds every cdop deadline with its source; the diagram counts with
    the same figures, so the documented figure cannot drift from the one in force."""
    model = json.loads((WORKFLOWS / "cdop" / "process_model.json").read_text())
    root = etree.parse(str(WORKFLOWS / "cdop" / "cdop.bpmn")).getroot()
    due = {task.get("id"): {p.get("name"): p.get("value") for p in task.iter(SPIFF + "property")}.get("dueIn")
           for task in root.iter(BPMN + "userTask")}
    assert {name: figure["dueIn"] for name, figure in model["timescales"].items()} == due
    assert due["agency_report"] == "P21D" and "local SLA" in model["timescales"]["agency_report"]["source"]
    assert all(len(figure["source"]) > 5 for figure in model["timescales"].values())
