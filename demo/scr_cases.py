"""The demo's ``scr`` cases, each at its own stage (played by ``demo.story``)."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .story import Driver


def run_cases(d: Driver) -> None:
    """The referrals and reviews of the demo, each at its own stage: Working Together 2023 cases from a referral
    just started to a published review and a national review, and one legacy (LSCB 2013) case."""
    for case in (_child_a_waiting_on_imrs, _child_d_not_yet_screened, _child_e_referral_started,
                 _child_f_notification_late, _child_g_learning_review_done, _child_h_no_review,
                 _child_j_duplicate_cancelled, _child_k_draft_sent_back, _child_u_rapid_review_under_way,
                 _child_r_national_review, _child_s_panel_questions, _child_t_awaiting_trial,
                 _child_v_awaiting_partner_sign_off):
        case(d)


def _rapid_review(d: Driver, case: str, days: int, *, panel: str | None = "agrees", **meeting: Any) -> None:
    """The rapid review of a notified serious incident, begun ``days`` ago: notification and screening, the
    agencies' summaries, the meeting, the partners' sign-off, submission and (unless ``panel`` is None) the
    Panel's response."""
    d.do(case, "notify_panel_wt", d.ago(days - 2))
    d.do(case, "screening_wt", d.ago(days - 3))
    d.do_each(case, "rr_summary", d.ago(days - 7), spread_days=1)
    d.do(case, "rr_meeting", d.ago(days - 14), **meeting)
    d.do_each(case, "partners_signoff", d.ago(days - 16))
    d.do(case, "rr_submit", d.ago(days - 17))
    if panel is not None:
        d.do(case, "record_panel_response", d.ago(days - 25), outcome=panel)


def referral_from_cdop(d: Driver, case: str, days: int) -> None:
    """An ``scr`` case started by CDOP ``days`` ago: the coordinator confirms the referral, the rapid review goes to
    the Panel, which agrees, and the decision is communicated (used by ``demo.cdop``)."""
    d.do(case, "confirm_referral", d.ago(days))
    _rapid_review(d, case, days)
    d.do(case, "communicate_decision", d.ago(days - 26))


def _child_a_waiting_on_imrs(d: Driver) -> None:
    """A CSPR waiting on agency IMRs; City Hospitals' IMR is overdue."""
    a = d.start("scr", d.ago(82), who="police.lead")
    d.do(a, "referral", d.ago(82), pseudonym="Child A", la_aware_on=d.ago(83).date().isoformat(),
         abuse_or_neglect="suspected", child_outcome="seriously_harmed", concern_agency_working=True,
         agencies_involved=["police", "csc", "acute_health", "education"])
    _rapid_review(d, a, 82)
    d.do(a, "communicate_decision", d.ago(55))
    d.do(a, "set_up_review", d.ago(52), lead_reviewer="reviewer")
    d.do_each(a, "imr", d.ago(30), only=["education"], nil_return=True)
    d.do_each(a, "imr", d.ago(20), only=["police", "csc"], spread_days=7)


def _child_d_not_yet_screened(d: Driver) -> None:
    """Referred three days ago; the notification and the sub-group's screening run side by side."""
    dd = d.start("scr", d.ago(3, 11), who="csc.lead")
    d.do(dd, "referral", d.ago(3, 11), pseudonym="Child D", la_aware_on=d.ago(4).date().isoformat(),
         abuse_or_neglect="known", child_outcome="seriously_harmed", concern_agency_working=False,
         agencies_involved=["csc", "community_health", "education"])


def _child_e_referral_started(d: Driver) -> None:
    """A referral just started by a school's safeguarding lead, not yet sent."""
    d.start("scr", d.now - timedelta(hours=2), who="education.lead")


