"""scr under the legacy rules (``regime`` lscb2013): every lscb2013 row of the review-type decision table, every
gateway branch, and the statutory clocks across bank
holidays, driven end to end through the engine's services with every step saved and restored."""
from __future__ import annotations

import pytest

from engine.documents import reading
from engine.errors import Forbidden, InvalidData, NotFound
from engine.store.db import transaction
from engine.work import tasks as task_service

from .scenarios_kit import PEOPLE, at, end_of_day

LSCB = {"regime": "lscb2013"}  # these cases follow the legacy rules; tests/scenarios/test_scr_wt2023.py has today's

SCR_PATH = ["referral", "screening", "notify_panel", "rapid_review", "chair_decision", "communicate_decision",
            "set_up_review", "imr", "learning_event", "family_involvement", "draft_report", "panel_review",
            "prepare_action_plan", "board_approval", "anonymisation_check", "publish_report", "record_learning"]
MAR_PATH = [n for n in SCR_PATH if n not in ("anonymisation_check", "publish_report")]
NO_NOTIFY = ("notify_panel", "rapid_review")
LIGHT_PATH = ["referral", "screening", "chair_decision", "communicate_decision", "set_up_review", "learning_event",
              "draft_report", "prepare_action_plan", "board_approval", "record_learning"]

# One row of scr_review_type.dmn each: the referral's criteria, the expected recommendation and the path the case
# takes when the sub-group and the chair follow it.
DMN_ROWS = {
    "rule_1_custody": (dict(abuse_or_neglect="not_suspected", child_outcome="died", concern_agency_working=False,
                            special_circumstances="custody_or_detained"), "SCR", "custody", SCR_PATH),
    "rule_2_died": (dict(abuse_or_neglect="suspected", child_outcome="died", concern_agency_working=False),
                    "SCR", "the child died", SCR_PATH),
    "rule_3_harmed_concern": (dict(abuse_or_neglect="known", child_outcome="seriously_harmed",
                                   concern_agency_working=True), "SCR", "seriously harmed", SCR_PATH),
    "rule_4_harmed_no_concern": (dict(abuse_or_neglect="suspected", child_outcome="seriously_harmed",
                                      concern_agency_working=False), "MAR", "no concern about inter-agency", MAR_PATH),
    "rule_5_looked_after": (dict(abuse_or_neglect="not_suspected", child_outcome="died", concern_agency_working=False,
                                 special_circumstances="looked_after_death"), "MAR", "looked-after", MAR_PATH),
    "rule_6_period": (dict(abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True,
                           learning_focus="period", agencies_involved=["police", "csc"]), "LLR",
                      "over a period", LIGHT_PATH),
    "rule_7_single_event": (dict(abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True,
                                 learning_focus="single_event"), "AAR", "single event", LIGHT_PATH),
    "rule_8_partnership": (dict(abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True,
                                learning_focus="period", agencies_involved=["health"]), "PR", "Partnership Review",
                           [n if n != "imr" else "chronology_genogram" for n in MAR_PATH if n not in NO_NOTIFY]),
    "rule_9_none": (dict(abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=False),
                    "NONE", "No statutory or local review criteria", ["referral", "screening", "chair_decision",
                                                                       "communicate_decision"]),
}


def distinct(order):
    """The task names of ``order`` without repeats (agency returns run once per agency)."""
    return list(dict.fromkeys(order))


@pytest.mark.parametrize("row", [row if i == 0 else pytest.param(row, marks=pytest.mark.slow)  # whole cases: ~0.6 s
                                 for i, row in enumerate(DMN_ROWS)])  # each; test_scr_dmn decides every row fast
