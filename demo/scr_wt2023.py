"""Form data for the tasks of the Working Together 2023 path of ``scr``: the Panel notification, the rapid review
(agency summaries, meeting, the partners' sign-off, submission and the Panel's response), the partners' progress
checkpoint, report sign-off and publication decision, and a further referral for the same child."""
from __future__ import annotations

from typing import Any

from .forms import Ctx, builds, merged


@builds("scr", "notify_panel_wt")
def notify_panel_wt(ctx: Ctx, *, notification_date: str | None = None, **extra: Any) -> dict[str, Any]:
    on = notification_date or ctx.on
    return merged({"notification_date": on, "notification_reference": "SIN-" + on, "submitted_by_la": True,
                   "ofsted_sos_informed": bool(ctx.get("notify_ofsted_sos")), "partners_informed_date": on}, extra)


@builds("scr", "screening_wt")
def screening_wt(ctx: Ctx, *, rapid_review_required: bool | None = None, **extra: Any) -> dict[str, Any]:
    return merged({
        "subgroup_meeting_date": ctx.on, "serious_incident_confirmed": bool(ctx.get("serious_incident")),
        "rapid_review_required": bool(ctx.get("rapid_review_expected")) if rapid_review_required is None
        else rapid_review_required,
        "subgroup_rationale": "The sub-group considered the referral against the serious incident criteria.",
    }, extra)


@builds("scr", "rr_summary")
def rr_summary(ctx: Ctx, *, nil_return: bool = False, **extra: Any) -> dict[str, Any]:
    if nil_return:
        return merged({"nil_return": True, "nil_reason": "No records held for the child or household."}, extra)
    return merged({"nil_return": False, "summary": {
        "author_role": "Named safeguarding lead",
        "involvement": "Four contacts in the year before the incident, the last a missed appointment.",
        "practice_episodes": "The missed appointment was followed up by letter only.",
        "immediate_actions": "Siblings' records flagged; safety plan shared.",
        "early_learning": "Follow up missed appointments for children known to other agencies."}}, extra)


@builds("scr", "rr_meeting")
def rr_meeting(ctx: Ctx, *, lcspr: bool = True, proposed_review_type: str | None = None,
               national: bool = False, **extra: Any) -> dict[str, Any]:
    lcspr = lcspr and "CSPR" in (ctx.get("allowed_review_types") or ["CSPR"])
    proposed = proposed_review_type or ("CSPR" if lcspr else "NONE")
    payload: dict[str, Any] = {
        "rr_meeting_date": ctx.on,
        "facts_and_practice_episodes": "Three missed opportunities to share concerns between nursery and health.",
        "learning_record": "Concerns were held by single agencies and not pieced together.",
        "immediate_actions": "Siblings seen and safety plan in place.",
        "context_and_inequalities": "The family had recently moved and no interpreter was used.",
        "lcspr_appropriate": lcspr, "proposed_review_type": proposed,
        "decision_rationale": "The case highlights concerns about agencies working together (regulation 11(c))."
        if lcspr else "The rapid review has captured the learning; no further review is needed.",
        "national_review_suggested": national,
    }
    if lcspr:
        payload["lcspr_reasons"] = ["improvements", "agencies_working_together"]
    return merged(payload, extra)


@builds("scr", "review_proposal")
def review_proposal(ctx: Ctx, *, proposed_review_type: str = "NONE", **extra: Any) -> dict[str, Any]:
    return merged({"proposed_review_type": proposed_review_type,
                   "decision_rationale": "The partners' learning is best met this way, given what is known."}, extra)


@builds("scr", "partners_signoff")
def partners_signoff(ctx: Ctx, *, agreed: bool = True, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"agreed": agreed}
    if not agreed:
        payload["comments"] = "The immediate actions for the siblings need more detail."
    return merged(payload, extra)


@builds("scr", "rr_submit")
def rr_submit(ctx: Ctx, *, rr_sent_date: str | None = None, **extra: Any) -> dict[str, Any]:
    return merged({"rr_sent_date": rr_sent_date or ctx.on,
                   "submission_note": "The signed-off rapid review and the partners' decision."}, extra)


@builds("scr", "record_panel_response")
def record_panel_response(ctx: Ctx, *, outcome: str = "agrees", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"panel_response_date": ctx.on, "panel_response_outcome": outcome}
    if outcome == "questions":
        payload["panel_questions"] = "What did the school know about the home circumstances?"
    return merged(payload, extra)


@builds("scr", "answer_panel")
def answer_panel(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"panel_answers": "The school knew of the move but not of the new partner.",
                   "answered_on": ctx.on}, extra)


@builds("scr", "national_review")
def national_review(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"national_review_published_on": ctx.on,
                   "national_review_response": "The partnership will take the national findings into its plan."},
                  extra)


@builds("scr", "progress_checkpoint")
def progress_checkpoint(ctx: Ctx, *, on_track: bool = True, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"on_track": on_track}
    if not on_track:
        payload["concerns"] = "Two agency reports are late; ask the reviewer for a draft."
    return merged(payload, extra)


@builds("scr", "partners_approve_report")
def partners_approve_report(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"report_signed_off": True,
                   "agency_response": "We accept the findings and own the actions for our agency."}, extra)


@builds("scr", "send_final_report")
def send_final_report(ctx: Ctx, *, proceedings: bool = False, **extra: Any) -> dict[str, Any]:
    return merged({"final_report_sent_on": ctx.on, "sent_to_panel": True, "sent_to_secretary_of_state": True,
                   "criminal_proceedings_pending": proceedings}, extra)


@builds("scr", "partners_publication")
def partners_publication(ctx: Ctx, *, scope: str = "full", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"publish_scope_view": scope}
    if scope != "full":
        payload["withhold_reason"] = "Publishing the full report would identify the surviving siblings."
    return merged(payload, extra)


@builds("scr", "await_proceedings")
def await_proceedings(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"proceedings_concluded_on": ctx.on}, extra)


@builds("scr", "consider_further_referral")
def consider_further_referral(ctx: Ctx, *, action: str = "added_to_review", **extra: Any) -> dict[str, Any]:
    return merged({"further_referral_action": action,
                   "further_referral_reason": "The same incident, referred again by the child death review.",
                   "further_referral_considered_on": ctx.on}, extra)