def _child_f_notification_late(d: Driver) -> None:
    """The legacy case: begun under the LSCB rules, a Multi-Agency Review whose notification is late."""
    f = d.start("scr", d.ago(13), who="community_health.lead")
    d.do(f, "referral", d.ago(13), pseudonym="Child F", la_aware_on=d.ago(14).date().isoformat(),
         abuse_or_neglect="suspected", child_outcome="seriously_harmed", concern_agency_working=False,
         agencies_involved=["community_health", "csc"], regime="lscb2013")
    d.do(f, "screening", d.ago(11))


def _child_g_learning_review_done(d: Driver) -> None:
    """A Learning Lessons Review, completed; its actions are being monitored."""
    g = d.start("scr", d.ago(172), who="yjs.lead")
    d.do(g, "referral", d.ago(172), pseudonym="Child G", abuse_or_neglect="not_suspected", child_outcome="other",
         concern_agency_working=True, learning_focus="period", agencies_involved=["yjs", "education", "csc"])
    d.do(g, "screening_wt", d.ago(168))
    d.do(g, "review_proposal", d.ago(165), proposed_review_type="LLR")
    d.do_each(g, "partners_signoff", d.ago(161))
    d.do(g, "communicate_decision", d.ago(158))
    d.do(g, "set_up_review", d.ago(150), lead_reviewer="reviewer")
    d.do_each(g, "progress_checkpoint", d.ago(140))
    d.do(g, "learning_event", d.ago(135))
    d.do(g, "draft_report", d.ago(120))
    d.do(g, "prepare_action_plan", d.ago(118))
    found = sorted(d.ready(g, "partners_approve_report"), key=lambda t: t.agency or "")
    for task in found[:-1]:
        d.complete(task, d.ago(114))
    plan = d.do_and_catch(g, "partners_approve_report", d.ago(112), "action_plan")
    # action 2 is rated red at its second update: escalated to the coordinator and, as this plan says, the chair
    d.raise_plan(plan, d.ago(105), [["on_track", "on_track", "completed"], ["at_risk", "red"]],
                 sign_off_by=["coordinator", "chair"], escalate_to="chair")
    d.do(g, "record_learning", d.ago(110))


def _child_h_no_review(d: Driver) -> None:
    """No review: the partners agreed none was needed, and the case closed."""
    h = d.start("scr", d.ago(41), who="police.lead")
    d.do(h, "referral", d.ago(41), pseudonym="Child H", abuse_or_neglect="not_suspected", child_outcome="other",
         concern_agency_working=False, agencies_involved=["police", "education"])
    d.do(h, "screening_wt", d.ago(38))
    d.do(h, "review_proposal", d.ago(35), proposed_review_type="NONE")
    d.do_each(h, "partners_signoff", d.ago(31))
    d.do(h, "communicate_decision", d.ago(29))


def _child_j_duplicate_cancelled(d: Driver) -> None:
    """A duplicate referral, cancelled."""
    j = d.start("scr", d.ago(21), who="acute_health.lead")
    d.do(j, "referral", d.ago(21), pseudonym="Child J", agencies_involved=["acute_health", "csc"])
    d.cancel(j, d.ago(19), "Duplicate of the referral for Child D (same incident, referred by the hospital).")


def _child_k_draft_sent_back(d: Driver) -> None:
    """A CSPR whose draft report the panel sent back for revision."""
    k = d.start("scr", d.ago(250), who="probation.lead")
    d.do(k, "referral", d.ago(250), pseudonym="Child K", abuse_or_neglect="suspected", child_outcome="died",
         agencies_involved=["probation", "police", "csc"])
    _rapid_review(d, k, 250)
    d.do(k, "communicate_decision", d.ago(224))
    d.do(k, "set_up_review", d.ago(220), lead_reviewer="reviewer", involve_family=True)
    d.do_each(k, "imr", d.ago(185), spread_days=3)
    d.do_each(k, "progress_checkpoint", d.ago(160), agencies={"acute_health": {"on_track": False}})
    d.do(k, "learning_event", d.ago(160))
    d.do(k, "family_involvement", d.ago(150))
    d.do(k, "draft_report", d.ago(70), recommendations=3)
    d.do(k, "panel_review", d.ago(10), panel_outcome="revise")