def test_every_decision_table_row_runs_to_the_end(run, row):
    criteria, expected, basis, path = DMN_ROWS[row]
    run.move_to("2027-01-11")
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", **criteria)
    screening = run.task(case, "screening")
    with transaction(run.factory) as s:
        data = task_service.task_detail(s, screening.id, actor=run.coordinator, now=run.now).data
    assert data["recommended_review_type"] == expected
    assert basis in data["recommendation_basis"]
    run.later(days=1)
    order = ["referral"] + run.run_to_end(case)
    final = run.instance(case)
    assert final.status == "completed", (final.error, order)
    assert sorted(distinct(order)) == sorted(path)  # parallel tasks may finish in any order
    assert order[-1] == path[-1]
    returns = final.data.get("imrs") or final.data.get("chronologies") or []
    assert sorted(r["agency"] for r in returns) == sorted(final.data["agencies_involved"] if
                                                          ({"imr", "chronology_genogram"} & set(path)) else [])
    assert final.data["review_type"] == expected
    if expected == "NONE":
        assert final.data["outcome"] == "no_review" and final.data["actions"] == []
        assert run.instances("action_plan") == []
    else:
        assert final.data["review_label"] in final.title
        plans = run.instances("action_plan")
        assert [p.data["source_process"] for p in plans] == ["scr"]
        assert len(plans[0].data["actions"]) == len(final.data["recommendations"]) == 2
    if path is SCR_PATH:
        assert final.data["publication_required"] is True and final.data["publication_url"].startswith("https://")


def test_referral_from_a_coordinator_is_assigned_back_to_them(run):
    case = run.start("scr", data=LSCB, who="cora")
    (referral,) = run.ready(case)
    assert (referral.name, referral.role, referral.assignee) == ("referral", "reviewer", "cora")


def test_subgroup_and_chair_departing_from_the_table_must_say_why(run):
    run.move_to("2027-01-11")
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", abuse_or_neglect="suspected", child_outcome="died")  # table: SCR
    screening = run.task(case, "screening")
    payload = {"subgroup_meeting_date": run.today, "subgroup_view": "MAR", "subgroup_rationale": "x" * 20,
               "notification_required": True}
    with pytest.raises(InvalidData) as refused, transaction(run.factory) as s:
        task_service.complete_task(s, screening.id, payload, actor=run.coordinator, now=run.now)
    assert {"field": "subgroup_departure_reason", "message": "is required", "keyword": "required",
            "expected": None} in refused.value.details
    run.do(case, "screening", subgroup_view="MAR")
    run.do(case, "notify_panel")
    run.do(case, "rapid_review")
    run.do(case, "chair_decision", review_type="PR")  # departs from both: the reason is filled in
    final = run.instance(case).data
    assert (final["recommended_review_type"], final["subgroup_view"], final["review_type"]) == ("SCR", "MAR", "PR")
    assert final["departure_reason"] and final["contribution_type"] == "chronology_genogram"
    assert run.ready_names(case) == ["communicate_decision"]


def test_lighter_reviews_are_not_offered_for_a_single_agency(run):
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True,
           learning_focus="period", agencies_involved=["police"])
    run.do(case, "screening")
    decision = run.task(case, "chair_decision")
    with pytest.raises(AssertionError, match="review_type"):
        run.complete(decision, review_type="LLR")
    run.complete(decision, review_type="PR")
    assert run.instance(case).data["review_type"] == "PR"


@pytest.mark.parametrize("computed, decided", [(True, False), (False, True)])
def test_subgroup_decides_whether_to_notify(run, computed, decided):
    criteria = dict(abuse_or_neglect="suspected", child_outcome="died") if computed else \
        dict(abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True)
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", **criteria)
    assert run.instance(case).data["notification_required"] is computed
    run.do(case, "screening", notification_required=decided)
    assert run.ready_names(case) == (["notify_panel"] if decided else ["chair_decision"])


@pytest.mark.parametrize("review_type, involve", [("SCR", False), ("LLR", True)])
def test_family_involvement_follows_the_set_up(run, review_type, involve):
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True,
           learning_focus="period" if review_type == "LLR" else "whole_case")
    run.do(case, "screening", notification_required=False)
    run.do(case, "chair_decision", review_type=review_type)
    assert run.instance(case).data["involve_family"] is (review_type == "SCR")  # the script's default
    run.do(case, "communicate_decision")
    run.do(case, "set_up_review", involve_family=involve)
    if review_type == "SCR":
        run.do_each(case, "imr")
    assert run.ready_names(case) == sorted(["learning_event"] + (["family_involvement"] if involve else []))
    if involve:
        task = run.task(case, "family_involvement")
        assert task.assignee == "pat"  # the lead reviewer named at set-up
        run.complete(task, family_response="declined")
    run.do(case, "learning_event")
    assert run.ready_names(case) == ["draft_report"]


