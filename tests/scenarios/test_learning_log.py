"""Every review, child death review, audit and Section 11 cycle records its lessons, and the learning log holds them:
each shipped process run through the engine (every step saved and restored), its lessons read back from the log
exactly as its case data has them. A retired theme is refused by the forms; an old lesson keeps it."""
from __future__ import annotations

import pytest

from engine.reports import lessons, themes
from engine.store.db import transaction

from .scenarios_kit import PEOPLE

STARTS = {"scr": {"regime": "lscb2013"}, "cdop": None, "case_audit": None, "section11": None}
LEARNING_STEP = {"scr": "record_learning", "cdop": "panel_review", "case_audit": "audit_meeting",
                 "section11": "challenge_event"}


def logged(run, **filters):
    with transaction(run.factory) as s:
        return lessons.learning_log(s, actor=run.coordinator, now=run.now, limit=200, offset=0, **filters).items


@pytest.mark.parametrize("key", list(STARTS))
def test_each_process_puts_its_lessons_in_the_log(run, key):
    run.move_to("2027-01-11")
    case = run.start(key, data=STARTS[key])
    order = run.run_to_end(case, plan={"challenge_event": {"agreed_actions": 0}})
    final = run.instance(case)
    assert LEARNING_STEP[key] in order and final.data["learning_log"], (order, final.status)
    found = logged(run, process_key=key)
    assert [(e.theme, e.lesson, e.good_practice, list(e.agencies)) for e in reversed(found)] == [
        (item["theme"], item["lesson"], item["good_practice"], item["agencies"]) for item in final.data["learning_log"]]
    assert {(e.instance_id, e.business_key) for e in found} == {(case, final.business_key)}
    assert all(e.theme_name and e.theme_name != e.theme for e in found)  # a name, not the key


@pytest.mark.slow  # a long run through the engine: make test-ci
def test_the_log_holds_lessons_across_themes_agencies_and_processes(run):
    for i, key in enumerate(STARTS):
        run.move_to(f"2027-0{i + 1}-11")
        run.run_to_end(run.start(key, data=STARTS[key]), plan={"challenge_event": {"agreed_actions": 0}})
    found = logged(run)
    assert {e.process_key for e in found} == set(STARTS)
    assert len({e.theme for e in found}) >= 4 and len({e.recorded_at.date() for e in found}) == 4
    assert len({e.agencies for e in found}) >= 2 and set().union(*(e.agencies for e in found)) == set(PEOPLE.agencies)


def test_a_retired_theme_is_refused_and_the_lessons_filed_under_it_keep_it(run):
    case = run.start("cdop")
    run.run_to_end(case, skip={"panel_review"})
    with transaction(run.factory) as s:
        themes.retire_theme(s, "safe_sleep", actor=run.coordinator, now=run.now)
    with pytest.raises(AssertionError, match="theme"):
        run.do(case, "panel_review")  # the demo's panel files its lesson under safe sleep
    with transaction(run.factory) as s:
        themes.restore_theme(s, "safe_sleep", actor=run.coordinator, now=run.now)
    run.do(case, "panel_review")
    with transaction(run.factory) as s:
        themes.retire_theme(s, "safe_sleep", actor=run.coordinator, now=run.now)
    (entry,) = logged(run, process_key="cdop")
    assert (entry.theme, entry.theme_name) == ("safe_sleep", "Safe sleep")
