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
                      expected_death: str = "unexpected", jar: bool = False,
                      jar_criteria: Sequence[str] | None = None, suspected: bool = False,
                      nhs_number: str | None = None, local_authority: str | None = None,
                      **extra: Any) -> dict[str, Any]:
    """The notification. An unexpected death meets no JAR criterion unless ``jar`` (a sudden death with no apparent
    cause) or ``jar_criteria`` says so; ``suspected`` refers the case at once; ``nhs_number`` (else "not
    currently available"); ``local_authority`` of residence (default: children's social care, else the first agency)."""
    unexpected = expected_death == "unexpected"
    payload: dict[str, Any] = {
        "notification_date": ctx.on, "urn": urn, "pseudonym": pseudonym, "child_initials": "BT",
        "child_dob": ctx.date(-400), "child_sex": "male",
        "nhs_number_status": "given" if nhs_number else "not_currently_available",
        "child_local_authority": local_authority or ("csc" if "csc" in ctx.agencies else ctx.agencies[0]),
        "place_of_residence": "Northtown",
        "date_of_death": ctx.date(-1), "location_of_death": "hospital", "expected_death": expected_death,
        "post_mortem": "coronial" if unexpected else "none", "coroner_informed": unexpected,
        "notified_agencies": pick(ctx.agencies, 2),
        "circumstances": "Brought to the emergency department unresponsive after a sudden collapse."
        if unexpected else "Died in hospital of a life-limiting condition, as anticipated by the care plan.",
        "abuse_neglect_suspected_at_notification": suspected,
    }
    if nhs_number:
        payload["child_nhs_number"] = nhs_number
    if local_authority == "outside":
        payload["other_local_authority"] = "Southshire County Council"
    if unexpected:
        payload["designated_doctor_confirmed"] = True
        payload["jar_criteria"] = list(jar_criteria) if jar_criteria is not None else (
            ["sudden_no_apparent_cause"] if jar else [])
        payload["inquest"] = "opened"
    if suspected:
        payload["notification_referral_grounds"] = "Injuries seen in the emergency department are not explained."
    return merged(payload, extra)


@builds("cdop", "jar_planning")
def cdop_jar_planning(ctx: Ctx, *, home_visit: bool = True, lead: str | None = None, **extra: Any) -> dict[str, Any]:
    """The initial information sharing and planning meeting; ``lead`` is the lead agency (default the first)."""
    agencies = pick(ctx.agencies, 3)
    payload: dict[str, Any] = {
        "jar_planning_date": ctx.on, "jar_agencies": agencies,
        "jar_participant_roles": "Detective sergeant, JAR lead paediatrician, duty social work manager",
        "jar_lead_agency": lead or agencies[0], "home_visit_planned": home_visit,
        "immediate_actions": "Sibling seen by the duty social worker; safety plan agreed with the grandmother.",
        "key_worker_role": "Specialist nurse for child death"}
    if not home_visit:
        payload["no_visit_reason"] = "The death followed a road traffic collision; the police examined the scene."
    return merged(payload, extra)


@builds("cdop", "jar_visit")
def cdop_jar_visit(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"visit_date": ctx.on, "visit_attended_by": "Detective sergeant and JAR lead paediatrician",
                   "visit_findings": "Infant shared an adult bed; the room was cold and overcrowded."}, extra)


@builds("cdop", "jar_record")
def cdop_jar_record(ctx: Ctx, *, suspected: bool = False, concern_on: str | None = None,
                    **extra: Any) -> dict[str, Any]:
    """The JAR record; ``suspected`` raises a concern of abuse or neglect, shared on ``concern_on`` (default the
    day of the record)."""
    payload: dict[str, Any] = {
        "jar_record_date": ctx.on, "jar_summary": "Joint visit completed; the family are supported by the key worker.",
        "further_enquiries": "Post-mortem results awaited.", "abuse_neglect_suspected_at_jar": suspected}
    if suspected:
        payload["jar_referral_grounds"] = "Old fractures found at the skeletal survey are not explained."
        payload["jar_concern_date"] = concern_on or ctx.on
    return merged(payload, extra)


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


@builds("cdop", "cdrm")
def cdop_cdrm(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    agencies = list(ctx.get("agencies_involved") or ctx.agencies[:1])
    return merged({"cdrm_date": ctx.on, "cdrm_attendees": agencies,
                   "cdrm_attendee_roles": "Consultant paediatrician, GP, health visitor, police family liaison officer",
                   "cdrm_cause_of_death": "Sudden unexpected death in infancy, with an unsafe sleeping arrangement",
                   "cdrm_factors": "Co-sleeping after parental alcohol use; overcrowded housing.",
                   "cdrm_learning": "Safe sleep advice was not repeated after the family moved.",
                   "draft_analysis_completed": True}, extra)


@builds("cdop", "collate_anonymise")
def cdop_collate_anonymise(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"all_returns_received": True, "anonymised": True,
                   "case_summary": "An infant died suddenly at home; the agency reports describe the year before.",
                   "documents_available": ["agency_reports", "post_mortem", "family_views"],
                   "panel_meeting_date": ctx.date(14)}, extra)