def _to_panel(run, **referral):
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", **referral)
    run.run_to_end(case, skip={"panel_review"})
    assert run.ready_names(case) == ["panel_review"]
    return case


def test_panel_returns_the_report_until_it_is_accepted(run):
    case = _to_panel(run)
    panel = run.do(case, "panel_review", panel_outcome="revise")
    assert panel.assignee == "chad"  # the panel chair named at set-up
    revise = run.task(case, "revise_report")
    assert revise.assignee == "pat"
    run.complete(revise)
    run.do(case, "panel_review", panel_outcome="revise")
    run.do(case, "revise_report")
    run.do(case, "panel_review", panel_outcome="accept")
    assert run.instance(case).data["revision_count"] == 2
    assert run.ready_names(case) == ["prepare_action_plan"]


@pytest.mark.slow  # a long run through the engine: make test-ci
def test_panel_loop_stops_after_five_revisions(run):
    case = _to_panel(run)
    for _ in range(5):
        run.do(case, "panel_review", panel_outcome="revise")
        run.do(case, "revise_report")
    run.do(case, "panel_review", panel_outcome="revise")  # a sixth "revise" no longer loops
    data = run.instance(case).data
    assert (data["revision_count"], data["max_revisions"]) == (5, 5)
    assert run.ready_names(case) == ["prepare_action_plan"]


def test_nil_returns_approval_with_amendments_and_no_actions(run):
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral")
    plan = {"imr": {}, "prepare_action_plan": {"actions": 0},
            "board_approval": {"board_decision": "approved_with_amendments"},
            "anonymisation_check": {"criminal_proceedings": "ongoing"}}
    run.run_to_end(case, plan=plan, skip={"imr"})
    run.do_each(case, "imr", per_agency={"health": {"nil_return": True}})
    run.run_to_end(case, plan=plan)
    final = run.instance(case)
    assert final.status == "completed"
    returns = {r["agency"]: r for r in final.data["imrs"]}
    assert set(returns) == set(PEOPLE.agencies)
    assert returns["health"]["nil_return"] is True and returns["health"]["report"] == {}
    assert returns["police"]["report"]["author"] == "pat"
    assert final.data["publication_delay_reason"]
    assert final.data["actions"] == [] and run.instances("action_plan") == []  # gw_handover's default flow


def test_the_published_report_has_its_own_pseudonym_and_is_the_checked_document(run):
    """Publication is not the working file: the anonymisation step holds the report document itself and gives the
    published report a pseudonym of its own, refused when it is the working one (in any case)."""
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", pseudonym="Child A", abuse_or_neglect="suspected", child_outcome="died")  # an SCR
    run.run_to_end(case, skip={"anonymisation_check"})
    check = run.task(case, "anonymisation_check")
    for working in ("Child A", "child a", "CHILD A"):
        with pytest.raises(AssertionError, match="'published_pseudonym', 'message'"):
            run.complete(check, published_pseudonym=working)
    with pytest.raises(AssertionError, match="'report_document', 'message': 'is required'"):
        run.complete(check, report_document=None)
    run.complete(check)
    publish = run.task(case, "publish_report")
    shown = run.shown(publish)
    assert (shown["pseudonym"], shown["published_pseudonym"]) == ("Child A", "Child P")
    with transaction(run.factory) as s:  # the publisher can open the checked report itself
        report = reading.open_document(s, shown["report_document"], now=run.now,
                                       actor=run.people.actor_for(publish.role, publish.agency, publish.assignee))
    assert (report.version.name, report.content[:5]) == ("Child P overview report.pdf", b"%PDF-")
    run.do(case, "publish_report")
    assert run.instance(case).data["publication_url"].endswith("/child-p")


