"""The annual pack's figures from seeded scenarios with known answers: cases counted in the year they started and open
until they end (across the year's boundary in London time), the review type the partners or the chair decided, the
child death panel's category, the learning themes and the actions raised, closed, open and overdue, by agency. The
compliance measures are checked in test_annual_measures.py."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dateutil.relativedelta import relativedelta

from engine.cases import instances
from engine.errors import Forbidden, InvalidData
from engine.reports.annual_registers import AgencyActions
from engine.retention import disposal
from engine.store.db import transaction
from engine.store.models import LearningTheme
from tests.scenarios.conftest import run, shipped, traveller  # noqa: F401  (the shipped bundles and the driver)
from tests.scenarios.scenarios_kit import at
from tests.scenarios.test_scr_wt2023 import start as start_wt2023
from tests.scenarios.test_scr_wt2023 import to_panel, to_signoff
from web.documents_out import annual_words as words

from .annual_kit import add_action, add_lesson, by_key, counts, figures, moment

SHIPPED_NAMES = ["Action plan monitoring", "Case file audit programme", "Case review (SCR / CSPR)",
                 "Child death review (CDOP)", "Multi-agency case file audit", "Section 11 self-evaluation"]
NO_DEATHS = {"panel_review": {"recommendations": 0}}  # no recommendations: no action plan case is started


def test_a_year_without_work_gives_zeros_for_every_process(run):
    found = figures(run.factory, run.coordinator, 2026)
    assert [c.name for c in found.cases] == SHIPPED_NAMES
    assert {(c.started, c.completed, c.cancelled, c.open_at_end) for c in found.cases} == {(0, 0, 0, 0)}
    assert all(c.outcomes == {} for c in found.cases)
    assert (found.themes, found.lessons, found.actions.by_agency) == ((), 0, ())
    assert found.actions.total == AgencyActions("", "All agencies", 0, 0, 0, 0, 0)


def test_cases_count_in_the_year_they_start_and_stay_open_until_they_end(run):
    run.move_to(at("2025-11-03"))
    earlier = run.start("cdop")  # still open throughout 2026
    run.move_to(at("2026-02-02"))
    cancelled = run.start("cdop")
    run.move_to(at("2026-05-05"))
    with transaction(run.factory) as s:
        instances.cancel_instance(s, cancelled, "A duplicate notification", actor=run.coordinator, now=run.now)
    run.move_to(at("2026-03-02"))
    done = run.start("cdop")
    run.run_to_end(done, plan=NO_DEATHS)
    assert run.instance(done).status == "completed"
    run.move_to(at("2026-12-31", 23, 30))  # late on 31 December, London time: a case of 2026
    late = run.start("cdop")
    run.move_to(at("2027-01-04"))
    run.run_to_end(late, plan=NO_DEATHS)  # completed in January: open at the end of 2026
    assert (run.instance(late).status, run.instance(earlier).status) == ("completed", "active")

    cdop = {year: by_key(figures(run.factory, run.coordinator, year))["cdop"] for year in (2025, 2026, 2027)}
    assert [(c.started, c.completed, c.cancelled, c.open_at_end) for c in cdop.values()] == [
        (1, 0, 0, 1), (3, 1, 1, 2), (0, 1, 0, 1)]
    # of 2026's three cases, only the one done in March had its panel by the year's end
    assert counts(cdop[2026], "Category of death") == [("sudden_unexpected_unexplained", 1), ("not_decided", 2)]
    assert counts(cdop[2026], "Modifiable factors") == [("identified", 1), ("not_decided", 2)]
    assert [c.label for c in cdop[2026].outcomes["Category of death"]] == [
        "10. Sudden unexpected, unexplained death", "Not decided by the end of the year"]
    assert cdop[2027].outcomes == {}  # no child death review started in 2027
    assert by_key(figures(run.factory, run.coordinator, 2026))["action_plan"].started == 0


def test_the_review_type_is_the_one_decided_by_the_end_of_the_year(run):
    run.move_to(at("2026-03-02"))
    legacy = run.start("scr", data={"regime": "lscb2013"}, who="pat")
    run.do(legacy, "referral", abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True,
           learning_focus="whole_case")
    run.do(legacy, "screening", notification_required=False)
    run.do(legacy, "chair_decision", review_type="SCR")
    signed = start_wt2023(run)
    to_signoff(run, signed)
    run.do_each(signed, "partners_signoff")  # every partner agrees: the CSPR is decided
    refused = start_wt2023(run, pseudonym="Child B")
    to_signoff(run, refused)
    run.do_each(refused, "partners_signoff", per_agency={"police": {"agreed": False}})  # back to the meeting
    national = to_panel(run, pseudonym="Child C")
    run.do(national, "record_panel_response", outcome="national")
    run.move_to(at("2026-12-31", 23, 0))
    waiting = start_wt2023(run, pseudonym="Child D")
    to_signoff(run, waiting)
    run.move_to(at("2027-01-05"))
    run.do_each(waiting, "partners_signoff")  # signed off in 2027: not decided by the end of 2026

    scr = by_key(figures(run.factory, run.coordinator, 2026))["scr"]
    assert scr.started == 5
    assert counts(scr, "Review type decided") == [("CSPR", 1), ("SCR", 1), ("NATIONAL", 1), ("not_decided", 2)]
    assert [c.label for c in scr.outcomes["Review type decided"]][:3] == [
        "Local child safeguarding practice review (CSPR)", "Serious case review (SCR)", "National review by the Panel"]


def test_a_disposed_case_keeps_its_outcome_in_the_figures(run):
    run.move_to(at("2026-03-02"))
    done = run.start("cdop")
    run.run_to_end(done, plan=NO_DEATHS)
    before = by_key(figures(run.factory, run.coordinator, 2026))["cdop"]
    run.traveller.move_to(run.now + relativedelta(years=15, days=1))
    with transaction(run.factory) as s:
        disposal.dispose_case(s, done, run.instance(done).business_key, actor=run.coordinator, now=run.now)
    after = by_key(figures(run.factory, run.coordinator, 2026))["cdop"]
    assert after == before and counts(after, "Category of death") == [("sudden_unexpected_unexplained", 1)]


def test_learning_themes_count_the_lessons_recorded_in_the_year_by_the_themes_names(run):
    first, second = run.start("cdop"), run.start("cdop")
    add_lesson(run.factory, first, 0, "neglect", moment("2026-03-01"), good_practice="Quick bereavement support")
    add_lesson(run.factory, second, 0, "neglect", moment("2026-12-31", 23, 30))
    add_lesson(run.factory, second, 1, "neglect", moment("2026-06-30"))
    add_lesson(run.factory, second, 2, "custom_theme", moment("2026-07-01"))  # a theme no longer on the list
    add_lesson(run.factory, first, 1, "safe_sleep", moment("2027-01-01", 0, 10))  # 2027 in London
    add_lesson(run.factory, first, 2, "domestic_abuse", moment("2025-12-31", 23, 59))
    with transaction(run.factory) as s:
        s.get(LearningTheme, "neglect").name = "Neglect and poverty"  # a coordinator renamed it
    found = figures(run.factory, run.coordinator, 2026)
    assert [(t.key, t.name, t.lessons, t.cases, t.good_practice) for t in found.themes] == [
        ("neglect", "Neglect and poverty", 3, 2, 1), ("custom_theme", "Custom theme", 1, 1, 0)]
    assert found.lessons == 4
    assert [t.name for t in figures(run.factory, run.coordinator, 2027).themes] == ["Safe sleep"]


def seed_actions(run):
    """Nine actions around 2026 (the agencies of tests/conftest.py: Police, Children's Social Care, Health Trust)."""
    plan = run.start("action_plan")
    rows = [
        ("A1", "police", "2025-06-01", "2025-12-01", "on_track", None),  # open since 2025, overdue all year
        ("A2", "police", "2026-02-01", "2026-06-01", "signed_off", moment("2026-05-20")),
        ("A3", "csc", "2026-03-01", "2026-09-01", "withdrawn", moment("2026-04-01")),
        ("A5", "health", "2026-04-01", "2026-10-01", "signed_off", moment("2027-01-10")),  # closed in 2027
        ("A7", "health", "2025-01-01", "2025-06-01", "signed_off", moment("2025-12-31")),  # all in 2025
        ("A8", "csc", "2027-01-02", "2027-06-01", "on_track", None),  # all in 2027
    ]
    for key, agency, raised, due, status, closed in rows:
        add_action(run.factory, plan, key, agency=agency, raised_at=moment(raised), due=due, status=status,
                   closed_at=closed, signed_off_at=closed if status == "signed_off" else None)
    # re-planned twice, from May 2026 to March 2027: open, and not overdue, at the end of 2026
    add_action(run.factory, plan, "A4", agency="csc", raised_at=moment("2026-03-01"), due="2027-03-01",
               original_due="2026-05-01", replans=2, status="at_risk")
    add_action(run.factory, plan, "A6", agency=None, raised_at=moment("2026-12-31", 23, 30), due="2027-01-31")
    # signed off with only the sign-off time recorded
    add_action(run.factory, plan, "A9", agency="police", raised_at=moment("2026-01-05"), due="2026-08-01",
               status="signed_off", signed_off_at=moment("2026-07-01"))


def test_actions_raised_closed_open_and_overdue_by_agency(run):
    seed_actions(run)
    found = figures(run.factory, run.coordinator, 2026).actions
    assert [(a.agency, a.name, a.raised, a.signed_off, a.withdrawn, a.open_at_end, a.overdue_at_end)
            for a in (*found.by_agency, found.total)] == [
        ("csc", "Children's Social Care", 2, 0, 1, 1, 0),
        ("health", "Health Trust", 1, 0, 0, 1, 1),
        ("police", "Police", 2, 2, 0, 1, 1),
        (None, "No agency named", 1, 0, 0, 1, 0),
        ("", "All agencies", 6, 2, 1, 4, 2)]
    assert found.total.closed == 3
    in_2027 = figures(run.factory, run.coordinator, 2027).actions.total
    assert (in_2027.raised, in_2027.signed_off, in_2027.open_at_end) == (1, 1, 4)


@pytest.mark.parametrize("role", ["coordinator", "chair"])
def test_coordinators_and_chairs_read_the_figures(run, partnership, role):
    assert figures(run.factory, partnership[role], 2026).year == 2026


@pytest.mark.parametrize("role", ["police", "partner:csc", "scrutineer", "admin", "designer"])
def test_nobody_else_reads_the_figures(run, partnership, role):
    with pytest.raises(Forbidden):
        figures(run.factory, partnership[role], 2026)


@pytest.mark.parametrize("year", ["2026", 1999, 2028, 26.0, True, None])
def test_a_year_that_is_not_a_whole_number_from_2000_to_next_year_is_refused(run, year):
    with pytest.raises(InvalidData) as refused:
        figures(run.factory, run.coordinator, year, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert refused.value.details == {"parameter": "year"}


def test_next_year_and_2000_may_be_asked_for(run):
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert [figures(run.factory, run.coordinator, y, now=now).year for y in (2000, 2027)] == [2000, 2027]


def test_a_year_still_running_stands_on_today(run):
    plan = run.start("cdop")  # 1 December 2026, with its panel still to come
    add_action(run.factory, plan, "D1", agency="police", raised_at=moment("2026-11-02"), due="2026-12-15")
    running = figures(run.factory, run.coordinator, 2026)
    assert (running.year_over, running.as_at) == (False, date(2026, 12, 1))
    assert (running.actions.total.open_at_end, running.actions.total.overdue_at_end) == (1, 0)  # not due yet
    assert by_key(running)["cdop"].outcomes["Category of death"][-1].label == "Not decided yet"
    assert words.action_headers(running)[-2:] == ("Open on 1 December 2026", "Overdue on 1 December 2026")
    run.move_to(at("2027-01-05"))
    over = figures(run.factory, run.coordinator, 2026)
    assert (over.year_over, over.as_at) == (True, date(2026, 12, 31))
    assert (over.actions.total.open_at_end, over.actions.total.overdue_at_end) == (1, 1)  # due on 15 December
    assert by_key(over)["cdop"].outcomes["Category of death"][-1].label == "Not decided by the end of the year"
    assert words.action_headers(over)[-1] == "Overdue at the end of the year"
