"""Serious child safeguarding case reviews (``scr``): the form data for every task, and the demo's cases, from a
referral just started to a review whose draft the panel sent back.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import scr_wt2023  # noqa: F401  registers the Working Together 2023 builders
from .documents import placeholder
from .forms import Ctx, builds, iso_day, learning_log, merged, pick, smart_action

if TYPE_CHECKING:
    pass

# --- form data ----------------------------------------------------------------------------------------------

CRITERIA_DEFAULTS = {"abuse_or_neglect": "suspected", "child_outcome": "seriously_harmed",
                     "concern_agency_working": True, "special_circumstances": "none", "learning_focus": "whole_case"}


@builds("scr", "referral")
def scr_referral(ctx: Ctx, *, pseudonym: str = "Child A", agencies_involved: Sequence[str] | None = None,
                 la_aware_on: str | None = None, incident_date: str | None = None, regime: str | None = None,
                 **extra: Any) -> dict[str, Any]:
    initiator = ctx.doer  # the referral is assigned back to whoever started it
    referrer_agency = ctx.people.agency_of(initiator) if initiator else None
    referrer_agency = referrer_agency or ctx.agencies[0]
    criteria = {k: extra.pop(k, v) for k, v in CRITERIA_DEFAULTS.items()}
    la_aware = la_aware_on or ctx.on
    agencies = list(agencies_involved) if agencies_involved is not None else pick(ctx.agencies, 3)
    return merged({
        "referrer": initiator or ctx.people.coordinator, "referrer_role": "Designated safeguarding lead",
        "referrer_agency": referrer_agency, "senior_lead": ctx.people.lead(referrer_agency),
        "senior_lead_agreed": True, "pseudonym": pseudonym, "child_initials": "AB",
        "child_dob": iso_day(la_aware, days=-3 * 365), "child_sex": "female",
        "family_details": "Mother (CD), mother's partner (EF), sibling aged 6 (GH)",
        "child_local_authority": "Northshire", "regime": regime, "national_importance": False,
        "incident_date": incident_date or iso_day(la_aware, days=-2), "la_aware_on": la_aware,
        "incident_summary": f"{pseudonym} was admitted to hospital with injuries the family could not explain.",
        **criteria,
        "agencies_involved": agencies, "lead_agency": agencies[0],
        "grounds": "Abuse is suspected and several agencies knew the family; the threshold may be met.",
    }, extra)


@builds("scr", "confirm_referral")
def scr_confirm_referral(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    """The coordinator checks a referral pre-filled from CDOP and adds what CDOP does not hold."""
    base = scr_referral(Ctx({}, ctx.people, ctx.on))
    prefilled = {k: ctx.get(k) for k in ("pseudonym", "child_dob", "child_sex", "incident_date", "la_aware_on",
                                         "abuse_or_neglect", "child_outcome", "concern_agency_working",
                                         "special_circumstances", "learning_focus") if ctx.get(k) is not None}
    agencies = list(ctx.get("agencies_involved") or base["agencies_involved"])
    grounds = str(ctx.get("grounds") or "")
    summary = str(ctx.get("incident_summary") or "")
    return merged({
        **base, **prefilled, "child_initials": "JK", "referrer": ctx.people.coordinator,
        "referrer_role": "CDOP coordinator", "referrer_agency": agencies[0],
        "senior_lead": ctx.people.lead(agencies[0]), "agencies_involved": agencies, "lead_agency": agencies[0],
        "grounds": grounds if len(grounds) >= 20
        else (grounds + " Referred by the Child Death Overview Panel.").strip(),
        "incident_summary": summary if len(summary) >= 20 else base["incident_summary"],
        "family_details": None,
    }, extra)


@builds("scr", "screening")
def scr_screening(ctx: Ctx, *, subgroup_view: str | None = None, notification_required: bool | None = None,
                  **extra: Any) -> dict[str, Any]:
    recommended = ctx.get("recommended_review_type", "NONE")
    view = subgroup_view or recommended
    payload = {
        "subgroup_meeting_date": ctx.on, "recommended_review_type": recommended,
        "recommendation_basis": ctx.get("recommendation_basis", ""), "subgroup_view": view,
        "subgroup_rationale": "The sub-group considered the referral, the agency summaries and the criteria.",
        "notification_required": bool(ctx.get("notification_required")) if notification_required is None
        else notification_required,
    }
    if view != recommended:
        payload["subgroup_departure_reason"] = "The sub-group sees a narrower learning focus than the table."
    return merged(payload, extra)


@builds("scr", "notify_panel")
def scr_notify_panel(ctx: Ctx, *, notification_date: str | None = None, **extra: Any) -> dict[str, Any]:
    return merged({"notification_date": notification_date or ctx.on, "notification_reference": "SIN-" + ctx.on,
                   "submitted_by_la": True, "ofsted_informed": True,
                   "partners_informed_date": notification_date or ctx.on, "rr_threshold_stated": "yes"}, extra)


@builds("scr", "rapid_review")
def scr_rapid_review(ctx: Ctx, *, rr_recommendation: str = "lcspr", **extra: Any) -> dict[str, Any]:
    return merged({
        "rr_meeting_date": ctx.on, "agency_summaries_received": list(ctx.get("agencies_involved") or ctx.agencies[:1]),
        "practice_episodes": "Three missed opportunities to share concerns between the nursery and health visiting.",
        "immediate_actions": "Siblings seen and safety plan in place.",
        "learning_identified": "Concerns were held by single agencies and not pieced together.",
        "potential_improvements": "A shared chronology at the first strategy discussion.",
        "context_and_inequalities": "The family had recently moved and spoke little English; no interpreter was used.",
        "rr_recommendation": rr_recommendation, "rr_sent_date": ctx.on,
    }, extra)


@builds("scr", "chair_decision")
def scr_chair_decision(ctx: Ctx, *, review_type: str | None = None, decision_date: str | None = None,
                       **extra: Any) -> dict[str, Any]:
    recommended = ctx.get("recommended_review_type", "NONE")
    subgroup = ctx.get("subgroup_view", recommended)
    chosen = review_type or subgroup
    payload: dict[str, Any] = {
        "recommended_review_type": recommended, "subgroup_view": subgroup, "review_type": chosen,
        "decision_date": decision_date or ctx.on,
        "decision_rationale": "The chair agrees the criteria and the learning potential with the partners.",
        "peer_challenge_sought": False,
    }
    if chosen != recommended or chosen != subgroup:
        payload["departure_reason"] = "The chair weighs the learning potential differently from the sub-group."
    if chosen == "NONE":
        payload["no_review_reason"] = "The learning is captured in the rapid review; no further review is needed."
    return merged(payload, extra)


@builds("scr", "communicate_decision")
def scr_communicate_decision(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"decision_communicated_date": ctx.on, "referrer_informed": True, "panel_informed": True,
                   "agencies_informed": list(ctx.get("agencies_involved") or ctx.agencies[:1]),
                   "family_informed": "yes"}, extra)


@builds("scr", "set_up_review")
def scr_set_up_review(ctx: Ctx, *, lead_reviewer: str | None = None, involve_family: bool | None = None,
                      **extra: Any) -> dict[str, Any]:
    review_type = ctx.get("review_type", "SCR")
    method = {"SCR": "learning_together", "MAR": "imr_based", "PR": "hybrid"}.get(review_type, "facilitated_discussion")
    return merged({
        "panel_chair": ctx.people.chair, "lead_reviewer": lead_reviewer or ctx.people.lead(ctx.agencies[0]),
        "reviewer_independence": "The reviewer has had no involvement with the family or the agencies' staff.",
        "panel_agencies": list(ctx.get("agencies_involved") or ctx.agencies[:1]),
        "terms_of_reference": "How agencies identified and responded to signs of harm in the year before the incident.",
        "scope_from": ctx.date(-365), "scope_to": ctx.date(-7),
        "key_lines_of_enquiry": ["Information sharing between universal services", "Hearing the child's voice"],
        "methodology": method,
        "involve_family": bool(ctx.get("involve_family")) if involve_family is None else involve_family,
    }, extra)


def _chronology(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"date": ctx.date(-200), "event": "Attendance at the emergency department with a bruise",
             "agency_response": "Discharged with advice"},
            {"date": ctx.date(-90), "event": "Missed two health appointments", "agency_response": "Letter sent"}]


@builds("scr", "imr")
def scr_imr(ctx: Ctx, *, nil_return: bool = False, **extra: Any) -> dict[str, Any]:
    if nil_return:
        return merged({"nil_return": True, "nil_reason": "No records held for the child or household."}, extra)
    return merged({"nil_return": False, "report": {
        "author": ctx.person,
        "author_role": "Named safeguarding lead",
        "author_independence": "I had no direct involvement and did not manage the practitioners involved.",
        "date_of_request": ctx.date(-30), "date_records_secured": ctx.date(-28),
        "period_from": ctx.date(-365), "period_to": ctx.date(-7),
        "contextual_factors": ["volume_of_work", "staff_turnover"],
        "methodology": "Records reviewed; three practitioners and two managers interviewed.",
        "chronology": _chronology(ctx),
        "analysis": "Decisions were reasonable individually, but no one saw the whole pattern of concerns.",
        "good_practice": "Prompt follow-up of the missed appointments.",
        "lessons": "Share concerns even when each one seems minor on its own.",
        "recommendations": ["Add a multi-agency chronology to every child protection plan"]}}, extra)


@builds("scr", "chronology_genogram")
def scr_chronology_genogram(ctx: Ctx, *, nil_return: bool = False, **extra: Any) -> dict[str, Any]:
    if nil_return:
        return merged({"nil_return": True, "nil_reason": "No involvement with the family in the period."}, extra)
    return merged({"nil_return": False, "report": {
        "author": ctx.person,
        "author_role": "Safeguarding adviser", "period_from": ctx.date(-365), "period_to": ctx.date(-7),
        "chronology": _chronology(ctx), "genogram": "Mother (CD), mother's partner (EF), two children (AB, GH)",
        "key_issues": "Frequent house moves", "practitioners": "Health visitor, class teacher"}}, extra)


@builds("scr", "learning_event")
def scr_learning_event(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    review_type = ctx.get("review_type")
    fmt = {"LLR": "llr_discussion", "AAR": "aar_session"}.get(review_type, "learning_event")
    return merged({
        "event_date": ctx.on, "event_format": fmt,
        "agencies_attending": list(ctx.get("agencies_involved") or ctx.agencies[:1]), "practitioners_attending": 14,
        "what_happened": "Practitioners walked through the year before the incident together.",
        "why_it_happened": "Caseloads were high and each agency saw only part of the picture.",
        "what_went_well": "The nursery's recording was detailed.",
        "needs_improvement": "Routine sharing of low-level concerns.",
        "lessons": "Small concerns add up; share them and ask who else knows the family.",
    }, extra)


@builds("scr", "family_involvement")
def scr_family_involvement(ctx: Ctx, *, family_response: str = "contributed", **extra: Any) -> dict[str, Any]:
    payload = {"family_informed_date": ctx.on, "family_response": family_response, "publication_discussed": True}
    if family_response == "contributed":
        payload["family_views"] = "Mother (CD) felt no one asked how the children were managing after the move."
    return merged(payload, extra)


def _recommendations(ctx: Ctx, count: int) -> list[dict[str, Any]]:
    agencies = list(ctx.get("agencies_involved") or ctx.agencies)
    texts = ["Improve information sharing between universal services and children's social care",
             "Make the child's voice visible in every assessment",
             "Strengthen escalation when agencies disagree about thresholds"]
    return [{"ref": f"R{i + 1}", "recommendation": texts[i % len(texts)], "agency": agencies[i % len(agencies)]}
            for i in range(count)]


@builds("scr", "draft_report")
def scr_draft_report(ctx: Ctx, *, recommendations: int = 2, **extra: Any) -> dict[str, Any]:
    return merged({
        "draft_submitted_date": ctx.on,
        "executive_summary": f"The review considers how agencies worked together to safeguard {ctx.get('pseudonym')}.",
        "findings": [{"finding": "Concerns were not shared across agencies",
                      "agencies": list(ctx.get("agencies_involved") or ctx.agencies[:1])}],
        "good_practice": "The school kept an accurate chronology.",
        "recommendations": _recommendations(ctx, recommendations),
    }, extra)


@builds("scr", "panel_review")
def scr_panel_review(ctx: Ctx, *, panel_outcome: str = "accept", **extra: Any) -> dict[str, Any]:
    payload = {"panel_meeting_date": ctx.on, "panel_outcome": panel_outcome, "panel_notes": "Well evidenced."}
    if panel_outcome == "revise":
        payload["revision_requests"] = "Say more about the impact of the house moves on the children."
    return merged(payload, extra)


@builds("scr", "revise_report")
def scr_revise_report(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"revision_submitted_date": ctx.on, "changes_made": "Added a section on the house moves.",
                   "recommendations": list(ctx.get("recommendations") or _recommendations(ctx, 1))}, extra)


@builds("scr", "prepare_action_plan")
def scr_prepare_action_plan(ctx: Ctx, *, actions: int | None = None, **extra: Any) -> dict[str, Any]:
    recs = list(ctx.get("recommendations") or [])
    count = len(recs) if actions is None else actions
    out = []
    for i in range(count):
        rec = recs[i % len(recs)] if recs else {}
        agency = str(rec["agency"]) if rec.get("agency") in ctx.people.leads else ctx.agencies[i % len(ctx.agencies)]
        label = f"{rec['ref']}: {rec['recommendation']}" if rec else None
        out.append(smart_action(ctx, i, agency, recommendation=label))
    return merged({"actions": out}, extra)


@builds("scr", "board_approval")
def scr_board_approval(ctx: Ctx, *, board_decision: str = "approved", **extra: Any) -> dict[str, Any]:
    payload = {"board_meeting_date": ctx.on, "board_decision": board_decision,
               "board_response": "The partnership accepts the findings and commits to the action plan.",
               "action_plan_agreed": True}
    if board_decision == "approved_with_amendments":
        payload["amendments"] = "Add target dates for the health actions."
    return merged(payload, extra)


@builds("scr", "anonymisation_check")
def scr_anonymisation_check(ctx: Ctx, *, criminal_proceedings: str = "none", **extra: Any) -> dict[str, Any]:
    """The checked report (a PDF uploaded to the task: see ``demo.documents``) and the published report's own
    pseudonym, never the working one."""
    working = str(ctx.get("pseudonym") or "")
    published = next(p for p in ("Child P", "Child Q") if p.lower() != working.lower())
    payload = {"report_document": placeholder(f"{published} overview report.pdf"), "published_pseudonym": published,
               "names_removed": True, "pseudonyms_consistent": True, "identifying_details_generalised": True,
               "third_parties_checked": True, "family_informed_of_publication": True,
               "criminal_proceedings": criminal_proceedings, "advance_notice_date": ctx.on,
               "planned_publication_date": ctx.date(14)}
    if criminal_proceedings == "ongoing":
        payload["publication_delay_reason"] = "A criminal trial is listed; publication waits for the verdict."
    return merged(payload, extra)


@builds("scr", "publish_report")
def scr_publish_report(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    published = str(ctx.get("published_pseudonym") or "child")
    return merged({"publication_date": ctx.on,
                   "publication_url": "https://example.org/reviews/" + published.lower().replace(" ", "-"),
                   "board_response_published": True, "copies_sent": True}, extra)


@builds("scr", "record_learning")
def scr_record_learning(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"learning_log": learning_log(ctx, list(ctx.get("agencies_involved") or ctx.agencies[:1])),
                   "dissemination": ["seven_minute_briefing", "briefing_sessions"], "briefing_date": ctx.on}, extra)


from .scr_cases import run_cases  # noqa: E402  the demo's cases; builders above register first

__all__ = ["run_cases"]
