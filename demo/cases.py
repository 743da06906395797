"""Valid, believable form data for every user task of the five shipped processes.

One place for what a person would type into each form, shared by the scenario tests (tests/scenarios) and
``lif demo``. ``form_data(process_key, task_name, data, people, on, **choices)`` returns the data for the task
called ``task_name`` whose current task data is ``data``; ``on`` is the day the form is filled in (the dates
the form asks for are taken from it) and ``choices`` are the decisions the scenario makes (the chair's review
type, a nil return, a panel's "revise", ...). Each builder names the choices it understands; any other keyword
is a plain top-level override of a form field.

Every name here is invented: children are pseudonyms ("Child A") with initials, families are described by role.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping, Sequence

from dateutil.relativedelta import relativedelta

from engine.records import Actor

# --- people -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """The partnership as the forms see it: who coordinates, who chairs, and each agency's lead reviewer."""

    coordinator: str
    chair: str
    leads: Mapping[str, str]  # agency key -> username of that agency's lead (role reviewer)

    @property
    def agencies(self) -> list[str]:
        return list(self.leads)

    def lead(self, agency: str) -> str:
        return self.leads[agency]

    def agency_of(self, username: str) -> str | None:
        return next((a for a, u in self.leads.items() if u == username), None)

    def actor(self, username: str) -> Actor:
        """The actor for a username of this partnership."""
        roles: set[str] = set()
        if username == self.coordinator:
            roles.add("coordinator")
        if username == self.chair:
            roles.add("chair")
        agency = self.agency_of(username)
        if agency is not None:
            roles.add("reviewer")
        return Actor(username, frozenset(roles or {"reviewer"}), agency)

    def actor_for(self, role: str | None, agency: str | None, assignee: str | None) -> Actor:
        """Who does a task offered to ``role`` / bound to ``agency`` / assigned to ``assignee``."""
        if assignee:
            return self.actor(assignee)
        if agency:
            return self.actor(self.lead(agency))
        if role == "chair":
            return self.actor(self.chair)
        if role == "coordinator" or role is None:
            return self.actor(self.coordinator)
        return self.actor(self.lead(self.agencies[0]))


# --- helpers ------------------------------------------------------------------------------------------------


def _day(on: date | datetime | str) -> date:
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, date):
        return on
    return date.fromisoformat(str(on)[:10])


def _iso(on: date | datetime | str, days: int = 0, months: int = 0) -> str:
    return (_day(on) + timedelta(days=days) + relativedelta(months=months)).isoformat()


def _pick(values: Sequence[str], count: int) -> list[str]:
    return list(values[:max(1, min(count, len(values)))])


@dataclass(frozen=True)
class Ctx:
    data: Mapping[str, Any]
    people: People
    on: str  # ISO date the form is filled in

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def date(self, days: int = 0, months: int = 0) -> str:
        return _iso(self.on, days, months)

    @property
    def agencies(self) -> list[str]:
        return self.people.agencies


Builder = Callable[..., dict[str, Any]]
BUILDERS: dict[tuple[str, str], Builder] = {}


