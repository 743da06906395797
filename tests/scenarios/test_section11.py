"""section11: the Section 11 self-evaluation cycle end to end: returns due on the deadline (Good Friday 2027),
ratings with their action plans, nil returns, peer review bound to the reviewing agency, the challenge event and
the combined board plan handed to action_plan."""
from __future__ import annotations

import pytest

from .scenarios_kit import at, end_of_day

AMBER_3 = ["green", "green", "amber", "green", "green", "green", "green", "green"]
RED_1_NA_6 = ["red", "green", "green", "green", "green", "na", "green", "green"]
ALL_GREEN = ["green"] * 8


def test_cycle_with_ratings_nil_return_peer_review_and_board_plan(run):
    run.move_to("2027-01-04")
    case = run.start("section11")
    run.do(case, "set_cycle", return_deadline="2027-03-26", cycle_name="2027-29")
    data = run.instance(case).data
    assert data["next_cycle_due_date"] == "2029-01-04" and data["case_title"] == "Section 11 self-evaluation 2027-29"
    _returns_rated_by_good_friday(run, case)
    _peer_reviewed(run, case)
    _challenged_and_planned(run, case)


def _returns_rated_by_good_friday(run, case):
    """The three returns, set for Good Friday and so due the Tuesday after Easter: two rated, one nil."""
    returns = run.ready(case, name="self_evaluation")
    assert sorted(t.agency for t in returns) == ["csc", "health", "police"]
    for task in returns:
        assert task.due_at == end_of_day("2027-03-30")  # the deadline set is Good Friday: Tuesday after Easter
    run.move_to(at("2027-03-26", 16))
    assert not any(t.overdue for t in run.ready(case, name="self_evaluation"))
    run.do_each(case, "self_evaluation", per_agency={"police": {"ratings": AMBER_3},
                                                     "csc": {"ratings": RED_1_NA_6},
                                                     "health": {"nil_return": True}})
    data = run.instance(case).data
    assert data["rating_counts"] == {"green": 13, "amber": 1, "red": 1, "na": 1}
    assert data["agencies_with_red"] == ["csc"] and data["nil_returns"] == ["health"]
    by_agency = {r["agency"]: r for r in data["s11_returns"]}
    assert by_agency["health"]["standards"] == [] and by_agency["health"]["nil_reason"]
    assert [s["standard"] for s in by_agency["police"]["standards"]] == list(range(1, 9))


def _peer_reviewed(run, case):
    """Each rated return is reviewed by another agency (the nil return reviews, and is not reviewed)."""
    run.do(case, "select_peer_review")
    peer = run.ready(case, name="peer_review")
    assert sorted((t.agency, t.role) for t in peer) == [("csc", "reviewer"), ("health", "reviewer")]
    returns = {r["agency"]: r for r in run.instance(case).data["s11_returns"]}
    for task in peer:  # each reviewing agency is shown the one return under review, and no other
        shown = run.shown(task)
        reviewed = shown["assignment"]["agency_reviewed"]
        assert reviewed != task.agency and shown["assignment"]["reviewed_return"] == returns[reviewed]
        assert not {"s11_returns", "peer_review_requests", "peer_review_assignments"} & set(shown)
    run.do_each(case, "peer_review", per_agency={"csc": {"ratings_supported": "partly"}})
    reviews = {r["agency_reviewed"]: r for r in run.instance(case).data["peer_reviews"]}
    assert reviews["police"]["reviewer_agency"] == "csc" and reviews["police"]["challenge_questions"]
    assert reviews["csc"]["reviewer_agency"] == "health" and reviews["csc"]["challenge_questions"] == ""


def _challenged_and_planned(run, case):
    """The challenge event's actions and the returns' join the board plan, handed to action_plan."""
    run.do(case, "challenge_event", agreed_actions=1, rating_changes=1)
    actions = run.instance(case).data["actions"]
    # returns in the order they came in (csc, health, police), then the actions agreed at the event
    assert [(a["agency"], a["owner"], a.get("owner_role")) for a in actions[:2]] == [
        ("csc", "", "Head of safeguarding"), ("police", "", "Head of safeguarding")]
    assert "standard 1 rated red" in actions[0]["recommendation"]
    assert "standard 3 rated amber" in actions[1]["recommendation"]
    assert actions[2]["recommendation"] == "Challenge event: evidence of impact" and actions[2]["owner"] == "pat"
    approve = run.do(case, "approve_board_plan")
    assert approve.role == "chair"
    final = run.instance(case)
    assert final.status == "completed" and len(final.data["learning_log"]) == 1
    (plan,) = run.instances("action_plan")
    assert (plan.data["source_process"], plan.data["source_reference"]) == ("section11", "2027-29")
    assert len(plan.data["actions"]) == 3
    run.do(plan.id, "plan_form")  # the coordinator names the owners the returns left open
    items = run.instances("action_plan", status="active")
    assert sorted(i.data["action"]["agency"] for i in items if i.process_id == "action_item") == [
        "csc", "police", "police"]


def test_annual_cycle_all_green_hands_nothing_over(run):
    run.move_to("2027-02-10")
    case = run.start("section11")
    run.do(case, "set_cycle", cycle_period="P1Y", agencies_taking_part=["police", "csc"])
    assert run.instance(case).data["next_cycle_due_date"] == "2028-02-10"
    plan = {"self_evaluation": {"ratings": ALL_GREEN}, "challenge_event": {"agreed_actions": 0}}
    order = run.run_to_end(case, plan=plan)
    assert order.count("self_evaluation") == 2 and order[-1] == "approve_board_plan"
    final = run.instance(case)
    assert final.status == "completed" and final.data["actions"] == []
    assert final.data["rating_counts"] == {"green": 16, "amber": 0, "red": 0, "na": 0}
    assert run.instances("action_plan") == []


@pytest.mark.parametrize("standard, missing", [
    ({"rating": "amber", "evidence": "Partly in place"}, "standard_3.actions"),
    ({"rating": "red", "evidence": "Nothing in place yet", "actions": []}, "standard_3.actions"),
    ({"rating": "na"}, "standard_3.na_reason"),
    ({"rating": "green"}, "standard_3.evidence"),
])
def test_ratings_need_their_evidence_and_actions(run, standard, missing):
    case = run.start("section11")
    run.do(case, "set_cycle", agencies_taking_part=["police"])
    task = run.task(case, "self_evaluation")
    with pytest.raises(AssertionError, match=missing.replace(".", r"\.")):
        run.complete(task, standard_3=standard)
    run.complete(task)
    assert run.ready_names(case) == ["select_peer_review"]
