"""Multi-agency case file audits (``case_audit``): the form data for every task (with a cohort to sample from),
and the demo's cases, a completed audit on neglect and one waiting on pre-audits.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from engine import clock, workdays
from engine.cases import timers
from engine.store.db import transaction

from .forms import Ctx, builds, learning_log, merged, pick, smart_action

if TYPE_CHECKING:
    from .story import Driver

# --- form data ----------------------------------------------------------------------------------------------

_TEAMS = ["North", "South", "Central"]


_BAND_AGES = {"0-4": 2, "5-10": 7, "11-15": 13, "16-17": 16}  # a believable age in years for each age band


def audit_cohort(ctx: Ctx, size: int = 12) -> list[dict[str, Any]]:
    """The cohort as it is entered: case references and the stratification fields, never who the children are."""
    bands = list(_BAND_AGES)
    plans = ["cp", "cin", "early_help"]
    outcomes = ["cp_conference", "cin_plan", "nfa"]
    return [{"case_ref": f"CA-{101 + i}", "age_band": bands[i % 4], "sex": ["female", "male"][i % 2],
             "plan_type": plans[i % 3], "investigation_outcome": outcomes[i % 3], "team": _TEAMS[i % 3]}
            for i in range(size)]


def _child(ctx: Ctx, case: dict[str, Any]) -> dict[str, Any]:
    """A sampled child's invented initials and a date of birth that fits its age band."""
    n = int("".join(c for c in str(case["case_ref"]) if c.isdigit()) or 0)
    letters = "ABCDEFGHJKLMNPRSTW"
    age = _BAND_AGES.get(str(case.get("age_band")), 8)
    return {"case_ref": case["case_ref"], "child_initials": letters[n % 18] + letters[(n * 7 + 3) % 18],
            "child_dob": ctx.date(-(365 * age + 37 * (n % 9)))}


@builds("case_audit", "set_audit")
def ca_set_audit(ctx: Ctx, *, sample_size: int = 8, sample_seed: int = 0,
                 agencies_taking_part: Sequence[str] | None = None, cohort_size: int = 12,
                 **extra: Any) -> dict[str, Any]:
    return merged({  # an audit from the programme comes with its theme (and perhaps criteria and agencies) filled in
        "audit_theme": ctx.get("audit_theme") or "Neglect: response to early signs",
        "cohort_criteria": ctx.get("cohort_criteria") or "Children referred for neglect in the quarter",
        "cohort_period_from": ctx.date(-120), "cohort_period_to": ctx.date(-30),
        "strata_fields": ["age_band", "plan_type"], "sample_size": sample_size, "sample_seed": sample_seed,
        "agencies_taking_part": list(agencies_taking_part) if agencies_taking_part is not None
        else list(ctx.get("agencies_taking_part") or pick(ctx.agencies, 3)),
        "pre_audit_due_date": ctx.date(21), "meeting_date": ctx.date(35), "cohort": audit_cohort(ctx, cohort_size),
    }, extra)