def _child_u_rapid_review_under_way(d: Driver) -> None:
    """A serious incident notified a week ago: two agencies' summaries are in, the police's is due."""
    n = d.start("scr", d.ago(9), who="coordinator")
    d.do(n, "referral", d.ago(9), pseudonym="Child U", la_aware_on=d.ago(10).date().isoformat(),
         abuse_or_neglect="suspected", child_outcome="seriously_harmed",
         agencies_involved=["police", "csc", "education"],
         referred_on_behalf=True, referred_by="coroner", referred_by_details="Coroner's officer, by email")
    d.do(n, "notify_panel_wt", d.ago(8))
    d.do(n, "screening_wt", d.ago(7))
    d.do_each(n, "rr_summary", d.ago(5), only=["csc", "education"], spread_days=1)


def _child_r_national_review(d: Driver) -> None:
    """The Panel took a national review; the case stays open until it is done."""
    r = d.start("scr", d.ago(70), who="police.lead")
    d.do(r, "referral", d.ago(70), pseudonym="Child R", abuse_or_neglect="known", child_outcome="died",
         national_importance=True, agencies_involved=["police", "csc", "acute_health"])
    _rapid_review(d, r, 70, panel="national", national=True)


def _child_s_panel_questions(d: Driver) -> None:
    """The Panel asked questions about the rapid review; the answers are being prepared."""
    s = d.start("scr", d.ago(30), who="csc.lead")
    d.do(s, "referral", d.ago(30), pseudonym="Child S", abuse_or_neglect="suspected", child_outcome="died",
         concern_agency_working=False, agencies_involved=["csc", "education"])
    _rapid_review(d, s, 30, panel="questions")


def _child_t_awaiting_trial(d: Driver) -> None:
    """A CSPR signed off and sent to the Panel and the Secretary of State; publication waits for a trial."""
    t = d.start("scr", d.ago(230), who="police.lead")
    d.do(t, "referral", d.ago(230), pseudonym="Child T", abuse_or_neglect="suspected", child_outcome="died",
         agencies_involved=["police", "csc"])
    _rapid_review(d, t, 230)
    d.do(t, "communicate_decision", d.ago(203))
    d.do(t, "set_up_review", d.ago(200), lead_reviewer="reviewer")
    d.do_each(t, "imr", d.ago(170), spread_days=2)
    d.do_each(t, "progress_checkpoint", d.ago(140))
    d.do(t, "learning_event", d.ago(120))
    d.do(t, "family_involvement", d.ago(110), family_response="declined")
    d.do(t, "draft_report", d.ago(60))
    d.do(t, "panel_review", d.ago(50))
    d.do(t, "prepare_action_plan", d.ago(45))
    d.do_each(t, "partners_approve_report", d.ago(40))
    d.do(t, "send_final_report", d.ago(35), proceedings=True)
    d.do_each(t, "partners_publication", d.ago(30))


def _child_v_awaiting_partner_sign_off(d: Driver) -> None:
    """A rapid review met and recommended a local CSPR; the local authority and the ICB have signed it off, the
    police's delegated partner has not yet."""
    v = d.start("scr", d.ago(13), who="coordinator")
    d.do(v, "referral", d.ago(13), pseudonym="Child V", la_aware_on=d.ago(14).date().isoformat(),
         abuse_or_neglect="suspected", child_outcome="seriously_harmed", agencies_involved=["police", "csc", "icb"])
    d.do(v, "notify_panel_wt", d.ago(12))
    d.do(v, "screening_wt", d.ago(11))
    d.do_each(v, "rr_summary", d.ago(8), spread_days=1)
    d.do(v, "rr_meeting", d.ago(3))
    d.do_each(v, "partners_signoff", d.ago(2), only=["csc", "icb"])
