"""No deadline lands on a weekend or bank holiday: exact dates across Christmas 2026, Easter 2027 (Good Friday
26 March, Easter Monday 29 March; British Summer Time from Sunday 28 March), the early May (3 May), spring
(31 May) and summer (30 August) bank holidays of 2027, and Christmas 2027 (substitute days 27 and 28 December).

Times are written as London wall-clock times ("2027-03-30 10:00" is 10:00 BST, 09:00 UTC); ``end`` is the end of
that London day, how day deadlines are stored."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from engine import workdays
from engine.bundles import deadlines

from .test_engine_deploy import _problems


def london(text: str) -> datetime:
    """``"2026-12-07 14:00"`` (London wall clock) as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=workdays.LONDON).astimezone(UTC)


def end(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59), tzinfo=workdays.LONDON).astimezone(UTC)


# --- calendar periods from the task's creation ------------------------------------------------------------

@pytest.mark.parametrize("created,due_in,expected", [
    # Christmas 2026: Fri 25 Dec Christmas Day, Sat 26 Boxing Day, Mon 28 Dec its substitute; Fri 1 Jan 2027
    ("2026-12-07 14:00", "P21D", "2026-12-29 14:00"),   # the CDOP agency report: Mon 28 Dec is a bank holiday
    ("2026-12-04 10:00", "P21D", "2026-12-29 10:00"),   # Christmas Day, the weekend, then the substitute day
    ("2026-12-11 16:45", "P14D", "2026-12-29 16:45"),
    ("2026-12-24 09:00", "P1D", "2026-12-29 09:00"),
    ("2026-12-05 11:00", "P3W", "2026-12-29 11:00"),   # created on a Saturday, due on the Boxing Day weekend
    ("2026-12-25 12:00", "P1W", "2027-01-04 12:00"),   # New Year's Day, a Friday, then the weekend
    ("2026-12-24 12:00", "PT36H", "2026-12-29 00:00"),  # hours elapsed, then the move keeps the time of day
    ("2026-12-21 10:00", "P10D", "2026-12-31 10:00"),  # Thursday 31 Dec is a working day: not moved
    # Easter 2027 and the start of summer time (Sunday 28 March)
    ("2027-03-05 10:00", "P21D", "2027-03-30 10:00"),   # Good Friday, weekend, Easter Monday; 10:00 BST
    ("2027-03-08 10:00", "P3W", "2027-03-30 10:00"),    # Easter Monday
    ("2027-03-13 15:00", "P14D", "2027-03-30 15:00"),   # Saturday 27 March
    ("2027-03-08 00:30", "P3W", "2027-03-30 00:30"),    # 23:30 UTC on Easter Monday, already Tuesday in London
    ("2027-03-07 12:00", "P21D", "2027-03-30 12:00"),   # the Sunday the clocks go forward
    ("2027-03-01 09:00", "P1M", "2027-04-01 09:00"),    # 1 April, a Thursday: not moved, 09:00 BST
    # early May, spring and summer bank holidays 2027
    ("2027-04-12 09:30", "P21D", "2027-05-04 09:30"),   # Monday 3 May
    ("2027-04-30 17:00", "P1D", "2027-05-04 17:00"),    # Saturday 1 May, Sunday, Monday 3 May
    ("2027-05-17 11:00", "P2W", "2027-06-01 11:00"),    # Monday 31 May
    ("2027-05-10 11:00", "P20D", "2027-06-01 11:00"),   # Sunday 30 May, then the spring bank holiday
    ("2027-08-09 10:00", "P21D", "2027-08-31 10:00"),   # Monday 30 August
    ("2027-07-30 10:00", "P1M", "2027-08-31 10:00"),
    ("2027-08-13 10:00", "P1D", "2027-08-16 10:00"),    # the CDOP notification: Saturday 14 August
    # month periods landing on holidays and weekends
    ("2026-06-25 10:00", "P6M", "2026-12-29 10:00"),    # Christmas Day 2026; 10:00 BST in, 10:00 GMT out
    ("2026-09-26 10:00", "P6M", "2027-03-30 10:00"),    # Good Friday 2027
    ("2027-02-28 10:00", "P6M", "2027-08-31 10:00"),    # Saturday 28 Aug, then the summer bank holiday
    ("2027-06-25 10:00", "P6M", "2027-12-29 10:00"),    # Sat 25 Dec 2027; 27 and 28 Dec are substitute days
    ("2027-07-01 10:00", "P6M", "2028-01-04 10:00"),    # Sat 1 Jan 2028; Monday 3 January is its substitute
    ("2026-11-30 10:00", "P3M", "2027-03-01 10:00"),    # 28 February 2027, a Sunday
    ("2027-01-31 10:00", "P1M", "2027-03-01 10:00"),    # clipped to 28 February, a Sunday
    ("2026-12-25 10:00", "P2Y", "2028-12-27 10:00"),    # Christmas Day 2028 is a Monday, Boxing Day Tuesday
], ids=lambda v: str(v))
def test_calendar_deadline_moves_to_the_next_working_day(created, due_in, expected):
    assert deadlines.due_at({"dueIn": due_in}, {}, london(created)) == london(expected)


