"""scr under Working Together 2023 (the default regime): the Panel notification beside screening, the rapid review
(agency summaries, meeting, the partners' sign-off, submission, the Panel's three responses by message or by hand),
the special routes, and the statutory dates across Christmas 2026, Easter 2027 and the May and August 2027 bank
holidays. The review itself, publication and further referrals are in test_scr_wt2023_review.py."""
from __future__ import annotations

import pytest

from engine.cases import messages
from engine.store.db import transaction
from engine.work import tasks as task_service

from .scenarios_kit import end_of_day

PARTNERS = {"csc": "la", "health": "icb", "police": "police"}  # tests/conftest.py marks these agencies


def start(run, who="pat", **referral):
    """A new case (no regime given: Working Together 2023) with its referral made."""
    case = run.start("scr", who=who)
    run.do(case, "referral", **referral)
    return case


def notify_and_screen(run, case, notified=None, **screening):
    run.do(case, "notify_panel_wt", notification_date=notified)
    run.do(case, "screening_wt", **screening)


def to_signoff(run, case, **meeting):
    """From the referral to the partners' sign-off of the rapid review."""
    notify_and_screen(run, case)
    run.do_each(case, "rr_summary")
    run.do(case, "rr_meeting", **meeting)


def to_panel(run, **referral):
    """A serious incident whose rapid review went to the Panel; the Panel's response is awaited."""
    case = start(run, **referral)
    to_signoff(run, case)
    run.do_each(case, "partners_signoff")
    run.do(case, "rr_submit")
    assert run.ready_names(case) == ["record_panel_response"]
    return case


def instructions(run, task):
    """The task's instructions as its doer reads them (rendered against its view)."""
    actor = run.people.actor_for(task.role, task.agency, task.assignee)
    with transaction(run.factory) as s:
        return task_service.task_detail(s, task.id, actor=actor, now=run.now).instructions or ""


def send_panel_response(run, case, **payload):
    key = run.instance(case).business_key
    with transaction(run.factory) as s:
        return messages.send_message(s, "panel_response", {"business_key": key}, payload, actor="cora", now=run.now)


def test_new_cases_follow_working_together_2023_and_notify_beside_screening(run):
    run.move_to("2027-01-11")
    case = start(run, la_aware_on="2027-01-08", child_outcome="died")
    data = run.instance(case).data
    assert (data["regime"], data["serious_incident"], data["notification_required"]) == ("wt2023", True, True)
    assert run.ready_names(case) == ["notify_panel_wt", "screening_wt"]  # in parallel, not one after the other
    notify = run.task(case, "notify_panel_wt")
    assert (notify.role, notify.agency, notify.priority) == ("reviewer", "csc", 1)  # the local authority's task
    assert notify.due_at == end_of_day("2027-01-15")  # 5 working days from the day the LA became aware
    assert run.task(case, "screening_wt").due_at == end_of_day("2027-01-15")


def test_lscb2013_may_be_chosen_on_the_referral(run):
    case = start(run, who="cora", regime="lscb2013")
    assert run.instance(case).data["regime"] == "lscb2013"
    assert run.ready_names(case) == ["screening"]


def test_the_rapid_review_asks_every_involved_agency_and_every_partner(run):
    run.move_to("2027-01-11")
    case = start(run, agencies_involved=["police", "csc", "health"])
    notify_and_screen(run, case, notified="2027-01-11")
    summaries = run.ready(case, name="rr_summary")
    assert sorted((t.agency, t.role) for t in summaries) == [("csc", "reviewer"), ("health", "reviewer"),
                                                              ("police", "reviewer")]
    assert {t.due_at for t in summaries} == {end_of_day("2027-01-20")}  # 7 working days from the notification
    run.do_each(case, "rr_summary", per_agency={"health": {"nil_return": True}})
    returns = {r["agency"]: r for r in run.instance(case).data["rr_summaries"]}
    assert returns["health"]["nil_return"] is True and returns["health"]["summary"] == {}
    meeting = run.task(case, "rr_meeting")
    assert meeting.due_at == end_of_day("2027-01-27")
    run.complete(meeting)
    signoffs = run.ready(case, name="partners_signoff")
    assert sorted((t.agency, t.role) for t in signoffs) == sorted((a, "partner") for a in PARTNERS)
    run.do_each(case, "partners_signoff")
    submit = run.task(case, "rr_submit")
    assert submit.due_at == end_of_day("2027-02-01")  # 15 working days from the notification
    data = run.instance(case).data
    assert data["all_partners_agree"] is True and len(data["partner_signoff_history"][0]) == 3


