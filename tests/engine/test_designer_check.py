"""The check by running (issue 15, item 6): each kind of problem is found at the element it concerns in a fixture
bundle seeded with it; the same files and seeds give the same report; the real database is never written; a draft
that does not parse is not run."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from engine.bundles.parsing import read_bundle_dir
from engine.designer import checking
from engine.errors import InvalidData
from engine.store.models import User
from tests.api.api_kit import snapshot
from tests.conftest import FIXTURES, NOW


def check(session, name, seeds=8, files=None):
    return checking.check_bundle(session, name, files or read_bundle_dir(FIXTURES / name), seeds=seeds, now=NOW)


def kinds(report):
    return {(p.kind, p.element) for p in report.problems}


def test_a_branch_that_ends_early_leaves_the_join_waiting_a_dead_end(session, partnership):
    report = check(session, "check_dead_end")
    assert report.runs == 8
    assert kinds(report) == {("dead_end", "join")}
    message = report.problems[0].message
    assert "“Both done”" in message and "waits" in message
    assert {"decide", "note_it", "gw_choice", "end_early", "join", "end"} <= set(report.reached)


def test_a_branch_no_answer_can_take_is_unreached(session, partnership):
    report = check(session, "check_unreached")
    assert kinds(report) == {("unreached", "never_done")}  # the elements after it are not named again
    assert report.problems[0].message == "No run reached “Handle a maybe”."
    assert "never_done" not in report.reached and "end" in report.reached


def test_a_script_that_fails_on_one_branch_is_named_in_plain_words(session, partnership):
    report = check(session, "check_script_branch")
    assert kinds(report) == {("script_error", "tally")}
    message = report.problems[0].message
    assert message.startswith("“Add up the scores” failed in run ")
    assert "'scores_given'" in message and "Traceback" not in message and "Did you mean" not in message


def test_forms_nobody_can_submit_are_named(session, partnership):
    report = check(session, "check_unsubmittable")
    assert kinds(report) == {("unsubmittable", "give_code"), ("unsubmittable", "confirm")}
    by_element = {p.element: p.message for p in report.problems}
    assert "'code'" in by_element["give_code"] and "passed its own rules" in by_element["give_code"]
    assert "'reference'" in by_element["confirm"] and "read-only" in by_element["confirm"]
    assert "sign_off" in report.reached  # the run went on past the forms to find what lies beyond


def test_a_task_whose_role_no_active_user_holds_is_unsubmittable(session, partnership):
    session.execute(update(User).where(User.username == "chad").values(active=False))
    report = check(session, "check_unsubmittable", seeds=1)
    sign_off = next(p for p in report.problems if p.element == "sign_off")
    assert sign_off.kind == "unsubmittable" and "chair" in sign_off.message


def test_the_same_files_and_seeds_give_the_same_report(session, partnership):
    assert check(session, "check_dead_end", seeds=5) == check(session, "check_dead_end", seeds=5)
    assert check(session, "check_script_branch", seeds=3) == check(session, "check_script_branch", seeds=3)


def test_a_check_writes_nothing_to_the_real_database(db, factory, partnership):
    before = snapshot(db)
    with factory() as session:
        assert check(session, "check_dead_end").runs == 8
        session.commit()  # even a caller that commits finds nothing to write
    assert snapshot(db) == before


def test_a_draft_that_does_not_parse_is_not_run(session, partnership):
    files = read_bundle_dir(FIXTURES / "check_unreached")
    files["check_unreached.bpmn"] = files["check_unreached.bpmn"].replace('targetRef="merge"', 'targetRef="nowhere"')
    report = check(session, "check_unreached", files=files)
    assert (report.runs, report.reached, report.problems) == (0, (), ())
    assert check(session, "check_unreached", files={"process_model.json": "{"}).runs == 0


@pytest.mark.parametrize("seeds", [0, -1, checking.MAX_SEEDS + 1])
def test_seeds_out_of_range_are_refused(session, seeds):
    with pytest.raises(InvalidData):
        check(session, "check_dead_end", seeds=seeds)
