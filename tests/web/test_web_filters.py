"""The pages' filters put statuses and case data in words: no key, no JSON, no ISO date reaches a page."""
from __future__ import annotations

import re

import pytest

from engine.states import InstanceStatus, TaskState
from web.pages.filters import STATUS_NAMES, iso_date, period_words, pretty, status_name


@pytest.mark.parametrize("status", [*InstanceStatus, *TaskState, *STATUS_NAMES, "some_new_state"])
def test_every_status_reads_as_words_with_a_capital(status):
    name = status_name(status)
    assert name[0].isupper() and "_" not in name and name != status


def test_status_names_say_what_the_status_means():
    assert (status_name("on_track"), status_name("active"), status_name("error")) == (
        "On track", "Active", "Stopped by an error")
    assert status_name(None) == status_name("") == ""


@pytest.mark.parametrize(("value", "words"), [
    ("Sudden collapse", "Sudden collapse"), (True, "Yes"), (False, "No"), (None, "Not given"), ([], "Not given"),
    ("2026-12-10", "10 December 2026"), (["police", "csc", "yjs"], "police, csc and yjs"), (3, "3"),
    ({"status": "completed", "due_date": "2026-12-10"}, "Status: Completed; Due date: 10 December 2026"),
    ([{"agency": "police"}], "Agency: police"), ("whole_case", "Whole case"), ("P28D", "4 weeks"),
    (["P3M", "P6M"], "3 months and 6 months"), ("2026-10-18T09:02:00+00:00", "18 October 2026"), ("PTA", "PTA"),
    ("completed", "Completed")])
def test_pretty_gives_case_data_in_words(value, words):
    assert pretty(value) == words


@pytest.mark.parametrize("value", [{"a": [1, {"b": None}]}, [["x"]], {"k": {}}, [None, True]])
def test_pretty_never_gives_json(value):
    assert not re.search(r"[{}\[\]\"]|None|true|false|null", pretty(value))


@pytest.mark.parametrize(("value", "words"), [
    ("2026-12-10", "10 December 2026"), ("2028-09-23T09:00:00+00:00", "23 September 2028"),
    ("2026-12-10T23:30:00+00:00", "10 December 2026"), ("2026-06-30T23:30:00+00:00", "1 July 2026"),  # London's day
    ("not a date", "not a date")])
def test_iso_date_reads_dates_and_times_as_a_day_in_words(value, words):
    assert iso_date(value) == words


@pytest.mark.parametrize(("period", "words"), [("P28D", "4 weeks"), ("P10D", "10 days"), ("P1D", "1 day"),
                                                ("P3M", "3 months"), ("P1Y6M", "1 year and 6 months"),
                                                ("P1W", "1 week"), ("P", "P"), ("soon", "soon")])
def test_period_words_reads_iso_periods(period, words):
    assert period_words(period) == words
