"""Section 11 self-evaluations (``section11``): the form data for every task, and the demo's cases, a cycle
waiting on agency returns and a completed one whose plan is being monitored.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .forms import Ctx, builds, day_of, learning_log, merged, smart_action
from .partnership import AGENCIES

if TYPE_CHECKING:
    from .story import Driver

# --- form data ----------------------------------------------------------------------------------------------

@builds("section11", "set_cycle")
def s11_set_cycle(ctx: Ctx, *, agencies_taking_part: Sequence[str] | None = None, cycle_period: str = "P2Y",
                  return_deadline: str | None = None, cycle_name: str | None = None, **extra: Any) -> dict[str, Any]:
    year = day_of(ctx.on).year
    return merged({
        "cycle_name": cycle_name or f"{year}-{str(year + 2)[2:]}", "cycle_period": cycle_period,
        "period_from": ctx.date(-730), "period_to": ctx.date(-1), "return_deadline": return_deadline or ctx.date(56),
        "agencies_taking_part": list(agencies_taking_part) if agencies_taking_part is not None else ctx.agencies,
        "guidance_notes": "Rate each standard honestly and give evidence; amber and red need an action plan.",
    }, extra)


def _standard(ctx: Ctx, rating: str, n: int | str) -> dict[str, Any]:
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
                        changes: dict[int, str] | None = None, own_ratings: dict[str, str] | None = None,
                        **extra: Any) -> dict[str, Any]:
    """A return. When the form starts from the agency's previous return (its standards filled in) and no
    ``ratings`` are given, the agency keeps those answers and changes only ``changes`` (standard number to new
    rating); ``own_ratings`` rates the standards set for this agency alone (by reference; green otherwise)."""
    carried = bool(ctx.get("previous_cycle")) and ctx.get("standard_1") is not None  # the form starts from it
    role = (carried and ctx.get("respondent_role")) or "Executive safeguarding lead"
    base: dict[str, Any] = {"nil_return": nil_return, "respondent": ctx.person, "respondent_role": role,
                            "date_returned": ctx.on}
    if nil_return:
        base["nil_reason"] = "Exempt this cycle: the service was recommissioned."
        return merged(base, extra)
    carried = carried and ratings is None
    ratings = list(ratings or ["green", "green", "amber", "green", "green", "green", "green", "green"])
    for n, rating in enumerate(ratings, start=1):
        base[f"standard_{n}"] = dict(ctx.get(f"standard_{n}")) if carried else _standard(ctx, rating, n)
    for n, rating in (changes or {}).items():
        base[f"standard_{n}"] = _standard(ctx, rating, n)
    own = list(ctx.get("my_standards") or [])
    if own:
        before = dict(ctx.get("additional_standards") or {})
        base["additional_standards"] = {
            s["ref"]: before[s["ref"]] if s["ref"] in before and s["ref"] not in (own_ratings or {})
            else _standard(ctx, (own_ratings or {}).get(s["ref"], "green"), s["ref"]) for s in own}
    return merged(base, extra)


@builds("section11", "select_peer_review")
def s11_select_peer_review(ctx: Ctx, *, sample: int = 2, **extra: Any) -> dict[str, Any]:
    taking_part = list(ctx.get("agencies_taking_part") or ctx.agencies)
    assignments = []
    for i, reviewed in enumerate(taking_part[:sample]):
        others = [a for a in ctx.agencies if a != reviewed] or [reviewed]
        assignments.append({"agency_reviewed": reviewed, "reviewer_agency": others[i % len(others)]})
    return merged({"peer_review_assignments": assignments,
                   "sampling_rationale": "One statutory and one commissioned agency, as agreed by the QA sub-group."},
                 extra)


@builds("section11", "peer_review")
def s11_peer_review(ctx: Ctx, *, ratings_supported: str = "agree", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "reviewer": ctx.person,
        "ratings_supported": ratings_supported, "standards_challenged": [],
        "strengths": "Clear governance and a well-used training offer.",
        "areas_for_development": "Evidence of impact on children is thin.",
    }
    if ratings_supported != "agree":
        payload["standards_challenged"] = ["5"]
        payload["challenge_questions"] = "How do you know the training changed practice?"
    return merged(payload, extra)


@builds("section11", "challenge_event")
def s11_challenge_event(ctx: Ctx, *, agreed_actions: int = 1, rating_changes: int = 0, **extra: Any) -> dict[str, Any]:
    taking_part = list(ctx.get("agencies_taking_part") or ctx.agencies)
    return merged({
        "event_date": ctx.on, "agencies_attending": taking_part,
        "key_challenges": "Agencies were asked for evidence of impact, not only of policy.",
        "rating_changes": [{"agency": taking_part[0], "standard": "5", "from_rating": "green", "to_rating": "amber",
                            "reason": "Training completion below 80%"}][:rating_changes],
        "agreed_actions": [smart_action(ctx, i, taking_part[i % len(taking_part)],
                                        recommendation="Challenge event: evidence of impact")
                           for i in range(agreed_actions)],
        "learning_log": learning_log(ctx, taking_part, 1),
    }, extra)


@builds("section11", "approve_board_plan")
def s11_approve_board_plan(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"board_meeting_date": ctx.on, "plan_approved": True,
                   "board_comments": "Progress to be reported to every other board meeting."}, extra)


# --- the demo's cases ---------------------------------------------------------------------------------------


def run_cases(d: Driver) -> None:
    """The two section 11 cycles of the demo, oldest first: the second starts from the first's returns (the
    voluntary sector's return comes pre-filled with its answers of the year before, and it changes one rating)."""
    _commissioned_cycle_done(d)
    _main_cycle_returns_overdue(d)