def test_a_partner_who_does_not_sign_off_sends_the_rapid_review_back(run):
    case = start(run)
    to_signoff(run, case)
    run.do_each(case, "partners_signoff", per_agency={"police": {"agreed": False}})
    assert run.ready_names(case) == ["rr_meeting"]
    shown = run.shown(run.task(case, "rr_meeting"))
    assert [s["agency"] for s in shown["partner_signoff_record"]] == ["police"]
    run.do(case, "rr_meeting")
    run.do_each(case, "partners_signoff")
    assert run.ready_names(case) == ["rr_submit"]
    assert run.instance(case).data["signoff_round"] == 2


def test_the_meeting_must_choose_a_cspr_exactly_when_one_is_appropriate(run):
    case = start(run)
    notify_and_screen(run, case)
    run.do_each(case, "rr_summary")
    meeting = run.task(case, "rr_meeting")
    with pytest.raises(AssertionError, match="proposed_review_type"):
        run.complete(meeting, lcspr=True, proposed_review_type="LLR")
    with pytest.raises(AssertionError, match="proposed_review_type"):
        run.complete(meeting, lcspr=False, proposed_review_type="CSPR")
    run.complete(meeting, lcspr=False, proposed_review_type="LLR")


# --- the Panel's three responses, by message or recorded by hand ----------------------------------------------

@pytest.mark.parametrize("how", ["message", "recorded"])
def test_the_panel_agrees_and_the_local_review_goes_ahead(run, how):
    case = to_panel(run)
    if how == "message":
        assert send_panel_response(run, case, outcome="agrees") == [case]
    else:
        run.do(case, "record_panel_response", outcome="agrees")
    data = run.instance(case).data
    assert (data["panel_response_outcome"], data["panel_response_source"]) == ("agrees", how)
    assert (data["review_type"], data["review_label"]) == ("CSPR", "Local child safeguarding practice review (CSPR)")
    assert run.ready_names(case) == ["communicate_decision"]  # the recording task went with the message


@pytest.mark.parametrize("how", ["message", "recorded"])
def test_the_panel_asks_questions_and_the_rapid_review_goes_again(run, how):
    case = to_panel(run)
    if how == "message":
        send_panel_response(run, case, outcome="questions", questions="Which agency led the strategy meeting?")
    else:
        run.do(case, "record_panel_response", outcome="questions")
    answer = run.task(case, "answer_panel")
    assert run.shown(answer)["panel_questions"]
    run.complete(answer)
    run.do(case, "rr_submit")
    assert run.instance(case).data["panel_submissions"] == 2
    send_panel_response(run, case, outcome="agrees")
    assert run.ready_names(case) == ["communicate_decision"]


@pytest.mark.parametrize("how", ["message", "recorded"])
def test_the_panel_takes_a_national_review_and_the_local_path_ends(run, how):
    case = to_panel(run)
    if how == "message":
        send_panel_response(run, case, outcome="national")
    else:
        run.do(case, "record_panel_response", outcome="national")
    assert run.ready_names(case) == ["national_review"]  # the case stays open for the national review
    assert run.instance(case).status == "active"
    run.do(case, "national_review")
    final = run.instance(case)
    assert final.status == "completed"
    assert (final.data["outcome"], final.data["review_type"]) == ("national_review", "NATIONAL")
    assert run.instances("action_plan") == []


def test_a_panel_response_for_another_case_does_not_reach_this_one(run):
    case, other = to_panel(run), to_panel(run, pseudonym="Child B")
    send_panel_response(run, other, outcome="national")
    assert run.ready_names(case) == ["record_panel_response"]
    assert run.ready_names(other) == ["national_review"]


def test_the_panel_response_arrives_through_the_api(run, client, auth):
    case = to_panel(run)
    body = {"name": "panel_response", "correlation": {"business_key": run.instance(case).business_key},
            "payload": {"outcome": "agrees", "received_on": run.today}}
    response = client.post("/api/v1/messages", json=body, headers=auth("cora"))
    assert response.status_code == 202, response.json
    assert response.json["delivered_to"] == [case]
    assert run.instance(case).data["panel_response_date"] == run.today


# --- special routes -----------------------------------------------------------------------------------------

