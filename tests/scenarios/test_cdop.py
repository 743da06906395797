"""cdop: the child death information return end to end, every gateway branch, the 3-week agency reports, and the
referral that starts an scr case (a message between instances)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from .scenarios_kit import PEOPLE, at


def test_agency_reports_go_to_each_agency_due_in_three_weeks(run):
    run.move_to(at("2027-08-13", 10))  # a Friday, London summer time
    case = run.start("cdop")
    notification = run.do(case, "notification", urn="CDOP-2027-031", pseudonym="Child C")
    assert (notification.role, notification.priority) == ("coordinator", 1)
    assert notification.due_at == at("2027-08-16", 10)  # P1D: Saturday 14 Aug, moved to Monday
    assert run.instance(case).title == "CDOP CDOP-2027-031: Child C"
    run.move_to(at("2027-08-16", 10))
    run.do(case, "identify_agencies", agencies_involved=["police", "health"])
    reports = run.ready(case, name="agency_report")
    assert sorted(t.agency for t in reports) == ["health", "police"]
    for report in reports:
        assert report.role == "reviewer"
        # P21D is calendar time: three weeks to the minute, over the August bank holiday (30 Aug 2027), a Monday
        assert report.due_at == datetime(2027, 9, 6, 9, 0, tzinfo=UTC)
    assert run.task(case, "family_views").due_at == datetime(2027, 9, 6, 9, 0, tzinfo=UTC)


def test_agency_report_due_over_christmas(run):
    run.move_to(at("2026-12-07", 14))
    case = run.start("cdop")
    run.do(case, "notification")
    run.do(case, "identify_agencies", agencies_involved=["csc"])
    (report,) = run.ready(case, name="agency_report")
    assert report.due_at == at("2026-12-29", 14)  # P21D lands on 28 Dec (Boxing Day substitute): moved on a day
    run.move_to(at("2026-12-29", 15))
    assert run.task(case, "agency_report").overdue is True


def test_nil_returns_and_the_returns_collected(run):
    case = run.start("cdop")
    run.do(case, "notification")
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
    assert run.ready_names(case) == ["collate_anonymise"]
    assert run.shown(run.task(case, "collate_anonymise"))["agency_returns"] == run.instance(case).data["agency_returns"]


# suspected, recommendations, board decision -> scr started, plan handed over, tasks done after the panel
BRANCHES = {
    "referral_and_accepted": (True, 2, "accepted", True, True, ["board_recommendations", "ncmd_submission"]),
    "accepted_with_changes": (False, 1, "accepted_with_changes", False, True,
                              ["board_recommendations", "ncmd_submission"]),
    "not_accepted": (False, 1, "not_accepted", False, False, ["board_recommendations", "ncmd_submission"]),
    "no_recommendations": (False, 0, None, False, False, ["ncmd_submission"]),
    "referral_only": (True, 0, None, True, False, ["ncmd_submission"]),
}


@pytest.mark.parametrize("branch", list(BRANCHES))
def test_every_branch_after_the_panel(run, branch):
    suspected, recs, decision, referred, handed, after = BRANCHES[branch]
    case = run.start("cdop")
    before = run.run_to_end(case, skip={"panel_review"})
    assert before[:2] == ["notification", "identify_agencies"] and before[-1] == "collate_anonymise"
    run.do(case, "panel_review", abuse_neglect_suspected=suspected, recommendations=recs,
           modifiable_factors="identified" if recs else "not_identified")
    done = run.run_to_end(case, plan={"board_recommendations": {"board_decision": decision}})
    assert done == after
    final = run.instance(case)
    assert final.status == "completed"
    assert final.data["scr_referred"] is suspected
    assert len(final.data["learning_log"]) == 1 and final.data["learning_log"][0]["agencies"] == PEOPLE.agencies
    assert len(final.data["actions"]) == recs
    assert len(run.instances("scr")) == (1 if referred else 0)
    plans = run.instances("action_plan")
    assert len(plans) == (1 if handed else 0)
    if handed:
        handover = plans[0].data
        assert handover["source_process"] == "cdop" and handover["pseudonym"] == "Child B"
        assert [a["recommendation"] for a in handover["actions"]] == [
            r["recommendation"] for r in final.data["recommendations"]]


def test_referral_starts_a_prefilled_scr_case_for_the_coordinator(run):
    run.move_to("2027-02-01")
    case = run.start("cdop")
    run.run_to_end(case, skip={"panel_review"})
    run.move_to("2027-02-15")
    run.do(case, "panel_review", abuse_neglect_suspected=True, recommendations=0)
    cdop = run.instance(case).data
    (scr,) = run.instances("scr")
    assert scr.status == "active" and scr.process_id == "scr"
    assert scr.title == "Child B: referral from CDOP CDOP-0001"  # set by the pre-fill script, at once
    data = scr.data
    assert (data["referral_source"], data["source_reference"]) == ("cdop", "CDOP-0001")
    assert data["pseudonym"] == cdop["pseudonym"] and data["child_dob"] == cdop["child_dob"]
    assert data["incident_date"] == cdop["date_of_death"]
    assert data["la_aware_date"] == "2027-02-15"  # the panel's review date
    assert data["agencies_involved"] == cdop["agencies_involved"]
    assert data["grounds"] == cdop["scr_referral_reason"]
    assert data["incident_summary"].startswith("Death reviewed by the Child Death Overview Panel (CDOP-0001). ")
    (confirm,) = run.ready(scr.id)
    assert (confirm.name, confirm.role, confirm.assignee) == ("confirm_referral", "coordinator", None)
    run.complete(confirm)
    after = run.instance(scr.id).data
    assert after["recommended_review_type"] == "SCR"  # suspected neglect and the child died
    assert after["notification_due_date"] == "2027-02-22"
    assert run.task(scr.id, "screening").due_at.date().isoformat() == "2027-02-22"
    order = run.run_to_end(scr.id)
    assert run.instance(scr.id).status == "completed", order
    assert run.run_to_end(case) == ["ncmd_submission"]  # the cdop case goes on independently
    assert run.instance(case).status == "completed"
