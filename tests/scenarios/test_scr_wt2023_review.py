"""scr under Working Together 2023, after the decision: each review type's own deadlines (held as data in
process_model.json), the partners' progress checkpoint and sign-off, the final report to the Panel and the
Secretary of State before publication, publication of the findings only, the wait for criminal proceedings, a
referral from CDOP carrying the day the local authority became aware, and further referrals for the same child."""
from __future__ import annotations

import json
import re

import pytest

from engine.cases import messages, step
from engine.cases.correlation import Message
from engine.store.db import transaction
from engine.store.models import ProcessInstance

from .conftest import WORKFLOWS
from .scenarios_kit import end_of_day
from .test_scr_wt2023 import instructions, start, to_panel

MODEL = json.loads((WORKFLOWS / "scr" / "process_model.json").read_text())
LIGHT = dict(abuse_or_neglect="not_suspected", child_outcome="other", concern_agency_working=True)


def decided(run, review_type, on="2027-01-04"):
    """A case whose partners decided on ``review_type`` on ``on``, with the decision communicated."""
    run.move_to(on)
    if review_type == "CSPR":
        case = to_panel(run)
        run.do(case, "record_panel_response", outcome="agrees")
    else:
        case = start(run, learning_focus="period" if review_type == "LLR" else "whole_case", **LIGHT)
        run.do(case, "screening_wt")
        run.do(case, "review_proposal", proposed_review_type=review_type)
        run.do_each(case, "partners_signoff")
    run.do(case, "communicate_decision")
    return case


def test_the_bundle_timescales_are_the_ones_the_diagram_counts_with():
    """process_model.json holds the figures with their sources; the diagram's script must use the same ones."""
    bpmn = (WORKFLOWS / "scr" / "scr.bpmn").read_text()
    literal = re.search(r"review_timescales = (\{.*?\})\n", bpmn).group(1).replace("&apos;", "'")
    in_diagram = {k: list(v) for k, v in eval(literal, {"__builtins__": {}}).items()}  # a literal dict of tuples
    reviews = MODEL["timescales"]["reviews"]
    assert in_diagram == {k: v["periods"] for k, v in reviews.items() if not k.startswith("_")}
    for name, figure in MODEL["timescales"].items():
        assert figure.get("source") if name != "reviews" else all(v["source"] for k, v in figure.items()
                                                                   if not k.startswith("_"))


# the decision on 4 January 2027: checkpoint, draft and final report due (calendar periods from the decision)
TYPES = {"CSPR": ("2027-04-04", "2027-06-04", "2027-07-04"), "PR": ("2027-03-04", "2027-04-04", "2027-05-04"),
         "LLR": ("2027-02-15", "2027-03-04", "2027-04-04"), "AAR": ("2027-02-01", "2027-02-15", "2027-03-04")}


@pytest.mark.parametrize("review_type", [t if t == "CSPR" else pytest.param(t, marks=pytest.mark.slow)  # ~0.7 s each
                                         for t in TYPES])
def test_each_review_type_has_its_own_deadlines(run, review_type):
    checkpoint, draft, final = TYPES[review_type]
    case = decided(run, review_type)
    data = run.instance(case).data
    assert (data["review_type"], data["decision_date"]) == (review_type, run.today)
    assert (data["checkpoint_due_on"], data["draft_due_on"], data["final_due_on"]) == (checkpoint, draft, final)
    run.do(case, "set_up_review")
    if review_type == "CSPR":
        run.do_each(case, "imr")
    elif review_type == "PR":
        run.do_each(case, "chronology_genogram")
    checks = run.ready(case, name="progress_checkpoint")
    assert sorted(t.agency for t in checks) == ["csc", "health", "police"] and {t.role for t in checks} == {"partner"}
    run.do_each(case, "progress_checkpoint", per_agency={"health": {"on_track": False}})
    assert [c["on_track"] for c in sorted(run.instance(case).data["progress_checks"], key=lambda c: c["agency"])] \
        == [True, False, True]
    run.run_to_end(case, skip={"draft_report"})
    draft_task = run.task(case, "draft_report")
    assert draft_task.due_at.date().isoformat() >= draft  # from draft_due_on (a weekend moves to the next day)


def test_a_lighter_review_is_quicker_than_a_cspr():
    def months(period):
        return int(period[1:-1]) * (1 if period.endswith("M") else 0.25)
    reviews = MODEL["timescales"]["reviews"]
    assert months(reviews["LLR"]["periods"][2]) < months(reviews["CSPR"]["periods"][2])
    assert months(reviews["AAR"]["periods"][2]) < months(reviews["LLR"]["periods"][2])


def _to_publication(run, **send):
    case = decided(run, "CSPR", on="2026-12-14")
    plan = {"send_final_report": send}
    run.run_to_end(case, plan=plan, skip={"partners_publication", "partners_approve_report"})
    assert run.ready_names(case) == ["partners_approve_report"] * 3
    run.do_each(case, "partners_approve_report")
    run.move_to("2026-12-21")
    run.do(case, "send_final_report", **send)
    return case