def builds(process_key: str, *task_names: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        for name in task_names:
            BUILDERS[(process_key, name)] = fn
        return fn
    return register


def form_data(process_key: str, task_name: str, data: Mapping[str, Any], people: People,
              on: date | datetime | str, **choices: Any) -> dict[str, Any]:
    """Valid form data for the task ``task_name`` of ``process_key`` (see the module docstring)."""
    try:
        builder = BUILDERS[(process_key, task_name)]
    except KeyError:
        raise KeyError(f"no demo form data for {process_key}.{task_name}") from None
    return builder(Ctx(dict(data or {}), people, _day(on).isoformat()), **choices)


def _with(payload: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    payload.update(extra)
    return {k: v for k, v in payload.items() if v is not None}


LEARNING_THEMES = ["information_sharing", "professional_curiosity", "voice_of_child", "neglect",
                   "domestic_abuse", "escalation", "assessment_and_planning", "safe_sleep"]
LESSONS = {
    "information_sharing": "Health visiting and school held concerns that never reached the social worker.",
    "professional_curiosity": "Practitioners accepted explanations for injuries without checking them.",
    "voice_of_child": "The child's own account was not recorded at any of the home visits.",
    "neglect": "Chronic neglect was treated as a series of separate incidents rather than a pattern.",
    "domestic_abuse": "Police call-outs for domestic abuse were not linked to the children in the household.",
    "escalation": "Disagreement about thresholds was not escalated through the resolution protocol.",
    "assessment_and_planning": "The plan was not reviewed when the household changed.",
    "safe_sleep": "Safe sleep advice was given once and not revisited after the family moved.",
}


def _learning_log(ctx: Ctx, agencies: Sequence[str], count: int = 2) -> list[dict[str, Any]]:
    return [{"theme": theme, "lesson": LESSONS[theme], "good_practice": "The school nurse kept a clear chronology.",
             "agencies": list(agencies) or ctx.agencies[:1]} for theme in LEARNING_THEMES[:count]]


def smart_action(ctx: Ctx, i: int, agency: str, *, recommendation: str | None = None,
                 due_in_days: int = 180, owner: str | None = None) -> dict[str, Any]:
    """One SMART action for ``agency``, owned by its lead."""
    what = ["Audit a sample of referrals for evidence that concerns were shared within one working day",
            "Deliver professional curiosity briefings to every front-line team",
            "Add the child's own words to the assessment template and check their use in supervision",
            "Agree an escalation route between health visiting and children's social care",
            "Review the safe sleep leaflet and check it is discussed at every new-birth visit"][i % 5]
    return {"recommendation": recommendation or f"R{i + 1}: strengthen multi-agency practice",
            "action": what, "measure": "Quarterly audit of 20 cases; 90% compliance by the target date",
            "owner": owner or ctx.people.lead(agency), "agency": agency, "due_date": ctx.date(due_in_days)}


# --- scr ----------------------------------------------------------------------------------------------------

CRITERIA_DEFAULTS = {"abuse_or_neglect": "suspected", "child_outcome": "seriously_harmed",
                     "concern_agency_working": True, "special_circumstances": "none", "learning_focus": "whole_case"}


@builds("scr", "referral")
def scr_referral(ctx: Ctx, *, pseudonym: str = "Child A", agencies_involved: Sequence[str] | None = None,
                 la_aware_date: str | None = None, incident_date: str | None = None, **extra: Any) -> dict[str, Any]:
    initiator = ctx.get("process_initiator")
    referrer_agency = ctx.people.agency_of(initiator) if initiator else None
    referrer_agency = referrer_agency or ctx.agencies[0]
    criteria = {k: extra.pop(k, v) for k, v in CRITERIA_DEFAULTS.items()}
    la_aware = la_aware_date or ctx.on
    return _with({
        "referrer": initiator or ctx.people.coordinator, "referrer_role": "Designated safeguarding lead",
        "referrer_agency": referrer_agency, "senior_lead": ctx.people.lead(referrer_agency),
        "senior_lead_agreed": True, "pseudonym": pseudonym, "child_initials": "AB",
        "child_dob": _iso(la_aware, days=-3 * 365), "child_sex": "female",
        "family_details": "Mother (CD), mother's partner (EF), sibling aged 6 (GH)",
        "incident_date": incident_date or _iso(la_aware, days=-2), "la_aware_date": la_aware,
        "incident_summary": f"{pseudonym} was admitted to hospital with injuries the family could not explain.",
        **criteria,
        "agencies_involved": list(agencies_involved) if agencies_involved is not None else _pick(ctx.agencies, 3),
        "grounds": "Abuse is suspected and several agencies knew the family; the threshold may be met.",
    }, extra)


@builds("scr", "confirm_referral")
def scr_confirm_referral(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    """The coordinator checks a referral pre-filled from CDOP and adds what CDOP does not hold."""
    base = scr_referral(Ctx({}, ctx.people, ctx.on))
    prefilled = {k: ctx.get(k) for k in ("pseudonym", "child_dob", "child_sex", "incident_date", "la_aware_date",
                                         "abuse_or_neglect", "child_outcome", "concern_agency_working",
                                         "special_circumstances", "learning_focus") if ctx.get(k) is not None}
    agencies = list(ctx.get("agencies_involved") or base["agencies_involved"])
    grounds = str(ctx.get("grounds") or "")
    summary = str(ctx.get("incident_summary") or "")
    return _with({
        **base, **prefilled, "child_initials": "JK", "referrer": ctx.people.coordinator,
        "referrer_role": "CDOP coordinator", "referrer_agency": agencies[0],
        "senior_lead": ctx.people.lead(agencies[0]), "agencies_involved": agencies,
        "grounds": grounds if len(grounds) >= 20 else (grounds + " Referred by the Child Death Overview Panel.").strip(),
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
    return _with(payload, extra)


@builds("scr", "notify_panel")
def scr_notify_panel(ctx: Ctx, *, notification_date: str | None = None, **extra: Any) -> dict[str, Any]:
    return _with({"notification_date": notification_date or ctx.on, "notification_reference": "SIN-" + ctx.on,
                  "submitted_by_la": True, "ofsted_informed": True, "partners_informed_date": notification_date or ctx.on,
                  "rr_threshold_stated": "yes"}, extra)


@builds("scr", "rapid_review")
def scr_rapid_review(ctx: Ctx, *, rr_recommendation: str = "lcspr", **extra: Any) -> dict[str, Any]:
    return _with({
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
    return _with(payload, extra)


@builds("scr", "communicate_decision")
def scr_communicate_decision(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return _with({"decision_communicated_date": ctx.on, "referrer_informed": True, "panel_informed": True,
                  "agencies_informed": list(ctx.get("agencies_involved") or ctx.agencies[:1]),
                  "family_informed": "yes"}, extra)


@builds("scr", "set_up_review")
def scr_set_up_review(ctx: Ctx, *, lead_reviewer: str | None = None, involve_family: bool | None = None,
                      **extra: Any) -> dict[str, Any]:
    review_type = ctx.get("review_type", "SCR")
    method = {"SCR": "learning_together", "MAR": "imr_based", "PR": "hybrid"}.get(review_type, "facilitated_discussion")
    return _with({
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
    agency = ctx.get("imr_agency") or ctx.agencies[0]
    if nil_return:
        return _with({"nil_return": True, "nil_reason": "No records held for the child or household."}, extra)
    return _with({"nil_return": False, "report": {
        "author": ctx.people.lead(agency) if agency in ctx.people.leads else ctx.people.coordinator,
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
    agency = ctx.get("chronology_agency") or ctx.agencies[0]
    if nil_return:
        return _with({"nil_return": True, "nil_reason": "No involvement with the family in the period."}, extra)
    return _with({"nil_return": False, "report": {
        "author": ctx.people.lead(agency) if agency in ctx.people.leads else ctx.people.coordinator,
        "author_role": "Safeguarding adviser", "period_from": ctx.date(-365), "period_to": ctx.date(-7),
        "chronology": _chronology(ctx), "genogram": "Mother (CD), mother's partner (EF), two children (AB, GH)",
        "key_issues": "Frequent house moves", "practitioners": "Health visitor, class teacher"}}, extra)


@builds("scr", "learning_event")
def scr_learning_event(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    review_type = ctx.get("review_type")
    fmt = {"LLR": "llr_discussion", "AAR": "aar_session"}.get(review_type, "learning_event")
    return _with({
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
    return _with(payload, extra)


def _recommendations(ctx: Ctx, count: int) -> list[dict[str, Any]]:
    agencies = list(ctx.get("agencies_involved") or ctx.agencies)
    texts = ["Improve information sharing between universal services and children's social care",
             "Make the child's voice visible in every assessment",
             "Strengthen escalation when agencies disagree about thresholds"]
    return [{"ref": f"R{i + 1}", "recommendation": texts[i % len(texts)], "agency": agencies[i % len(agencies)]}
            for i in range(count)]


@builds("scr", "draft_report")
def scr_draft_report(ctx: Ctx, *, recommendations: int = 2, **extra: Any) -> dict[str, Any]:
    return _with({
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
    return _with(payload, extra)


@builds("scr", "revise_report")
def scr_revise_report(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return _with({"revision_submitted_date": ctx.on, "changes_made": "Added a section on the house moves.",
                  "recommendations": list(ctx.get("recommendations") or _recommendations(ctx, 1))}, extra)


@builds("scr", "prepare_action_plan")
def scr_prepare_action_plan(ctx: Ctx, *, actions: int | None = None, **extra: Any) -> dict[str, Any]:
    recs = list(ctx.get("recommendations") or [])
    count = len(recs) if actions is None else actions
    out = []
    for i in range(count):
        rec = recs[i % len(recs)] if recs else {}
        agency = rec.get("agency") if rec.get("agency") in ctx.people.leads else ctx.agencies[i % len(ctx.agencies)]
        label = f"{rec['ref']}: {rec['recommendation']}" if rec else None
        out.append(smart_action(ctx, i, agency, recommendation=label))
    return _with({"actions": out}, extra)


@builds("scr", "board_approval")
def scr_board_approval(ctx: Ctx, *, board_decision: str = "approved", **extra: Any) -> dict[str, Any]:
    payload = {"board_meeting_date": ctx.on, "board_decision": board_decision,
               "board_response": "The partnership accepts the findings and commits to the action plan.",
               "action_plan_agreed": True}
    if board_decision == "approved_with_amendments":
        payload["amendments"] = "Add target dates for the health actions."
    return _with(payload, extra)


@builds("scr", "anonymisation_check")
def scr_anonymisation_check(ctx: Ctx, *, criminal_proceedings: str = "none", **extra: Any) -> dict[str, Any]:
    payload = {"names_removed": True, "pseudonyms_consistent": True, "identifying_details_generalised": True,
               "third_parties_checked": True, "family_informed_of_publication": True,
               "criminal_proceedings": criminal_proceedings, "advance_notice_date": ctx.on,
               "planned_publication_date": ctx.date(14)}
    if criminal_proceedings == "ongoing":
        payload["publication_delay_reason"] = "A criminal trial is listed; publication waits for the verdict."
    return _with(payload, extra)


@builds("scr", "publish_report")
def scr_publish_report(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return _with({"publication_date": ctx.on, "publication_url": "https://example.org/reviews/child-a",
                  "board_response_published": True, "copies_sent": True}, extra)


@builds("scr", "record_learning")
def scr_record_learning(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return _with({"learning_log": _learning_log(ctx, list(ctx.get("agencies_involved") or ctx.agencies[:1])),
                  "dissemination": ["seven_minute_briefing", "briefing_sessions"], "briefing_date": ctx.on}, extra)


# --- cdop ---------------------------------------------------------------------------------------------------


@builds("cdop", "notification")
def cdop_notification(ctx: Ctx, *, pseudonym: str = "Child B", urn: str = "CDOP-0001",
                      expected_death: str = "unexpected", **extra: Any) -> dict[str, Any]:
    return _with({
        "notification_date": ctx.on, "urn": urn, "pseudonym": pseudonym, "child_dob": ctx.date(-400),
        "child_sex": "male", "date_of_death": ctx.date(-1), "expected_death": expected_death,
        "location_of_death": "hospital",
        "circumstances": "Brought to the emergency department unresponsive; a Joint Agency Response followed.",
    }, extra)


@builds("cdop", "identify_agencies")
def cdop_identify_agencies(ctx: Ctx, *, agencies_involved: Sequence[str] | None = None,
                           **extra: Any) -> dict[str, Any]:
    agencies = list(agencies_involved) if agencies_involved is not None else _pick(ctx.agencies, 3)
    return _with({"agencies_involved": agencies, "lead_agency": agencies[0],
                  "request_notes": "Please return the reporting form within three weeks."}, extra)


@builds("cdop", "agency_report")
def cdop_agency_report(ctx: Ctx, *, nil_return: bool = False, safeguarding_concerns: str = "no",
                       **extra: Any) -> dict[str, Any]:
    agency = ctx.get("report_agency") or ctx.agencies[0]
    if nil_return:
        return _with({"nil_return": True, "nil_reason": "The child was not known to the agency."}, extra)
    report = {"completed_by": ctx.people.lead(agency) if agency in ctx.people.leads else ctx.people.coordinator,
              "completed_by_role": "Named professional", "involvement_from": ctx.date(-300),
              "involvement_to": ctx.date(-2),
              "involvement_summary": "Routine contacts; the family missed two appointments in the spring.",
              "services_provided": "Universal services", "safeguarding_concerns": safeguarding_concerns,
              "bereavement_support_offered": "yes", "bereavement_support_detail": "Referral to a bereavement charity",
              "poverty_or_deprivation": "nk", "barriers_to_services": "no",
              "factors_identified": "Overcrowded housing"}
    if safeguarding_concerns == "yes":
        report["safeguarding_detail"] = "Bruising seen at a routine visit was not explained."
    return _with({"nil_return": False, "report": report}, extra)


@builds("cdop", "family_views")
def cdop_family_views(ctx: Ctx, *, family_response: str = "contributed", **extra: Any) -> dict[str, Any]:
    payload = {"family_letter_sent_date": ctx.on, "key_worker_role": "Specialist nurse for child death",
               "family_response": family_response}
    if family_response == "contributed":
        payload["family_views"] = "The parents praised the ward staff and asked why the GP visit was delayed."
        payload["family_questions"] = "Could the illness have been spotted earlier?"
    return _with(payload, extra)


@builds("cdop", "collate_anonymise")
def cdop_collate_anonymise(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return _with({"all_returns_received": True, "anonymised": True,
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
    return _with(payload, extra)


@builds("cdop", "board_recommendations")
def cdop_board_recommendations(ctx: Ctx, *, board_decision: str = "accepted", **extra: Any) -> dict[str, Any]:
    payload = {"board_meeting_date": ctx.on, "board_decision": board_decision}
    if board_decision != "accepted":
        payload["board_comments"] = "The board asked for the health actions to be combined."
    return _with(payload, extra)


@builds("cdop", "ncmd_submission")
def cdop_ncmd_submission(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return _with({"analysis_complete": True, "ncmd_submitted_date": ctx.on,
                  "ncmd_reference": "NCMD-" + str(ctx.get("urn", "0000"))}, extra)


# --- section11 ----------------------------------------------------------------------------------------------


@builds("section11", "set_cycle")
def s11_set_cycle(ctx: Ctx, *, agencies_taking_part: Sequence[str] | None = None, cycle_period: str = "P2Y",
                  return_deadline: str | None = None, cycle_name: str | None = None, **extra: Any) -> dict[str, Any]:
    year = _day(ctx.on).year
    return _with({
        "cycle_name": cycle_name or f"{year}-{str(year + 2)[2:]}", "cycle_period": cycle_period,
        "period_from": ctx.date(-730), "period_to": ctx.date(-1), "return_deadline": return_deadline or ctx.date(56),
        "agencies_taking_part": list(agencies_taking_part) if agencies_taking_part is not None else ctx.agencies,
        "guidance_notes": "Rate each standard honestly and give evidence; amber and red need an action plan.",
    }, extra)


def _standard(ctx: Ctx, rating: str, n: int) -> dict[str, Any]:
    if rating == "na":
        return {"rating": "na", "na_reason": "The agency does not recruit staff directly."}
    out: dict[str, Any] = {"rating": rating, "evidence": f"Policy, training records and audit for standard {n}.",
                           "impact": "Staff survey shows good awareness."}
    if rating in ("amber", "red"):
        out["actions"] = [{"action": f"Close the gap found against standard {n}", "owner_role": "Head of safeguarding",
                           "timescale": ctx.date(180), "measure": "Re-audit in six months"}]
    return out


@builds("section11", "self_evaluation")
def s11_self_evaluation(ctx: Ctx, *, nil_return: bool = False, ratings: Sequence[str] | None = None,
                        **extra: Any) -> dict[str, Any]:
    agency = ctx.get("agency") or ctx.agencies[0]
    respondent = ctx.people.lead(agency) if agency in ctx.people.leads else ctx.people.coordinator
    base = {"nil_return": nil_return, "respondent": respondent, "respondent_role": "Executive safeguarding lead",
            "date_returned": ctx.on}
    if nil_return:
        base["nil_reason"] = "Exempt this cycle: the service was recommissioned."
        return _with(base, extra)
    ratings = list(ratings or ["green", "green", "amber", "green", "green", "green", "green", "green"])
    for n, rating in enumerate(ratings, start=1):
        base[f"standard_{n}"] = _standard(ctx, rating, n)
    return _with(base, extra)


@builds("section11", "select_peer_review")
def s11_select_peer_review(ctx: Ctx, *, sample: int = 2, **extra: Any) -> dict[str, Any]:
    taking_part = list(ctx.get("agencies_taking_part") or ctx.agencies)
    assignments = []
    for i, reviewed in enumerate(taking_part[:sample]):
        others = [a for a in ctx.agencies if a != reviewed] or [reviewed]
        assignments.append({"agency_reviewed": reviewed, "reviewer_agency": others[i % len(others)]})
    return _with({"peer_review_assignments": assignments,
                  "sampling_rationale": "One statutory and one commissioned agency, as agreed by the QA sub-group."},
                 extra)


@builds("section11", "peer_review")
def s11_peer_review(ctx: Ctx, *, ratings_supported: str = "agree", **extra: Any) -> dict[str, Any]:
    agency = ctx.get("peer_agency") or ctx.agencies[0]
    payload: dict[str, Any] = {
        "reviewer": ctx.people.lead(agency) if agency in ctx.people.leads else ctx.people.coordinator,
        "ratings_supported": ratings_supported, "standards_challenged": [],
        "strengths": "Clear governance and a well-used training offer.",
        "areas_for_development": "Evidence of impact on children is thin.",
    }
    if ratings_supported != "agree":
        payload["standards_challenged"] = ["5"]
        payload["challenge_questions"] = "How do you know the training changed practice?"
    return _with(payload, extra)


@builds("section11", "challenge_event")
def s11_challenge_event(ctx: Ctx, *, agreed_actions: int = 1, rating_changes: int = 0, **extra: Any) -> dict[str, Any]:
    taking_part = list(ctx.get("agencies_taking_part") or ctx.agencies)
    return _with({
        "event_date": ctx.on, "agencies_attending": taking_part,
        "key_challenges": "Agencies were asked for evidence of impact, not only of policy.",
        "rating_changes": [{"agency": taking_part[0], "standard": "5", "from_rating": "green", "to_rating": "amber",
                            "reason": "Training completion below 80%"}][:rating_changes],
        "agreed_actions": [smart_action(ctx, i, taking_part[i % len(taking_part)],
                                        recommendation="Challenge event: evidence of impact")
                           for i in range(agreed_actions)],
        "learning_log": _learning_log(ctx, taking_part, 1),
    }, extra)


@builds("section11", "approve_board_plan")
def s11_approve_board_plan(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return _with({"board_meeting_date": ctx.on, "plan_approved": True,
                  "board_comments": "Progress to be reported to every other board meeting."}, extra)


# --- action_plan and action_item ----------------------------------------------------------------------------


@builds("action_plan", "plan_form")
def ap_plan_form(ctx: Ctx, *, actions: int | Sequence[dict[str, Any]] | None = None, update_period: str | None = None,
                 sign_off_by: str | Sequence[str] = "coordinator", due_in_days: int = 180,
                 **extra: Any) -> dict[str, Any]:
    """Completes the handed-over actions (owner, agency, dates) or, for a plan started by hand, writes
    ``actions`` new ones. ``sign_off_by`` is one value or one per action."""
    if isinstance(actions, (list, tuple)):
        proposed = [dict(a) for a in actions]
    else:
        handed = [dict(a) for a in ctx.get("actions") or []]
        count = len(handed) if actions is None else int(actions)
        if not handed and actions is None:
            count = 3
        proposed = [handed[i] if i < len(handed) else {} for i in range(count)]
    out = []
    for i, action in enumerate(proposed):
        agency = action.get("agency") if action.get("agency") in ctx.people.leads else ctx.agencies[i % len(ctx.agencies)]
        base = smart_action(ctx, i, agency, due_in_days=due_in_days)
        filled = {k: (action.get(k) or base[k]) for k in base}
        if filled["owner"] not in ctx.people.leads.values() and filled["owner"] not in (ctx.people.coordinator,
                                                                                     ctx.people.chair):
            filled["owner"] = base["owner"]
        for key in ("recommendation", "action", "measure"):
            if len(str(filled[key])) < 5:
                filled[key] = base[key]
        filled["sign_off_by"] = sign_off_by if isinstance(sign_off_by, str) else sign_off_by[i % len(sign_off_by)]
        out.append(filled)
    title = ctx.get("plan_title") or ("Actions from " + str(ctx.get("source_title") or "the partnership"))
    return _with({"plan_title": str(title)[:200] if len(str(title)) >= 3 else "Partnership action plan",
                  "update_period": update_period or ctx.get("update_period", "P28D"), "actions": out}, extra)


@builds("action_plan", "progress_update")
def ap_progress_update(ctx: Ctx, *, status: str = "on_track", rag: str | None = None, **extra: Any) -> dict[str, Any]:
    rag = rag or {"on_track": "green", "completed": "green", "at_risk": "amber", "not_started": "red"}[status]
    payload = {"progress_status": status, "rag": rag,
               "progress_note": {"not_started": "Waiting for the new practice lead to start.",
                                 "on_track": "Briefings delivered to two of four teams.",
                                 "at_risk": "Audit delayed by staff sickness.",
                                 "completed": "All teams briefed and the audit re-run."}[status]}
    if status == "completed":
        payload["evidence_of_completion"] = "Attendance registers and the audit report."
        payload["evidence_of_impact"] = "Re-audit: concerns shared within a day in 92% of cases, up from 60%."
    return _with(payload, extra)


@builds("action_plan", "sign_off_coordinator", "sign_off_chair")
def ap_sign_off(ctx: Ctx, *, decision: str = "signed_off", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"sign_off_decision": decision,
                               "sign_off_note": "Evidence of impact is convincing." if decision == "signed_off"
                               else "Please send the re-audit figures."}
    if decision == "signed_off":
        payload["impact_confirmed"] = True
    return _with(payload, extra)


@builds("action_plan", "board_challenge")
def ap_board_challenge(ctx: Ctx, *, outcome: str = "continue", new_due_date: str | None = None,
                       **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"challenge_date": ctx.on, "challenge_outcome": outcome,
                               "challenge_summary": "The board asked why the action slipped and what help is needed."}
    if outcome == "extend":
        payload["new_due_date"] = new_due_date or ctx.date(90)
    if outcome == "withdraw":
        payload["withdraw_reason"] = "Superseded by the new regional protocol."
    return _with(payload, extra)


# --- case_audit ---------------------------------------------------------------------------------------------

_TEAMS = ["North", "South", "Central"]


def audit_cohort(ctx: Ctx, size: int = 12) -> list[dict[str, Any]]:
    bands = ["0-4", "5-10", "11-15", "16-17"]
    plans = ["cp", "cin", "early_help"]
    outcomes = ["cp_conference", "cin_plan", "nfa"]
    letters = "ABCDEFGHJKLMNPRSTW"
    return [{"case_ref": f"CA-{101 + i}", "child_initials": letters[i % 18] + letters[(i * 7 + 3) % 18],
             "child_dob": ctx.date(-(400 + 365 * (i % 15))), "age_band": bands[i % 4],
             "sex": ["female", "male"][i % 2], "plan_type": plans[i % 3], "investigation_outcome": outcomes[i % 3],
             "team": _TEAMS[i % 3]} for i in range(size)]


@builds("case_audit", "set_audit")
def ca_set_audit(ctx: Ctx, *, sample_size: int = 8, sample_seed: int = 0,
                 agencies_taking_part: Sequence[str] | None = None, cohort_size: int = 12,
                 **extra: Any) -> dict[str, Any]:
    return _with({
        "audit_theme": "Neglect: response to early signs", "cohort_criteria": "Children referred for neglect in the quarter",
        "cohort_period_from": ctx.date(-120), "cohort_period_to": ctx.date(-30),
        "strata_fields": ["age_band", "plan_type"], "sample_size": sample_size, "sample_seed": sample_seed,
        "agencies_taking_part": list(agencies_taking_part) if agencies_taking_part is not None else _pick(ctx.agencies, 3),
        "pre_audit_due_date": ctx.date(21), "meeting_date": ctx.date(35), "cohort": audit_cohort(ctx, cohort_size),
    }, extra)


@builds("case_audit", "pre_audit")
def ca_pre_audit(ctx: Ctx, *, nil_return: bool = False, **extra: Any) -> dict[str, Any]:
    agency = ctx.get("audit_agency") or ctx.agencies[0]
    auditor = ctx.people.lead(agency) if agency in ctx.people.leads else ctx.people.coordinator
    if nil_return:
        return _with({"nil_return": True, "nil_reason": "None of the sampled children is known to us.",
                      "auditor": auditor}, extra)
    findings = []
    for i, ref in enumerate(ctx.get("sample_refs") or []):
        held = i % 3 != 2
        finding: dict[str, Any] = {"case_ref": ref, "records_held": held}
        if held:
            finding.update(involvement_summary="Seen at universal services; two contacts in the period.",
                           strengths="Clear recording", concerns="No chronology", chronology_kept=False,
                           concerns_recorded=True, consent_recorded=True, voice_of_child=i % 2 == 0,
                           single_agency_grade=["good", "adequate", "inadequate"][i % 3])
        findings.append(finding)
    return _with({"nil_return": False, "auditor": auditor, "case_findings": findings}, extra)


@builds("case_audit", "audit_meeting")
def ca_audit_meeting(ctx: Ctx, *, actions: int = 2, **extra: Any) -> dict[str, Any]:
    refs = list(ctx.get("sample_refs") or [])
    taking_part = list(ctx.get("agencies_taking_part") or ctx.agencies[:1])
    grades = []
    for i, ref in enumerate(refs):
        grade = ["good", "adequate", "inadequate"][i % 3]
        grades.append({"case_ref": ref, "grade": grade,
                       "standards_not_met": [] if grade == "good" else
                       (["information_sharing", "recording"] if grade == "inadequate" else ["outcome_planning"]),
                       "agency_concerns": [] if grade == "good" else taking_part[:1],
                       "discussion": "Records show timely visits; planning did not keep pace with the concerns.",
                       "recommendations": "Use the neglect toolkit at every review."})
    log = [dict(smart_action(ctx, i, taking_part[i % len(taking_part)], recommendation="Audit finding: neglect"),
                **({"case_ref": refs[i]} if i < len(refs) else {})) for i in range(actions)]
    return _with({"meeting_held_date": ctx.on, "agencies_present": taking_part, "case_grades": grades,
                  "findings_summary": "Early signs of neglect were seen but not drawn together into a plan.",
                  "actions": log, "learning_log": _learning_log(ctx, taking_part, 1)}, extra)


@builds("case_audit", "receive_findings")
def ca_receive_findings(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    agency = ctx.get("notified_agency") or ctx.agencies[0]
    return _with({"acknowledged": True,
                  "acknowledged_by": ctx.people.lead(agency) if agency in ctx.people.leads else ctx.people.coordinator,
                  "findings_shared_with": "Team managers and the principal social worker",
                  "immediate_actions": "Findings discussed at the next team meeting."}, extra)
