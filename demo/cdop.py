"""Child death reviews (``cdop``): the form data for every task, and the demo's cases, from a death notified this
morning to a review that referred the child for a case review.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import scr_cases
from .forms import LESSONS, Ctx, builds, merged, pick

if TYPE_CHECKING:
    from .story import Driver

# --- form data ----------------------------------------------------------------------------------------------

@builds("cdop", "notification")
def cdop_notification(ctx: Ctx, *, pseudonym: str = "Child B", urn: str = "CDOP-0001",
                      expected_death: str = "unexpected", **extra: Any) -> dict[str, Any]:
    return merged({
        "notification_date": ctx.on, "urn": urn, "pseudonym": pseudonym, "child_dob": ctx.date(-400),
        "child_sex": "male", "date_of_death": ctx.date(-1), "expected_death": expected_death,
        "location_of_death": "hospital",
        "circumstances": "Brought to the emergency department unresponsive; a Joint Agency Response followed.",
    }, extra)


@builds("cdop", "identify_agencies")
def cdop_identify_agencies(ctx: Ctx, *, agencies_involved: Sequence[str] | None = None,
                           **extra: Any) -> dict[str, Any]:
    agencies = list(agencies_involved) if agencies_involved is not None else pick(ctx.agencies, 3)
    return merged({"agencies_involved": agencies, "lead_agency": agencies[0],
                   "request_notes": "Please return the reporting form within three weeks."}, extra)


@builds("cdop", "agency_report")
def cdop_agency_report(ctx: Ctx, *, nil_return: bool = False, safeguarding_concerns: str = "no",
                       **extra: Any) -> dict[str, Any]:
    if nil_return:
        return merged({"nil_return": True, "nil_reason": "The child was not known to the agency."}, extra)
    report = {"completed_by": ctx.person,
              "completed_by_role": "Named professional", "involvement_from": ctx.date(-300),
              "involvement_to": ctx.date(-2),
              "involvement_summary": "Routine contacts; the family missed two appointments in the spring.",
              "services_provided": "Universal services", "safeguarding_concerns": safeguarding_concerns,
              "bereavement_support_offered": "yes", "bereavement_support_detail": "Referral to a bereavement charity",
              "poverty_or_deprivation": "nk", "barriers_to_services": "no",
              "factors_identified": "Overcrowded housing"}
    if safeguarding_concerns == "yes":
        report["safeguarding_detail"] = "Bruising seen at a routine visit was not explained."
    return merged({"nil_return": False, "report": report}, extra)


@builds("cdop", "family_views")
def cdop_family_views(ctx: Ctx, *, family_response: str = "contributed", **extra: Any) -> dict[str, Any]:
    payload = {"family_letter_sent_date": ctx.on, "key_worker_role": "Specialist nurse for child death",
               "family_response": family_response}
    if family_response == "contributed":
        payload["family_views"] = "The parents praised the ward staff and asked why the GP visit was delayed."
        payload["family_questions"] = "Could the illness have been spotted earlier?"
    return merged(payload, extra)


@builds("cdop", "collate_anonymise")
def cdop_collate_anonymise(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"all_returns_received": True, "anonymised": True,
                   "case_summary": "An infant died suddenly at home; the agency reports describe the year before.",
                   "documents_available": ["agency_reports", "post_mortem", "family_views"],
                   "panel_meeting_date": ctx.date(14)}, extra)


@builds("cdop", "panel_review")
def cdop_panel_review(ctx: Ctx, *, abuse_neglect_suspected: bool = False, recommendations: int = 1,
                      modifiable_factors: str = "identified", **extra: Any) -> dict[str, Any]:
    agencies = list(ctx.get("agencies_involved") or ctx.agencies[:1])
    recs = [{"recommendation": ["Repeat safe sleep advice at every health contact",
                                "Share missed appointments with the GP within a week"][i % 2],
             "agency": agencies[i % len(agencies)], "action": "Update the practice guidance",
             "measure": "Audit of 20 records", "owner": ctx.people.lead(agencies[i % len(agencies)]),
             "due_date": ctx.date(180)} for i in range(recommendations)]
    payload = {
        "review_date": ctx.on, "agencies_represented": agencies, "category_of_death": "sudden_unexpected_unexplained",
        "cause_of_death": "Sudden unexpected death in infancy", "domain_a_score": "1", "domain_b_score": "2",
        "domain_b_factors": "Co-sleeping after parental alcohol use", "domain_c_score": "1*",
        "domain_c_factors": "Overcrowded housing", "domain_d_score": "2",
        "domain_d_factors": "Safe sleep advice not repeated", "modifiable_factors": modifiable_factors,
        "preventability": "preventable" if modifiable_factors == "identified" else "cannot_determine",
        "abuse_neglect_suspected": abuse_neglect_suspected, "recommendations": recs,
        "learning_points": [{"theme": "safe_sleep", "lesson": LESSONS["safe_sleep"],
                             "good_practice": "Quick bereavement support"}],
    }
    if modifiable_factors == "identified":
        payload["modifiable_factors_summary"] = "Unsafe sleeping arrangement; advice not repeated after the move."
    if abuse_neglect_suspected:
        payload["scr_referral_reason"] = "Neglect suspected: repeated unexplained injuries and missed appointments."
    return merged(payload, extra)


@builds("cdop", "board_recommendations")
def cdop_board_recommendations(ctx: Ctx, *, board_decision: str = "accepted", **extra: Any) -> dict[str, Any]:
    payload = {"board_meeting_date": ctx.on, "board_decision": board_decision}
    if board_decision != "accepted":
        payload["board_comments"] = "The board asked for the health actions to be combined."
    return merged(payload, extra)


@builds("cdop", "ncmd_submission")
def cdop_ncmd_submission(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"analysis_complete": True, "ncmd_submitted_date": ctx.on,
                   "ncmd_reference": "NCMD-" + str(ctx.get("urn", "0000"))}, extra)


# --- the demo's cases ---------------------------------------------------------------------------------------


def run_cases(d: Driver) -> None:
    """The child death reviews of the demo, each at its own stage."""
    for case in (_child_b_waiting_on_reports, _child_l_notified_today, _child_m_referred_for_review,
                 _child_n_waiting_for_panel):
        case(d)


def _child_b_waiting_on_reports(d: Driver) -> None:
    """Waiting on agency reports; two are overdue."""
    b = d.start("cdop", d.ago(27))
    d.do(b, "notification", d.ago(27), pseudonym="Child B", urn="CDOP-0412")
    d.do(b, "identify_agencies", d.ago(26), agencies_involved=["police", "acute_health", "community_health", "csc"])
    d.do_each(b, "agency_report", d.ago(15), only=["police"])
    d.do_each(b, "agency_report", d.ago(10), only=["community_health"], nil_return=True)
    d.do(b, "family_views", d.ago(12), family_response="no_response")


def _child_l_notified_today(d: Driver) -> None:
    """A death notified this morning."""
    d.start("cdop", d.now - timedelta(hours=3))


def _child_m_referred_for_review(d: Driver) -> None:
    """Reviewed; neglect suspected, so referred for a case review; the board accepted the recommendations and
    the action plan waits for the coordinator."""
    m = d.start("cdop", d.ago(95))
    d.do(m, "notification", d.ago(95), pseudonym="Child M", urn="CDOP-0398", expected_death="unexpected")
    d.do(m, "identify_agencies", d.ago(94), agencies_involved=["police", "csc", "community_health"])
    d.do_each(m, "agency_report", d.ago(80), spread_days=2, agencies={"csc": {"safeguarding_concerns": "yes"}})
    d.do(m, "family_views", d.ago(78))
    d.do(m, "collate_anonymise", d.ago(60))
    scr = d.do_and_catch(m, "panel_review", d.ago(45), "scr", abuse_neglect_suspected=True, recommendations=2)
    scr_cases.referral_from_cdop(d, scr, 44)
    d.do(m, "board_recommendations", d.ago(40), board_decision="accepted_with_changes")
    d.do(m, "ncmd_submission", d.ago(35))


def _child_n_waiting_for_panel(d: Driver) -> None:
    """Agency reports in; waiting for the panel meeting."""
    n = d.start("cdop", d.ago(60))
    d.do(n, "notification", d.ago(60), pseudonym="Child N", urn="CDOP-0405", expected_death="expected")
    d.do(n, "identify_agencies", d.ago(59), agencies_involved=["acute_health", "csc"])
    d.do_each(n, "agency_report", d.ago(45), spread_days=5)
    d.do(n, "family_views", d.ago(38))
    d.do(n, "collate_anonymise", d.ago(30))
