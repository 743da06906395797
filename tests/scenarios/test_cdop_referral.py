"""cdop: the referral into scr (the ``scr_referral`` message, payload ``cdop_referral``) when abuse or neglect is
known or suspected, at the earliest point it is: at notification, at the Joint Agency Response, or at the panel,
and never twice for one case. It carries the child's identifiers for matching and the date the local authority
became aware, from which the 5 working day notification clock runs."""
from __future__ import annotations

import pytest

from .scenarios_kit import at

IDENTIFIERS = {"child_nhs_number": "9434765919", "child_initials": "BT", "child_local_authority": "csc"}


def _case(run, **notification):
    case = run.start("cdop")
    run.do(case, "notification", **{"nhs_number": "9434765919", "local_authority": "csc", "jar": True, **notification})
    return case


def _referral(run):
    (scr,) = run.instances("scr")
    return scr, scr.data["cdop_referral"]


def test_suspected_at_notification_refers_at_once_with_the_notification_date(run):
    run.move_to(at("2027-01-11", 10))
    case = _case(run, suspected=True, urn="CDOP-0100")
    scr, referral = _referral(run)
    data = run.instance(case).data
    assert {k: referral[k] for k in IDENTIFIERS} == IDENTIFIERS
    assert (referral["child_dob"], referral["child_sex"], referral["pseudonym"]) == (
        data["child_dob"], "male", "Child B")
    assert (referral["la_aware_on"], referral["la_aware_date"], referral["referral_stage"]) == (
        "2027-01-11", "2027-01-11", "notification")
    assert (referral["source_process"], referral["source_reference"], referral["source_business_key"]) == (
        "cdop", "CDOP-0100", run.instance(case).business_key)
    assert referral["incident_date"] == data["date_of_death"]
    assert referral["grounds"] == data["notification_referral_grounds"]
    assert referral["agencies_involved"] == data["notified_agencies"]
    assert referral["incident_summary"].startswith("Death notified to the child death review partners (CDOP-0100). ")
    assert scr.data["la_aware_on"] == "2027-01-11"  # scr's 5 working day notification counts from it
    assert run.ready_names(case) == ["identify_agencies", "jar_planning"]  # the review goes on


def test_an_expected_death_can_be_referred_at_notification_without_a_jar(run):
    case = _case(run, expected_death="expected", suspected=True)
    _, referral = _referral(run)
    assert referral["referral_stage"] == "notification"
    assert run.ready_names(case) == ["identify_agencies"]


def test_suspected_at_the_jar_refers_with_the_day_the_concern_reached_the_local_authority(run):
    run.move_to(at("2027-01-11", 10))
    case = _case(run)
    run.do(case, "jar_planning")
    run.do(case, "jar_visit")
    assert run.instances("scr") == []
    run.move_to(at("2027-01-15", 10))
    run.do(case, "jar_record", suspected=True, concern_on="2027-01-13")
    _, referral = _referral(run)
    data = run.instance(case).data
    assert (referral["la_aware_on"], referral["referral_stage"]) == ("2027-01-13", "jar")
    assert referral["grounds"] == data["jar_referral_grounds"]
    assert referral["agencies_involved"] == sorted(set(data["notified_agencies"]) | set(data["jar_agencies"]))
    assert referral["incident_summary"].startswith("Concern raised in the Joint Agency Response (CDOP-0001). ")
    assert {k: referral[k] for k in IDENTIFIERS} == IDENTIFIERS


def test_suspected_first_at_the_panel_refers_with_the_review_date(run):
    run.move_to(at("2027-01-11", 10))
    case = _case(run)
    run.run_to_end(case, skip={"panel_review"})
    assert run.instances("scr") == []
    run.move_to(at("2027-04-12", 10))
    run.do(case, "panel_review", abuse_neglect_suspected=True, recommendations=0)
    _, referral = _referral(run)
    data = run.instance(case).data
    assert (referral["la_aware_on"], referral["referral_stage"]) == ("2027-04-12", "panel")
    assert referral["agencies_involved"] == data["agencies_involved"]
    assert referral["grounds"] == data["scr_referral_reason"]
    assert referral["incident_summary"].startswith("Death reviewed by the Child Death Overview Panel (CDOP-0001). ")
    assert (data["referred_at"], data["scr_referred"]) == ("panel", True)


# suspected at: notification, JAR record, panel -> where the one referral is made
ONCE = {
    "notification_then_jar_then_panel": ((True, True, True), "notification"),
    "jar_then_panel": ((False, True, True), "jar"),
    "notification_and_panel": ((True, False, True), "notification"),
    "panel_only": ((False, False, True), "panel"),
    "never": ((False, False, False), ""),
}


@pytest.mark.parametrize("story", list(ONCE))
def test_a_case_is_referred_at_most_once_at_the_first_suspicion(run, story):
    (at_notification, at_jar, at_panel), stage = ONCE[story]
    case = _case(run, suspected=at_notification)
    run.run_to_end(case, plan={"jar_record": {"suspected": at_jar}}, skip={"panel_review"})
    if at_notification:
        assert run.shown(run.task(case, "panel_review"))["referred_at"] == "notification"
    run.do(case, "panel_review", abuse_neglect_suspected=at_panel, recommendations=0)
    assert run.run_to_end(case) == ["ncmd_submission"]
    data = run.instance(case).data
    assert (data["referred_at"], data["scr_referred"]) == (stage, bool(stage))
    scr = run.instances("scr")
    assert [s.data["cdop_referral"]["referral_stage"] for s in scr] == ([stage] if stage else [])


def test_a_second_referral_for_the_same_child_reaches_the_open_case_review(run):
    """The engine's child match (issue 12): cdop's payload carries what it matches on, so a second referral for the
    same child (here the same death notified twice, by two hospitals) reaches the open scr case as a further
    referral instead of opening a duplicate; a different child gets a case of its own."""
    _case(run, suspected=True, urn="CDOP-0200")
    (scr,) = run.instances("scr")
    _case(run, suspected=True, urn="CDOP-0201")
    assert len(run.instances("scr")) == 1
    assert "consider_further_referral" in run.ready_names(scr.id)
    _case(run, suspected=True, urn="CDOP-0202", nhs_number="9434765927", child_initials="PQ")
    assert len(run.instances("scr")) == 2


def test_a_referral_without_an_nhs_number_matches_on_initials_birth_date_and_local_authority(run):
    case = run.start("cdop")
    run.do(case, "notification", suspected=True, local_authority="csc")  # NHS number not currently available
    (scr,) = run.instances("scr")
    again = run.start("cdop")
    run.do(again, "notification", suspected=True, local_authority="csc", urn="CDOP-0002")
    assert len(run.instances("scr")) == 1 and "consider_further_referral" in run.ready_names(scr.id)
    other = run.start("cdop")
    run.do(other, "notification", suspected=True, local_authority="police", urn="CDOP-0003")  # another authority
    assert len(run.instances("scr")) == 2