SCORES = {"identified": ("1", "2", "1*", "2"), "not_identified": ("1", "1", "1*", "1"),
          "insufficient_information": ("0", "1", "1", "1*")}


@builds("cdop", "panel_review")
def cdop_panel_review(ctx: Ctx, *, abuse_neglect_suspected: bool = False, recommendations: int = 1,
                      modifiable_factors: str = "identified", scores: Sequence[str] | None = None,
                      **extra: Any) -> dict[str, Any]:
    """The panel's analysis. The domain scores (A-D) are ``scores``, or a set that gives ``modifiable_factors``."""
    agencies = list(ctx.get("agencies_involved") or ctx.agencies[:1])
    recs = [{"recommendation": ["Repeat safe sleep advice at every health contact",
                                "Share missed appointments with the GP within a week"][i % 2],
             "agency": agencies[i % len(agencies)], "action": "Update the practice guidance",
             "measure": "Audit of 20 records", "owner": ctx.people.lead(agencies[i % len(agencies)]),
             "due_date": ctx.date(180)} for i in range(recommendations)]
    a, b, c, d = scores or SCORES[modifiable_factors]
    payload = {
        "review_date": ctx.on, "agencies_represented": agencies, "category_of_death": "sudden_unexpected_unexplained",
        "cause_of_death": "Sudden unexpected death in infancy", "domain_a_score": a, "domain_b_score": b,
        "domain_b_factors": "Co-sleeping after parental alcohol use", "domain_c_score": c,
        "domain_c_factors": "Overcrowded housing", "domain_d_score": d,
        "domain_d_factors": "Safe sleep advice not repeated",
        "abuse_neglect_suspected": abuse_neglect_suspected, "recommendations": recs,
        "learning_points": [{"theme": "safe_sleep", "lesson": LESSONS["safe_sleep"],
                             "good_practice": "Quick bereavement support", "agencies": agencies}],
    }
    if {"2", "3"} & {a, b, c, d}:
        payload["modifiable_factors_summary"] = "Unsafe sleeping arrangement; advice not repeated after the move."
    if abuse_neglect_suspected:
        payload["scr_referral_reason"] = "Neglect suspected: repeated unexplained injuries and missed appointments."
    return merged(payload, extra)


@builds("cdop", "partner_response")
def cdop_partner_response(ctx: Ctx, *, partner_decision: str = "accepted", **extra: Any) -> dict[str, Any]:
    """A CDR partner's response to the panel's recommendations."""
    payload = {"partner_decision": partner_decision}
    if partner_decision != "accepted":
        payload["partner_comments"] = "The health actions should be combined with the safe sleep campaign."
    return merged(payload, extra)


@builds("cdop", "ncmd_submission")
def cdop_ncmd_submission(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"analysis_complete": True, "ncmd_submitted_date": ctx.on,
                   "ncmd_reference": "NCMD-" + str(ctx.get("urn", "0000"))}, extra)


# --- the demo's cases ---------------------------------------------------------------------------------------


def run_cases(d: Driver) -> None:
    """The child death reviews of the demo, one at each stage: notified today, a Joint Agency Response under way,
    waiting on agency reports, referred to a case review at the JAR, waiting for the review meeting, waiting for
    the panel, waiting on the CDR partners' responses, and one complete."""
    for case in (_child_b_waiting_on_reports, _child_l_notified_today, _child_s_jar_under_way,
                 _child_r_referred_at_the_jar, _child_n_waiting_for_the_review_meeting, _child_t_waiting_for_panel,
                 _child_m_partners_responding, _child_w_complete):
        case(d)


def _gathered(d: Driver, case: str, days: int, involved: list[str], **reports: Any) -> None:
    """Agencies identified ``days`` ago; every report and the family's views in over the next three weeks."""
    d.do(case, "identify_agencies", d.ago(days), agencies_involved=involved)
    d.do_each(case, "agency_report", d.ago(days - 14), spread_days=2, **reports)
    d.do(case, "family_views", d.ago(days - 16))


def _jar(d: Driver, case: str, days: int, **record: Any) -> None:
    """A Joint Agency Response begun ``days`` ago, with a home visit, led by the police."""
    d.do(case, "jar_planning", d.ago(days), lead="police")
    d.do(case, "jar_visit", d.ago(days - 1))
    d.do(case, "jar_record", d.ago(days - 4), **record)


def _child_l_notified_today(d: Driver) -> None:
    """A death notified this morning."""
    d.start("cdop", d.now - timedelta(hours=3))