def test_the_agency_report_of_the_issue_without_the_rule_would_be_due_on_the_bank_holiday():
    """``dueOnAnyDay`` = ``true`` keeps the calendar date: what P21D gave before the rule."""
    properties = {"dueIn": "P21D", "dueOnAnyDay": "true"}
    assert deadlines.due_at(properties, {}, london("2026-12-07 14:00")) == london("2026-12-28 14:00")
    assert deadlines.due_at({**properties, "dueOnAnyDay": "false"}, {}, london("2026-12-07 14:00")) == \
        london("2026-12-29 14:00")


@pytest.mark.parametrize("created,due_in,expected", [
    ("2027-03-07 10:00", "P21D", "2027-03-28T09:00:00+00:00"),   # Sunday, the clocks have gone forward: 10:00 BST
    ("2027-03-27 01:30", "P1D", "2027-03-28T02:30:00+01:00"),    # 01:30 does not exist that night: read as 02:30
], ids=["bst-starts", "the-missing-hour"])
def test_a_deadline_allowed_on_any_day_keeps_the_london_time_across_the_clock_change(created, due_in, expected):
    due = deadlines.due_at({"dueIn": due_in, "dueOnAnyDay": "true"}, {}, london(created))
    assert due == datetime.fromisoformat(expected)


# --- working days -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("created,due_in,expected", [
    ("2026-12-21 10:00", "5WD", "2026-12-30"),   # 22, 23, 24, 29, 30 December
    ("2026-12-24 10:00", "5WD", "2027-01-05"),   # 29, 30, 31 Dec, 4, 5 Jan
    ("2026-12-25 10:00", "5WD", "2027-01-05"),   # created on Christmas Day
    ("2026-12-07 10:00", "15WD", "2026-12-30"),
    ("2026-12-14 10:00", "15WD", "2027-01-07"),
    ("2027-03-24 10:00", "5WD", "2027-04-02"),   # 25 Mar, 30, 31 Mar, 1, 2 Apr
    ("2027-03-22 10:00", "15WD", "2027-04-14"),
    ("2027-03-26 10:00", "5WD", "2027-04-05"),   # created on Good Friday: 30, 31 Mar, 1, 2, 5 Apr
    ("2027-04-29 10:00", "5WD", "2027-05-07"),   # 30 Apr, 4, 5, 6, 7 May
    ("2027-04-19 10:00", "15WD", "2027-05-11"),
    ("2027-05-27 10:00", "5WD", "2027-06-04"),   # 28 May, 1, 2, 3, 4 June
    ("2027-05-24 10:00", "15WD", "2027-06-15"),
    ("2027-08-26 10:00", "5WD", "2027-09-03"),   # 27 Aug, 31 Aug, 1, 2, 3 Sep
    ("2027-08-20 10:00", "15WD", "2027-09-13"),
    ("2027-12-23 10:00", "5WD", "2028-01-04"),   # 24, 29, 30, 31 Dec 2027, 4 Jan 2028 (3 Jan a holiday)
], ids=lambda v: str(v))
def test_working_day_deadline_is_the_end_of_a_working_day(created, due_in, expected):
    assert deadlines.due_at({"dueIn": due_in}, {}, london(created)) == end(expected)


# --- from a date in the case data (dueFrom) ---------------------------------------------------------------

@pytest.mark.parametrize("value,due_in,expected", [
    ("2026-12-25", "P0D", end("2026-12-29")),                # "due on" Christmas Day
    ("2027-03-26", "P0D", end("2027-03-30")),                # Good Friday (the Section 11 return deadline)
    ("2027-03-29", "P0D", end("2027-03-30")),                # Easter Monday (the pre-audit date)
    ("2027-05-01", "P0D", end("2027-05-04")),                # a Saturday, then the early May bank holiday
    ("2027-03-24", "P0D", end("2027-03-24")),                # a working day: as set
    ("2027-01-06", "P5M", end("2027-06-07")),                # Sunday 6 June
    ("2026-09-26", "P6M", end("2027-03-30")),                # Good Friday
    ("2027-02-28", "P6M", end("2027-08-31")),                # Saturday, then the summer bank holiday
    ("2026-12-07", "P21D", end("2026-12-29")),               # a date without a time: the whole working day
    (date(2027, 5, 10), "P3W", end("2027-06-01")),           # a date object; Monday 31 May
    ("2026-12-07T14:00:00Z", "P21D", london("2026-12-29 14:00")),  # a time: kept, on the working day
    ("2027-03-05T10:00:00Z", "P21D", london("2027-03-30 10:00")),  # 10:00 GMT in, 10:00 BST out
    ("2027-03-05T10:00:00", "P21D", london("2027-03-30 10:00")),   # a naive time is London's
    ("2027-03-22", "15WD", end("2027-04-14")),               # working days from the date
], ids=lambda v: str(v))
def test_deadline_from_a_case_date_moves_to_the_next_working_day(value, due_in, expected):
    properties = {"dueIn": due_in, "dueFrom": "decided_on"}
    assert deadlines.due_at(properties, {"decided_on": value}, london("2026-11-02 09:00")) == expected


