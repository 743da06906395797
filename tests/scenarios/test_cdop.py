"""cdop: the child death review of 2018 end to end. The notification's fields, the Joint Agency Response only for
unexpected deaths that meet its criteria, the agency reports and the family's views, the child death review
meeting before the panel, and every branch after the panel: the CDR partners' responses to the recommendations
and the hand-over to action_plan. The JAR itself is in test_cdop_jar, the referrals to scr in test_cdop_referral,
preventability in test_cdop_preventability and the deadlines in test_cdop_dates."""
from __future__ import annotations

import pytest

from .scenarios_kit import PEOPLE, at

CDR_PARTNERS = ["csc", "health"]  # the test partnership's la and icb (tests/conftest.py)


def test_the_notification_keeps_what_the_guidance_asks_and_titles_the_case(run):
    run.move_to(at("2027-01-11", 10))
    case = run.start("cdop")
    notification = run.do(case, "notification", urn="CDOP-2027-031", pseudonym="Child C", nhs_number="9434765919",
                          local_authority="outside", jar=True)
    assert (notification.role, notification.priority) == ("coordinator", 1)
    data = run.instance(case).data
    assert run.instance(case).title == "CDOP CDOP-2027-031: Child C"
    assert (data["child_initials"], data["child_nhs_number"], data["nhs_number_status"]) == (
        "BT", "9434765919", "given")
    assert (data["child_local_authority"], data["other_local_authority"]) == ("outside", "Southshire County Council")
    assert (data["referral_nhs_number"], data["referral_local_authority"]) == (
        "9434765919", "Southshire County Council")
    assert (data["designated_doctor_confirmed"], data["post_mortem"], data["coroner_informed"], data["inquest"]) == (
        True, "coronial", True, "opened")
    assert data["jar_required"] is True and data["jar_criteria"] == ["sudden_no_apparent_cause"]


def test_an_nhs_number_may_be_left_out_only_for_the_ncmd_exceptions(run):
    case = run.start("cdop")
    task = run.task(case, "notification")
    with pytest.raises(AssertionError, match="child_nhs_number"):
        run.complete(task, nhs_number=None, nhs_number_status="given")
    with pytest.raises(AssertionError, match="child_nhs_number"):
        run.complete(task, nhs_number="12345")
    run.complete(task, nhs_number_status="non_resident_in_england", local_authority="csc")
    data = run.instance(case).data
    assert (data["referral_nhs_number"], data["referral_local_authority"]) == ("", "csc")


@pytest.mark.parametrize(("expected", "criteria", "jar"), [
    ("expected", None, False),
    ("unexpected", [], False),
    ("unexpected", ["external_causes"], True),
    ("unexpected", ["custody_or_detained", "suspicious_circumstances"], True),
])
def test_a_joint_agency_response_follows_only_an_unexpected_death_that_meets_its_criteria(run, expected, criteria,
                                                                                          jar):
    case = run.start("cdop")
    run.do(case, "notification", expected_death=expected, jar_criteria=criteria)
    assert run.ready_names(case) == (["identify_agencies", "jar_planning"] if jar else ["identify_agencies"])
    data = run.instance(case).data
    assert data["jar_required"] is jar
    order = run.run_to_end(case, skip={"panel_review"})
    assert ("jar_planning" in order) is jar and order[-2:] == ["cdrm", "collate_anonymise"]
    assert run.instance(case).data["jar_outcome"] == ("no_concern" if jar else "not_required")


def test_agency_reports_go_to_each_agency_and_the_family_views_run_beside_them(run):
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    assert run.shown(run.task(case, "identify_agencies"))["agencies_involved"] == PEOPLE.agencies[:2]  # pre-filled
    run.do(case, "identify_agencies", agencies_involved=["police", "health"])
    reports = run.ready(case, name="agency_report")
    assert sorted((t.agency, t.role) for t in reports) == [("health", "reviewer"), ("police", "reviewer")]
    assert set(run.shown(reports[0])) >= {"child_initials", "child_dob", "child_sex", "date_of_death"}
    assert "circumstances" not in run.shown(reports[0])


def test_nil_returns_and_the_returns_collected_for_the_review_meeting(run):
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    run.do(case, "identify_agencies", agencies_involved=["police", "csc", "health"])
    run.do_each(case, "agency_report", per_agency={"police": {"nil_return": True},
                                                   "csc": {"safeguarding_concerns": "yes"}})
    assert run.ready_names(case) == ["family_views"]  # the join waits for the family's views too
    run.do(case, "family_views", family_response="declined")
    returns = {r["agency"]: r for r in run.instance(case).data["agency_returns"]}
    assert set(returns) == {"police", "csc", "health"}
    assert returns["police"] == {"agency": "police", "nil_return": True, "nil_reason": returns["police"]["nil_reason"],
                                 "report": {}, "returned_on": run.today}
    assert returns["csc"]["report"]["safeguarding_detail"]
    assert returns["health"]["report"]["completed_by"] == "hana"
    meeting = run.task(case, "cdrm")
    assert meeting.role == "coordinator"
    assert run.shown(meeting)["agency_returns"] == run.instance(case).data["agency_returns"]
    run.complete(meeting)
    assert run.ready_names(case) == ["collate_anonymise"]
    assert run.shown(run.task(case, "collate_anonymise"))["cdrm_learning"]


# partners' responses (None: no recommendations) -> handed to action_plan, tasks done after the panel
BRANCHES = {
    "both_accept": ({"csc": "accepted", "health": "accepted_with_changes"}, True),
    "one_accepts": ({"csc": "not_accepted", "health": "accepted"}, True),
    "neither_accepts": ({"csc": "not_accepted", "health": "not_accepted"}, False),
    "no_recommendations": (None, False),
}


@pytest.mark.parametrize("branch", list(BRANCHES))
def test_the_cdr_partners_respond_to_the_recommendations(run, branch):
    responses, handed = BRANCHES[branch]
    case = run.start("cdop")
    run.run_to_end(case, skip={"panel_review"})
    run.do(case, "panel_review", recommendations=2 if responses else 0)
    partner_tasks = run.ready(case, name="partner_response")
    assert sorted((t.agency, t.role) for t in partner_tasks) == (
        [(a, "partner") for a in CDR_PARTNERS] if responses else [])
    for task in partner_tasks:
        shown = run.shown(task)
        assert len(shown["recommendations"]) == 2 and shown["preventability"] == "preventable"
        run.complete(task, partner_decision=responses[task.agency])
    assert run.run_to_end(case) == ["ncmd_submission"]
    final = run.instance(case).data
    assert run.instance(case).status == "completed"
    assert sorted((r["agency"], r["response"]) for r in final.get("partner_responses", [])) == sorted(
        (responses or {}).items())
    assert final.get("recommendations_accepted", False) is handed
    assert len(final["learning_log"]) == 1 and final["learning_log"][0]["agencies"] == PEOPLE.agencies
    plans = run.instances("action_plan")
    assert len(plans) == (1 if handed else 0)
    if handed:
        handover = plans[0].data
        assert handover["source_process"] == "cdop" and handover["pseudonym"] == "Child B"
        assert [a["recommendation"] for a in handover["actions"]] == [
            r["recommendation"] for r in final["recommendations"]]