def _child_s_jar_under_way(d: Driver) -> None:
    """An unexpected infant death two days ago: the JAR's planning meeting has met, the home visit is due."""
    s = d.start("cdop", d.ago(2, 8))
    d.do(s, "notification", d.ago(2, 9), pseudonym="Child S", urn="CDOP-0421", jar=True)
    d.do(s, "jar_planning", d.ago(2, 11), lead="police")
    d.do(s, "identify_agencies", d.ago(1), agencies_involved=["police", "acute_health", "community_health", "csc"])


def _child_b_waiting_on_reports(d: Driver) -> None:
    """An expected death; waiting on agency reports, two of them overdue."""
    b = d.start("cdop", d.ago(27))
    d.do(b, "notification", d.ago(27), pseudonym="Child B", urn="CDOP-0412", expected_death="expected")
    d.do(b, "identify_agencies", d.ago(26), agencies_involved=["police", "acute_health", "community_health", "csc"])
    d.do_each(b, "agency_report", d.ago(15), only=["police"])
    d.do_each(b, "agency_report", d.ago(10), only=["community_health"], nil_return=True)
    d.do(b, "family_views", d.ago(12), family_response="no_response")


def _child_r_referred_at_the_jar(d: Driver) -> None:
    """The JAR found unexplained old fractures: referred at once for a case review, with the day children's social
    care heard of the concern; the agency reports are still coming in."""
    r = d.start("cdop", d.ago(12))
    d.do(r, "notification", d.ago(12), pseudonym="Child R", urn="CDOP-0418", nhs_number="9434765919",
         jar=True)
    d.do(r, "identify_agencies", d.ago(11), agencies_involved=["police", "acute_health", "csc"])
    d.do(r, "jar_planning", d.ago(12, 16), lead="police")
    d.do(r, "jar_visit", d.ago(11))
    d.do_and_catch(r, "jar_record", d.ago(8), "scr", suspected=True, concern_on=d.ago(9).date().isoformat())
    d.do_each(r, "agency_report", d.ago(4), only=["police"])


def _child_n_waiting_for_the_review_meeting(d: Driver) -> None:
    """An expected death; the agency reports and the family's views are in; the review meeting is next."""
    n = d.start("cdop", d.ago(40))
    d.do(n, "notification", d.ago(40), pseudonym="Child N", urn="CDOP-0405", expected_death="expected")
    _gathered(d, n, 39, ["acute_health", "csc"])


def _child_t_waiting_for_panel(d: Driver) -> None:
    """A road traffic collision: a JAR without a home visit, the review meeting held, the papers collated."""
    t = d.start("cdop", d.ago(70))
    d.do(t, "notification", d.ago(70), pseudonym="Child T", urn="CDOP-0401", jar_criteria=["external_causes"])
    d.do(t, "jar_planning", d.ago(70, 15), lead="police", home_visit=False)
    d.do(t, "jar_record", d.ago(66))
    _gathered(d, t, 69, ["police", "education", "csc"])
    d.do(t, "cdrm", d.ago(40))
    d.do(t, "collate_anonymise", d.ago(36))


def _child_m_partners_responding(d: Driver) -> None:
    """Reviewed; neglect first suspected at the panel, so referred then (the case review has decided); the local
    authority has accepted the recommendations and the integrated care board's response is overdue."""
    m = d.start("cdop", d.ago(120))
    d.do(m, "notification", d.ago(120), pseudonym="Child M", urn="CDOP-0398", jar=True)
    _jar(d, m, 120)
    _gathered(d, m, 119, ["police", "csc", "community_health"], agencies={"csc": {"safeguarding_concerns": "yes"}})
    d.do(m, "cdrm", d.ago(75))
    d.do(m, "collate_anonymise", d.ago(60))
    scr = d.do_and_catch(m, "panel_review", d.ago(45), "scr", abuse_neglect_suspected=True, recommendations=2)
    scr_cases.referral_from_cdop(d, scr, 44)
    d.do_each(m, "partner_response", d.ago(30), only=["csc"])


def _child_w_complete(d: Driver) -> None:
    """An expected death reviewed and closed: both partners accepted the recommendations (handed to the action
    plan), and the analysis is with the NCMD."""
    w = d.start("cdop", d.ago(200))
    d.do(w, "notification", d.ago(200), pseudonym="Child W", urn="CDOP-0371", expected_death="expected")
    _gathered(d, w, 199, ["acute_health", "community_health"])
    d.do(w, "cdrm", d.ago(150))
    d.do(w, "collate_anonymise", d.ago(140))
    d.do(w, "panel_review", d.ago(110), recommendations=1, modifiable_factors="identified")
    d.do_each(w, "partner_response", d.ago(100), spread_days=3)
    d.do(w, "ncmd_submission", d.ago(90))