ROUTES = {
    # special circumstances, abuse: notify?, Ofsted and the Secretary of State?, rapid review?
    "looked_after_no_abuse": ("looked_after_death", "not_suspected", True, True, False),
    "looked_after_abuse": ("looked_after_death", "suspected", True, True, True),
    "care_leaver": ("care_leaver_death", "suspected", True, True, False),
    "custody_or_detained": ("custody_or_detained", "not_suspected", True, True, True),
    "not_serious": ("none", "not_suspected", False, False, False),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_special_routes(run, route):
    special, abuse, notify, ofsted_sos, rapid = ROUTES[route]
    case = start(run, special_circumstances=special, abuse_or_neglect=abuse, child_outcome="died",
                 concern_agency_working=False)
    data = run.instance(case).data
    assert (data["notification_required"], data["notify_ofsted_sos"], data["rapid_review_expected"]) == \
        (notify, ofsted_sos, rapid)
    assert run.ready_names(case) == (["notify_panel_wt", "screening_wt"] if notify else ["screening_wt"])
    if notify:
        assert "Secretary of State" in instructions(run, run.task(case, "notify_panel_wt"))
        run.do(case, "notify_panel_wt")
    run.do(case, "screening_wt")
    assert run.ready_names(case) == (["rr_summary"] * 3 if rapid else ["review_proposal"])
    if not rapid:  # the partners decide on the local response; nothing goes to the Panel
        run.do(case, "review_proposal", proposed_review_type="NONE")
        run.do_each(case, "partners_signoff")
        run.do(case, "communicate_decision")
        final = run.instance(case)
        assert (final.status, final.data["outcome"], final.data["review_type"]) == ("completed", "no_review", "NONE")
        assert "panel_submissions" not in final.data or final.data["panel_submissions"] == 0


def test_no_rapid_review_without_a_notification(run):
    """The sub-group may ask for a rapid review, but one cannot be held unless the Panel was notified."""
    case = start(run, abuse_or_neglect="not_suspected", child_outcome="other")
    run.do(case, "screening_wt", rapid_review_required=True)
    assert run.ready_names(case) == ["review_proposal"]


# --- checks on the referral ---------------------------------------------------------------------------------

def test_the_lead_agency_must_be_one_of_the_agencies_involved(run):
    case = run.start("scr", who="pat")
    referral = run.task(case, "referral")
    with pytest.raises(AssertionError) as refused:
        run.complete(referral, agencies_involved=["police", "csc"], lead_agency="health")
    assert "'field': 'lead_agency'" in str(refused.value) and "'keyword': 'not'" in str(refused.value)
    run.complete(referral, agencies_involved=["police", "csc"], lead_agency="csc")
    assert run.instance(case).data["lead_agency"] == "csc"


def test_a_coordinator_refers_on_behalf_of_someone_outside_the_partnership(run):
    case = run.start("scr", who="cora")
    referral = run.task(case, "referral")
    with pytest.raises(AssertionError, match="'referred_by', 'message': 'is required'"):
        run.complete(referral, referred_on_behalf=True)
    run.complete(referral, referred_on_behalf=True, referred_by="coroner",
                 referred_by_details="HM Coroner's officer, by letter after the inquest opened")
    data = run.instance(case).data
    assert (data["referrer"], data["referred_on_behalf"], data["referred_by"]) == ("cora", True, "coroner")


# --- statutory dates across the bank holidays ---------------------------------------------------------------

SEASONS = {
    # LA aware, notified: notification due (5 WD from aware), agency summaries (7 WD from the notification),
    # meeting (12 WD), partners' sign-off (14 WD), submission (15 WD); sent to the Panel: its response (10 WD)
    "christmas_2026": ("2026-12-21", "2026-12-23", "2026-12-30", "2027-01-06", "2027-01-13", "2027-01-15",
                       "2027-01-18", "2027-01-15", "2027-01-29"),
    "easter_2027": ("2027-03-22", "2027-03-24", "2027-03-31", "2027-04-06", "2027-04-13", "2027-04-15",
                    "2027-04-16", "2027-04-14", "2027-04-28"),
    "may_2027": ("2027-04-27", "2027-04-29", "2027-05-05", "2027-05-11", "2027-05-18", "2027-05-20", "2027-05-21",
                 "2027-05-20", "2027-06-04"),
    "august_2027": ("2027-08-24", "2027-08-26", "2027-09-01", "2027-09-07", "2027-09-14", "2027-09-16",
                    "2027-09-17", "2027-09-16", "2027-09-30"),
}


@pytest.mark.parametrize("season", list(SEASONS))
def test_rapid_review_clocks_skip_weekends_and_bank_holidays(run, season):
    aware, notified, notify_due, summary_due, meeting_due, signoff_due, submit_due, sent, response_due = \
        SEASONS[season]
    run.move_to(aware)
    case = start(run, la_aware_on=aware, child_outcome="died")
    assert run.instance(case).data["notification_due_date"] == notify_due
    assert run.task(case, "notify_panel_wt").due_at == end_of_day(notify_due)
    run.move_to(notified)
    notify_and_screen(run, case, notified=notified)
    assert {t.due_at for t in run.ready(case, name="rr_summary")} == {end_of_day(summary_due)}
    run.do_each(case, "rr_summary")
    assert run.do(case, "rr_meeting").due_at == end_of_day(meeting_due)
    assert {t.due_at for t in run.ready(case, name="partners_signoff")} == {end_of_day(signoff_due)}
    run.do_each(case, "partners_signoff")
    assert run.do(case, "rr_submit", rr_sent_date=sent).due_at == end_of_day(submit_due)
    assert run.task(case, "record_panel_response").due_at == end_of_day(response_due)