@builds("case_audit_programme", "plan_programme")
def cap_plan_programme(ctx: Ctx, *, planned_audits: Sequence[dict[str, Any]] | None = None,
                       **extra: Any) -> dict[str, Any]:
    """A year of themed audits, one a quarter from the month after the form is filled in, unless given."""
    year, month = int(ctx.on[:4]), int(ctx.on[5:7])
    themes = ["Neglect: response to early signs", "Domestic abuse: children in the household",
              "Child exploitation: return interviews", "Children missing education"]
    default = [{"year": year + (month + 3 * i) // 12, "month": f"{(month + 3 * i) % 12 + 1:02d}", "theme": theme}
               for i, theme in enumerate(themes)]
    return merged({"programme_name": f"{year}-{str(year + 1)[2:]}",
                   "planned_audits": list(planned_audits) if planned_audits is not None else default}, extra)


@builds("case_audit", "identify_sample")
def ca_identify_sample(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    """The coordinator looks up the sampled children only, in the order of the sample."""
    sample = list(ctx.get("audit_sample") or [{"case_ref": ref} for ref in ctx.get("sample_refs") or []])
    return merged({"sample_children": [_child(ctx, case) for case in sample]}, extra)


def _live_risks(ctx: Ctx, count: int, raised_by: str | None = None) -> list[dict[str, Any]]:
    """``count`` children of the sample found at risk now (the first of the sample first)."""
    refs = list(ctx.get("sample_refs") or [])
    found = [{"case_ref": ref, "concern": "Bruising seen on a recent visit was not followed up; the child is at home "
                                          "with the adult named in the last police call-out."} for ref in refs[:count]]
    return [dict(f, raised_by=raised_by) for f in found] if raised_by else found


@builds("case_audit", "pre_audit")
def ca_pre_audit(ctx: Ctx, *, nil_return: bool = False, live_risks: int | list[dict[str, Any]] = 0,
                 live_risks_from: Sequence[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A pre-audit; ``live_risks`` children of the sample found at risk now (a number, or the entries as typed),
    by every agency or only those ``live_risks_from`` names."""
    auditor = ctx.person
    if live_risks and (live_risks_from is None or (ctx.agency or ctx.get("audit_agency")) in live_risks_from):
        extra = {"live_risks": live_risks if isinstance(live_risks, list) else _live_risks(ctx, live_risks), **extra}
    if nil_return:
        return merged({"nil_return": True, "nil_reason": "None of the sampled children is known to us.",
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
    return merged({"nil_return": False, "auditor": auditor, "case_findings": findings}, extra)


@builds("case_audit", "audit_meeting")
def ca_audit_meeting(ctx: Ctx, *, actions: int = 2, live_risks: int = 0, **extra: Any) -> dict[str, Any]:
    refs = list(ctx.get("sample_refs") or [])
    taking_part = list(ctx.get("agencies_taking_part") or ctx.agencies[:1])
    if live_risks:
        extra = {"live_risks": _live_risks(ctx, live_risks, raised_by=taking_part[-1]), **extra}
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
    return merged({"meeting_held_date": ctx.on, "agencies_present": taking_part, "case_grades": grades,
                   "findings_summary": "Early signs of neglect were seen but not drawn together into a plan.",
                   "actions": log, "learning_log": learning_log(ctx, taking_part, 2)}, extra)


@builds("case_audit", "receive_findings")
def ca_receive_findings(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"acknowledged": True, "acknowledged_by": ctx.person,
                   "findings_shared_with": "Team managers and the principal social worker",
                   "immediate_actions": "Findings discussed at the next team meeting."}, extra)


@builds("case_audit", "csc_live_risk")
def ca_csc_live_risk(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return merged({"action_taken": "strategy_discussion", "action_on": ctx.on, "csc_reference": "MASH-2041",
                   "action_details": "Contact recorded at the front door; strategy discussion held the same day."},
                  extra)


# --- the demo's cases ---------------------------------------------------------------------------------------


def run_cases(d: Driver) -> None:
    """The case file audits of the demo: last year's programme (its one audit done), this year's (still to come),
    and an audit started by hand, waiting on pre-audits, that referred a child at risk to children's social care."""
    _neglect_audit_done(d, _last_years_programme(d))
    _domestic_abuse_audit_waiting(d)
    _this_years_programme(d)


def _month(day: datetime) -> dict[str, Any]:
    return {"year": day.year, "month": f"{day.month:02d}"}


def _last_years_programme(d: Driver) -> str:
    """A programme planned 160 days ago whose one audit, on neglect, started on the first working day of the month
    120 days ago (the programme then closed); returns the audit's case."""
    p = d.start("case_audit_programme", d.ago(160))
    d.do(p, "plan_programme", d.ago(160), programme_name="Last year",
         planned_audits=[{**_month(d.ago(120)), "theme": "Neglect: response to early signs",
                          "agencies_taking_part": ["csc", "community_health", "education"]}])
    before = d.ids("case_audit")
    first = d.ago(120).date().replace(day=1)
    starts = workdays.add_working_days(workdays.add_working_days(first, -1), 1)
    with clock.frozen_at(datetime.combine(starts, time(7, 1), tzinfo=UTC)) as moment, \
            transaction(d.factory) as session:
        timers.fire_instance_timers(session, p, now=moment)
    (audit,) = d.ids("case_audit") - before
    return audit


def _this_years_programme(d: Driver) -> None:
    """This year's programme: three themed audits, one a quarter from next month, none started yet."""
    p = d.start("case_audit_programme", d.ago(12))
    months = [d.now + timedelta(days=31 + 92 * i) for i in range(3)]
    d.do(p, "plan_programme", d.ago(12), programme_name="This year", planned_audits=[
        {**_month(m), "theme": theme} for m, theme in zip(months, [
            "Child exploitation: return interviews", "Children missing education",
            "Domestic abuse: the voice of the child"], strict=True)])


def _neglect_audit_done(d: Driver, a: str) -> None:
    """A completed audit on neglect, from last year's programme; its action log is being monitored."""
    d.do(a, "set_audit", d.ago(120), sample_seed=20260, agencies_taking_part=["csc", "community_health", "education"],
         pre_audit_due_date=d.ago(99).date().isoformat(), meeting_date=d.ago(85).date().isoformat())
    d.do(a, "identify_sample", d.ago(119))
    d.do_each(a, "pre_audit", d.ago(101), spread_days=1)
    plan = d.do_and_catch(a, "audit_meeting", d.ago(85), "action_plan", actions=2)
    d.raise_plan(plan, d.ago(78), [["on_track", "completed"], ["at_risk", "at_risk"]])
    d.replan(plan, 2, d.ago(52), 200, "The new recording system goes live in the spring; the audit waits for it.")
    d.add_actions(plan, d.ago(60), 1, [["on_track"]], due_in_days=40)  # a later finding; overdue by now
    d.do_each(a, "receive_findings", d.ago(82), spread_days=1)


def _domestic_abuse_audit_waiting(d: Driver) -> None:
    """Three pre-audits in (one a nil return), one overdue. No seed: the process draws its sample afresh."""
    b = d.start("case_audit", d.ago(30))
    d.do(b, "set_audit", d.ago(30), sample_size=10, agencies_taking_part=["police", "csc", "acute_health", "voluntary"],
         pre_audit_due_date=d.ago(4).date().isoformat(), meeting_date=(d.now + timedelta(days=10)).date().isoformat(),
         audit_theme="Domestic abuse: children in the household",
         cohort_criteria="Children in households with two or more police call-outs for domestic abuse")
    d.do(b, "identify_sample", d.ago(29))
    d.do_each(b, "pre_audit", d.ago(8), only=["police", "csc", "voluntary"], spread_days=2,
              agencies={"voluntary": {"nil_return": True}, "police": {"live_risks": 1}})