def _main_cycle_returns_overdue(d: Driver) -> None:
    """Every agency asked; two returns overdue, one nil return."""
    c = d.start("section11", d.ago(75))
    year = d.ago(75).year
    d.do(c, "set_cycle", d.ago(75), cycle_name=f"{year}-{(year + 2) % 100:02d}",
         return_deadline=d.ago(12).date().isoformat(), agencies_taking_part=[key for key, _ in AGENCIES])
    d.do_each(c, "self_evaluation", d.ago(40), only=["probation"], nil_return=True)
    d.do_each(c, "self_evaluation", d.ago(34),
              only=["community_health", "police", "csc", "acute_health", "education", "voluntary"], spread_days=4,
              agencies={"csc": {"ratings": ["green", "amber", "green", "green", "red", "green", "green", "green"]},
                        "police": {"ratings": ["green"] * 8}, "voluntary": {"changes": {5: "green"}}})


def _commissioned_cycle_done(d: Driver) -> None:
    """A completed cycle for the commissioned services; its plan is being monitored."""
    s = d.start("section11", d.ago(190))
    d.do(s, "set_cycle", d.ago(190), cycle_name="Commissioned services", cycle_period="P1Y",
         return_deadline=d.ago(150).date().isoformat(), agencies_taking_part=["yjs", "cafcass", "voluntary"])
    d.do_each(s, "self_evaluation", d.ago(160), spread_days=2,
              agencies={"voluntary": {"ratings": ["green", "green", "amber", "green", "amber", "green", "green",
                                                  "na"]}})
    d.do(s, "select_peer_review", d.ago(148))
    d.do_each(s, "peer_review", d.ago(140), agencies={"police": {"ratings_supported": "partly"}})
    d.do(s, "challenge_event", d.ago(130), agreed_actions=1)
    plan = d.do_and_catch(s, "approve_board_plan", d.ago(125), "action_plan")
    d.raise_plan(plan, d.ago(120), [["on_track", "completed"], ["not_started", "red"], ["on_track"]],
                 answers={2: {"board_challenge": {"outcome": "withdraw"}}})  # withdrawn at its board challenge