def test_agency_contributions_are_bound_to_each_agency(run):
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral")
    run.run_to_end(case, skip={"imr"})
    imrs = run.ready(case, name="imr")
    assert sorted((t.agency, t.role) for t in imrs) == [("csc", "reviewer"), ("health", "reviewer"),
                                                         ("police", "reviewer")]
    health = next(t.id for t in imrs if t.agency == "health")
    with pytest.raises((NotFound, Forbidden)), transaction(run.factory) as s:  # police cannot answer for health
        task_service.complete_task(s, health, {"nil_return": True}, actor=PEOPLE.actor("pat"), now=run.now)
    police = next(t for t in imrs if t.agency == "police")
    run.complete(next(t for t in imrs if t.agency == "csc"))
    shown = run.shown(police)  # the terms of reference and the child's identifiers; not the case's reasoning
    assert {"terms_of_reference", "scope_from", "scope_to", "child_initials", "child_dob"} <= set(shown)
    assert not {"subgroup_rationale", "grounds", "practice_episodes", "rr_recommendation", "family_details",
                "decision_rationale", "imrs", "imr_return", "report"} & set(shown)


# --- statutory clocks across bank holidays -------------------------------------------------------------------

CLOCKS = {
    # la_aware_on, notification_date: notify_panel due (5 WD), rapid_review due (15 WD), chair_decision (20 WD)
    "christmas_2026": ("2026-12-21", "2026-12-23", "2026-12-30", "2027-01-18", "2027-01-21"),
    "easter_2027": ("2027-03-22", "2027-03-24", "2027-03-31", "2027-04-16", "2027-04-21"),
    "august_2027": ("2027-08-24", "2027-08-26", "2027-09-01", "2027-09-17", "2027-09-22"),
}


@pytest.mark.parametrize("season", list(CLOCKS))
def test_statutory_clocks_skip_weekends_and_bank_holidays(run, season):
    aware, notified, notify_due, rapid_due, decision_due = CLOCKS[season]
    run.move_to(aware)
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", la_aware_on=aware, abuse_or_neglect="suspected", child_outcome="died")
    assert run.instance(case).data["notification_due_date"] == notify_due  # the script's add_working_days
    screening = run.do(case, "screening")
    assert screening.due_at == end_of_day(notify_due)
    notify = run.task(case, "notify_panel")
    assert notify.due_at == end_of_day(notify_due)
    assert notify.priority == 1
    run.move_to(notified)
    run.complete(notify, notification_date=notified)
    rapid = run.task(case, "rapid_review")
    assert rapid.due_at == end_of_day(rapid_due)
    run.move_to(notify_due)
    run.complete(rapid)
    assert run.task(case, "chair_decision").due_at == end_of_day(decision_due)


def test_end_of_day_is_the_london_day_in_summer_time(run):
    assert end_of_day("2027-03-31").isoformat() == "2027-03-31T22:59:59+00:00"
    assert end_of_day("2026-12-30").isoformat() == "2026-12-30T23:59:59+00:00"


def test_report_deadlines_count_calendar_months_from_initiation(run):
    run.move_to("2027-01-04")
    case = run.start("scr", data=LSCB, who="pat")
    run.do(case, "referral", abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True,
           learning_focus="single_event")
    run.do(case, "screening")
    run.do(case, "chair_decision", decision_date="2027-01-06")  # AAR: no contributions, no panel
    run.run_to_end(case, skip={"draft_report"})
    draft = run.task(case, "draft_report")
    assert draft.due_at == end_of_day("2027-06-07")  # P5M from review_initiated_date is a Sunday: the Monday
    run.complete(draft)
    run.do(case, "prepare_action_plan")
    assert run.task(case, "board_approval").due_at == end_of_day("2027-07-06")  # P6M
    run.move_to(at("2027-07-06", 17))
    assert run.task(case, "board_approval").overdue is False  # due on the day means by its end
    run.move_to(at("2027-07-07", 8))
    assert run.task(case, "board_approval").overdue is True