def test_deadline_from_a_case_date_allowed_on_any_day_stays_on_the_day():
    properties = {"dueIn": "P0D", "dueFrom": "meeting_date", "dueOnAnyDay": "true"}
    assert deadlines.due_at(properties, {"meeting_date": "2027-03-27"}, london("2027-03-01 09:00")) == \
        end("2027-03-27")


@pytest.mark.parametrize("value", ["yes", "True", "1", "", "false "])
def test_due_on_any_day_is_only_the_word_true(value):
    """Anything else keeps the rule (deploy refuses it anyway, bar the spaces it strips)."""
    assert deadlines.due_on_any_day({"dueOnAnyDay": value}) is False
    assert deadlines.due_on_any_day({"dueOnAnyDay": " true "}) is True


# --- the building blocks ------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,expected", [
    ("2026-12-24", "2026-12-24"), ("2026-12-25", "2026-12-29"), ("2026-12-26", "2026-12-29"),
    ("2026-12-28", "2026-12-29"), ("2027-01-01", "2027-01-04"), ("2027-03-26", "2027-03-30"),
    ("2027-03-28", "2027-03-30"), ("2027-05-03", "2027-05-04"), ("2027-05-29", "2027-06-01"),
    ("2027-08-28", "2027-08-31"), ("2027-12-25", "2027-12-29"), ("2028-01-01", "2028-01-04"),
])
def test_next_working_day(day, expected):
    assert workdays.next_working_day(date.fromisoformat(day)) == date.fromisoformat(expected)


def test_on_working_day_keeps_the_instant_of_a_working_day_and_its_offset():
    moment = datetime.fromisoformat("2026-12-24T16:30:00+01:00")  # 15:30 London, Christmas Eve
    assert workdays.on_working_day(moment) is moment
    moved = workdays.on_working_day(datetime.fromisoformat("2026-12-25T15:30:00+00:00"))
    assert moved == london("2026-12-29 15:30") and moved.utcoffset() == UTC.utcoffset(None)


def test_add_period_counts_days_on_the_london_calendar_and_hours_as_time_elapsed():
    start = london("2027-03-27 12:00")  # the day before the clocks go forward
    assert deadlines.add_period(start, "P1D") == london("2027-03-28 12:00")  # 23 hours later
    assert deadlines.add_period(start, "PT24H") == london("2027-03-28 13:00")
    assert deadlines.add_period(london("2027-10-30 12:00"), "P1D") == london("2027-10-31 12:00")  # 25 hours
    assert deadlines.add_period(start, "P1DT1H") == london("2027-03-28 13:00")


# --- deploy -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["yes", "True", "", "on"])
def test_deploy_refuses_a_due_on_any_day_that_is_not_true_or_false(deploy, bundle_copy, value):
    broken = bundle_copy("deadlines", replace={'<spiffworkflow:property name="dueIn" value="P21D"/>':
                                               '<spiffworkflow:property name="dueIn" value="P21D"/>'
                                               f'<spiffworkflow:property name="dueOnAnyDay" value="{value}"/>'})
    (problem,) = _problems(deploy, broken)
    assert problem["message"] == f"dueOnAnyDay {value!r} must be true or false"
    assert problem["file"] == "deadlines.bpmn" and problem["line"]


@pytest.mark.parametrize("value", ["true", "false"])
def test_deploy_takes_due_on_any_day_true_or_false(deploy, bundle_copy, value):
    bundle = bundle_copy("deadlines", replace={'<spiffworkflow:property name="dueIn" value="P21D"/>':
                                               '<spiffworkflow:property name="dueIn" value="P21D"/>'
                                               f'<spiffworkflow:property name="dueOnAnyDay" value="{value}"/>'})
    assert deploy(bundle).version == 1


@pytest.mark.parametrize("any_day,expected", [("true", "2026-12-28 14:00"), ("false", "2026-12-29 14:00")])
def test_a_deployed_task_reads_due_on_any_day(deploy, bundle_copy, cases, restore_every_step, any_day, expected):
    bundle = bundle_copy("deadlines", replace={'<spiffworkflow:property name="dueIn" value="P21D"/>':
                                               '<spiffworkflow:property name="dueIn" value="P21D"/>'
                                               f'<spiffworkflow:property name="dueOnAnyDay" value="{any_day}"/>'})
    deploy(bundle)
    instance_id = cases.start("deadlines", data={"notified_on": "2026-12-07"}, now=london("2026-12-07 14:00"))
    assert cases.task(instance_id, "calendar_days").due_at == london(expected)
