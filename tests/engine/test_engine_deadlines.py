"""Working days (weekends and England and Wales bank holidays) and task deadlines: ``dueIn`` as 15WD or P21D,
counted from task creation or from a date in the task data named by ``dueFrom``."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine import workdays
from engine.bundles import deadlines


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- working days ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("day", ["2026-12-25", "2026-12-28", "2027-01-01", "2027-03-26", "2027-03-29",
                                 "2027-08-30"],
                         ids=["christmas", "boxing-day-substitute", "new-year", "good-friday", "easter-monday",
                              "august-bank-holiday"])
def test_bank_holidays_are_not_working_days(day):
    assert not workdays.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day,working", [("2026-12-24", True), ("2026-12-26", False), ("2026-12-27", False),
                                         ("2026-12-29", True), ("2027-03-25", True), ("2027-03-30", True),
                                         ("2027-08-31", True)])
def test_working_days_around_holidays(day, working):
    assert workdays.is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize("start,count,expected", [
    ("2026-12-24", 1, "2026-12-29"),   # Christmas Eve, then 25 Dec, a weekend and 28 Dec (Boxing Day moved)
    ("2026-12-14", 15, "2027-01-07"),  # across Christmas and New Year
    ("2026-12-01", 15, "2026-12-22"),  # before Christmas: weekends only
    ("2027-03-22", 5, "2027-03-31"),   # across Good Friday and Easter Monday
    ("2027-03-15", 15, "2027-04-07"),
    ("2027-08-26", 2, "2027-08-31"),   # across the August bank holiday
    ("2027-08-16", 15, "2027-09-07"),
    ("2026-12-05", 1, "2026-12-07"),   # from a Saturday
    ("2026-12-29", -1, "2026-12-24"),  # backwards
    ("2027-04-07", -15, "2027-03-15"),
    ("2026-12-25", 0, "2026-12-25"),   # day 0 is the start itself
], ids=lambda v: str(v))
def test_add_working_days(start, count, expected):
    assert workdays.add_working_days(date.fromisoformat(start), count) == date.fromisoformat(expected)


@pytest.mark.parametrize("start,end,expected", [
    ("2026-12-24", "2026-12-29", 1), ("2026-12-29", "2026-12-24", -1), ("2026-12-24", "2026-12-24", 0),
    ("2026-12-14", "2027-01-07", 15), ("2027-03-25", "2027-03-30", 1), ("2027-08-27", "2027-08-31", 1),
])
def test_working_days_between(start, end, expected):
    assert workdays.working_days_between(date.fromisoformat(start), date.fromisoformat(end)) == expected


def test_working_days_left_counts_down_to_zero_then_negative():
    due = utc("2026-12-29T23:59:59+00:00")
    assert workdays.working_days_left(due, utc("2026-12-24T09:00:00+00:00")) == 1
    assert workdays.working_days_left(due, utc("2026-12-29T17:00:00+00:00")) == 0
    assert workdays.working_days_left(due, utc("2026-12-30T09:00:00+00:00")) == -1


def test_london_date_follows_summer_time():
    assert workdays.london_date(utc("2027-06-30T23:30:00+00:00")) == date(2027, 7, 1)  # BST: already July
    assert workdays.london_date(utc("2026-12-31T23:30:00+00:00")) == date(2026, 12, 31)  # GMT


def test_end_of_working_day_is_london_midnight_in_utc():
    assert workdays.end_of_working_day(date(2026, 12, 22)) == utc("2026-12-22T23:59:59+00:00")
    assert workdays.end_of_working_day(date(2027, 7, 1)) == utc("2027-07-01T22:59:59+00:00")


# --- deadlines ------------------------------------------------------------------------------------------

def test_add_period_working_days_lands_at_end_of_that_day():
    assert deadlines.add_period(utc("2026-12-14T09:00:00+00:00"), "15WD") == utc("2027-01-07T23:59:59+00:00")
    assert deadlines.add_period(utc("2027-03-15T09:00:00+00:00"), "15WD") == utc("2027-04-07T22:59:59+00:00")


def test_add_period_iso_duration_is_calendar_time():
    start = utc("2026-12-14T09:00:00+00:00")
    assert deadlines.add_period(start, "P21D") == start + timedelta(days=21)  # Christmas days count
    assert deadlines.add_period(start, "P3W") == start + timedelta(weeks=3)
    assert deadlines.add_period(start, "PT36H") == start + timedelta(hours=36)
    assert deadlines.add_period(utc("2027-01-31T12:00:00+00:00"), "P1M") == utc("2027-02-28T12:00:00+00:00")
    assert deadlines.add_period(start, "P1Y2M3DT4H") == utc("2028-02-17T13:00:00+00:00")


@pytest.mark.parametrize("period", ["P", "PT", "21D", "15 WD", "P2X", "", "WD"])
def test_add_period_refuses_anything_else(period):
    with pytest.raises(deadlines.DeadlineError):
        deadlines.add_period(utc("2026-12-14T09:00:00+00:00"), period)


def test_due_at_without_due_in_is_none():
    assert deadlines.due_at({}, {}, utc("2026-12-14T09:00:00+00:00")) is None


def test_due_at_counts_from_creation_by_default():
    created = utc("2026-12-14T09:00:00+00:00")
    assert deadlines.due_at({"dueIn": "15WD"}, {}, created) == utc("2027-01-07T23:59:59+00:00")
    assert deadlines.due_at({"dueIn": "15WD", "dueFrom": "notified_on"}, {}, created) == \
        utc("2027-01-07T23:59:59+00:00")  # the variable is not set yet: creation time


@pytest.mark.parametrize("value,expected", [
    ("2026-12-14", "2027-01-07T23:59:59+00:00"),             # a date: London midnight
    ("2026-12-14T16:30:00Z", "2027-01-07T23:59:59+00:00"),   # an aware time
    ("2027-08-13T23:30:00Z", "2027-09-06T22:59:59+00:00"),   # already Saturday 14 Aug in London (BST)
    (date(2027, 3, 15), "2027-04-07T22:59:59+00:00"),        # a date object, across Easter
    (datetime(2027, 8, 16, 9, 0), "2027-09-07T22:59:59+00:00"),  # a naive datetime is taken as UTC
], ids=["date", "aware", "late-evening-bst", "date-object", "naive-datetime"])
def test_due_at_counts_from_due_from_variable(value, expected):
    created = utc("2026-12-01T09:00:00+00:00")
    assert deadlines.due_at({"dueIn": "15WD", "dueFrom": "notified_on"}, {"notified_on": value}, created) == \
        utc(expected)


def test_due_at_from_variable_with_calendar_duration():
    due = deadlines.due_at({"dueIn": "P21D", "dueFrom": "notified_on"}, {"notified_on": "2026-12-14T10:00:00Z"},
                           utc("2027-01-01T00:00:00+00:00"))
    assert due == utc("2027-01-04T10:00:00+00:00")


def test_due_at_from_variable_that_is_not_a_date_is_an_error():
    with pytest.raises(deadlines.DeadlineError):
        deadlines.due_at({"dueIn": "15WD", "dueFrom": "notified_on"}, {"notified_on": "last Tuesday"},
                         utc("2026-12-01T09:00:00+00:00"))


# --- deadlines on real tasks ----------------------------------------------------------------------------

def _due_dates(cases, instance_id) -> dict[str, datetime]:
    return {t.name: t.due_at for t in cases.tasks(instance_id)}


@pytest.mark.parametrize("created,notified_on,expected", [
    ("2026-12-14T09:00:00+00:00", "2026-12-01",
     {"working_days": "2027-01-07T23:59:59+00:00", "calendar_days": "2027-01-04T09:00:00+00:00",
      "from_notification": "2026-12-22T23:59:59+00:00"}),
    ("2027-03-15T09:00:00+00:00", "2027-03-22",
     {"working_days": "2027-04-07T22:59:59+00:00", "calendar_days": "2027-04-05T08:00:00+00:00",  # 09:00 BST
      "from_notification": "2027-04-14T22:59:59+00:00"}),
    ("2027-08-16T09:00:00+00:00", "2027-08-26",
     {"working_days": "2027-09-07T22:59:59+00:00", "calendar_days": "2027-09-06T09:00:00+00:00",
      "from_notification": "2027-09-17T22:59:59+00:00"}),
], ids=["christmas", "easter", "august"])
def test_task_deadlines_skip_bank_holidays(deploy, cases, restore_every_step, created, notified_on, expected):
    deploy("deadlines")
    instance_id = cases.start("deadlines", data={"notified_on": notified_on}, now=utc(created))
    assert _due_dates(cases, instance_id) == {name: utc(due) for name, due in expected.items()}


def test_task_deadline_from_missing_variable_counts_from_creation(deploy, cases, restore_every_step):
    deploy("deadlines")
    instance_id = cases.start("deadlines", now=utc("2026-12-14T09:00:00+00:00"))
    due = _due_dates(cases, instance_id)
    assert due["from_notification"] == due["working_days"] == utc("2027-01-07T23:59:59+00:00")


def test_task_deadline_with_unreadable_variable_leaves_no_due_date(deploy, cases, restore_every_step):
    deploy("deadlines")
    instance_id = cases.start("deadlines", data={"notified_on": "soon"}, now=utc("2026-12-14T09:00:00+00:00"))
    due = _due_dates(cases, instance_id)
    assert due["from_notification"] is None
    assert due["working_days"] == utc("2027-01-07T23:59:59+00:00")


def test_an_unreadable_deadline_variable_is_logged_without_its_value(deploy, cases, restore_every_step, caplog):
    """The variable holds what someone typed about the child: the warning names the task, never the value."""
    deploy("deadlines")
    typed = "when Jasmine Featherstonehaugh told her aunt"
    with caplog.at_level("DEBUG"):
        cases.start("deadlines", data={"notified_on": typed}, now=utc("2026-12-14T09:00:00+00:00"))
    warned = [r.getMessage() for r in caplog.records if "could not be worked out" in r.getMessage()]
    assert warned and not any("Featherstonehaugh" in r.getMessage() for r in caplog.records)