@pytest.mark.slow  # a long run through the engine: make test-ci
def test_a_cspr_goes_to_the_panel_and_the_secretary_of_state_before_it_is_published(run):
    case = _to_publication(run)
    data = run.instance(case).data
    assert data["board_decision"] == "approved" and len(data["report_signoffs"]) == 3
    assert data["earliest_publication_on"] == "2027-01-04"  # 7 working days after 21 December 2026
    run.do_each(case, "partners_publication")
    assert run.ready_names(case) == ["anonymisation_check"]
    run.run_to_end(case)
    final = run.instance(case)
    assert final.status == "completed" and final.data["publish_scope"] == "full"
    assert final.data["publication_url"].startswith("https://")


@pytest.mark.slow  # a whole CSPR to publication, as the fast test above; make test-ci runs it
def test_the_partners_may_publish_only_the_findings(run):
    case = _to_publication(run)
    run.do_each(case, "partners_publication", per_agency={"police": {"scope": "findings_only"}})
    data = run.instance(case).data
    assert data["publish_scope"] == "findings_only" and len(data["publication_withheld_reasons"]) == 1
    run.do(case, "anonymisation_check")
    assert "findings and the improvements" in instructions(run, run.task(case, "publish_report"))


@pytest.mark.slow  # a whole CSPR to publication, as the fast test above; make test-ci runs it
def test_publication_waits_until_criminal_proceedings_end(run):
    case = _to_publication(run, proceedings=True)
    run.do_each(case, "partners_publication")
    wait = run.task(case, "await_proceedings")
    assert (wait.role, wait.due_at) == ("coordinator", None)  # no clock: it ends when the trial does
    run.later(days=90)
    run.complete(wait)
    assert run.instance(case).data["proceedings_concluded_on"] == run.today
    assert run.ready_names(case) == ["anonymisation_check"]


# --- referrals from CDOP and further referrals for the same child -----------------------------------------

CDOP = {"source_reference": "CDOP-2027-0003", "source_business_key": "CDOP-2027-0003", "pseudonym": "Child M",
        "child_initials": "MN", "child_dob": "2024-05-01", "child_sex": "male", "child_local_authority": "Northshire",
        "child_nhs_number": "9434765919", "incident_date": "2027-03-20", "la_aware_on": "2027-03-22",
        "incident_summary": "Sudden unexpected death; bruising found at the post-mortem examination.",
        "agencies_involved": ["health", "police"], "grounds": "Abuse is suspected after the post-mortem examination."}


def _message(run, name, payload, correlation=None):
    with transaction(run.factory) as s:
        return messages.send_message(s, name, correlation or {}, payload, actor="cora", now=run.now)


def _further_referral(run, case, payload):
    """Deliver ``scr_further_referral`` straight to ``case``, as the engine's child match does (it chooses the
    case; the event subprocess has no subscription of its own to be found by)."""
    message = Message("scr_further_referral", payload)
    with transaction(run.factory) as s:
        step.take_step(s, s.get_one(ProcessInstance, case), lambda flow: flow.deliver(message.for_instance(flow)),
                       actor="cora", now=run.now)


def test_a_cdop_referral_counts_the_notification_from_the_day_the_la_became_aware(run):
    run.move_to("2027-05-10")  # the CDOP panel met weeks later: the clock still runs from 22 March
    (case,) = _message(run, "scr_referral", CDOP)
    data = run.instance(case).data
    assert (data["regime"], data["la_aware_on"], data["child_nhs_number"]) == ("wt2023", "2027-03-22", "9434765919")
    run.do(case, "confirm_referral")
    assert run.instance(case).data["notification_due_date"] == "2027-03-31"  # Easter: 26 and 29 March
    assert run.task(case, "notify_panel_wt").due_at == end_of_day("2027-03-31")


def test_a_further_referral_gives_the_coordinator_a_task_and_the_case_goes_on(run):
    case = start(run)
    _further_referral(run, case, CDOP)
    assert run.ready_names(case) == ["consider_further_referral", "notify_panel_wt", "screening_wt"]
    task = run.task(case, "consider_further_referral")
    assert task.role == "coordinator" and "CDOP-2027-0003" in instructions(run, task)
    _further_referral(run, case, CDOP | {"source_reference": "CDOP-2027-0004"})  # non-interrupting
    assert run.ready_names(case).count("consider_further_referral") == 2
    run.complete(task, action="added_to_review")
    assert run.instance(case).data["further_referral_action"] == "added_to_review"
    assert run.ready_names(case) == ["consider_further_referral", "notify_panel_wt", "screening_wt"]


def test_a_second_referral_for_the_same_child_reaches_the_open_case(run):
    """The child match: a second ``scr_referral`` for the child of an open case is delivered to that case as a
    further referral instead of opening a duplicate, whatever stage the case has reached."""
    (case,) = _message(run, "scr_referral", CDOP)
    run.do(case, "confirm_referral")
    again = _message(run, "scr_referral", CDOP | {"source_reference": "CDOP-2027-0009"})
    assert again == [case] and len(run.instances("scr")) == 1  # matched on the NHS number
    assert "CDOP-2027-0009" in instructions(run, run.task(case, "consider_further_referral"))
    other = _message(run, "scr_referral", CDOP | {"child_nhs_number": "9434765927", "child_initials": "PQ"})
    assert other != [case] and len(run.instances("scr")) == 2  # another child: a case of its own
