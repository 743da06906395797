"""case_audit: a child found at risk now, at pre-audit or at the audit meeting, goes straight to children's social
care as a task: bound to the local authority (only its people may do it), priority 1, due in 1 working day,
showing only what children's social care needs, beside the rest of the audit (which never waits for it), and
recording the action taken. The case closes only once every such task is done."""
from __future__ import annotations

import pytest

from engine.errors import Forbidden, NotFound
from engine.store.db import transaction
from engine.work import tasks

from .scenarios_kit import PEOPLE, at, end_of_day

LIVE_RISK_FIELDS = {"case_ref", "child_initials", "child_dob", "concern", "found_by_agency", "found_by", "found_at",
                    "found_on"}


def _audit(run, **set_up):
    case = run.start("case_audit")
    run.do(case, "set_audit", **{"sample_seed": 4242, "sample_size": 8, "pre_audit_due_date": "2027-01-29",
                                 "meeting_date": "2027-02-12", **set_up})
    run.do(case, "identify_sample")
    return case


def test_a_child_at_risk_found_at_pre_audit_goes_to_the_local_authority_at_once(run):
    run.move_to(at("2026-12-01"))
    case = _audit(run)
    sample = {c["case_ref"]: c for c in run.instance(case).data["audit_sample"]}
    run.move_to(at("2026-12-24", 15))  # Christmas Eve: 1 working day on is Tuesday 29 December
    run.do(case, "pre_audit", agency="police", live_risks=2)
    urgent = run.ready(case, name="csc_live_risk")
    assert len(urgent) == 2
    assert {(t.agency, t.role, t.priority) for t in urgent} == {("csc", "reviewer", 1)}
    assert {t.due_at for t in urgent} == {end_of_day("2026-12-29")}
    assert sorted(t.agency for t in run.ready(case, name="pre_audit")) == ["csc", "health"]  # the audit goes on
    refs = list(sample)[:2]
    by_ref = sorted(urgent, key=lambda t: run.shown(t)["live_risk"]["case_ref"])
    for task, ref in zip(by_ref, sorted(refs), strict=True):
        shown = run.shown(task)
        assert set(shown) <= {"live_risk", "case_title", "pseudonym"} | set(_form_fields())
        risk = shown["live_risk"]
        assert set(risk) == LIVE_RISK_FIELDS
        assert (risk["case_ref"], risk["child_initials"], risk["child_dob"]) == (
            ref, sample[ref]["child_initials"], sample[ref]["child_dob"])
        assert (risk["found_by_agency"], risk["found_by"], risk["found_at"], risk["found_on"]) == (
            "police", "pat", "pre-audit", "2026-12-24")
        assert "Bruising" in risk["concern"]


def _form_fields():
    return ("action_taken", "action_details", "action_on", "csc_reference")


def test_only_the_local_authority_s_people_may_act_on_it(run):
    case = _audit(run)
    run.do(case, "pre_audit", agency="health", live_risks=1)
    (urgent,) = run.ready(case, name="csc_live_risk")
    for outsider in ("pat", "hana", "paul", "ivy"):  # the other agencies' reviewers and partners, the finder too
        with transaction(run.factory) as s, pytest.raises((Forbidden, NotFound)):
            tasks.complete_task(s, urgent.id, {"action_taken": "contact_recorded", "action_on": run.today,
                                               "action_details": "Not ours to record"},
                                actor=PEOPLE.actor(outsider), now=run.now)
    run.complete(urgent)  # as sam, of children's social care
    (done,) = [t for t in run.completed_tasks(case) if t.name == "csc_live_risk"]
    assert done.completed_by == "sam"
    answers = run.shown(done)
    assert (answers["action_taken"], answers["csc_reference"]) == ("strategy_discussion", "MASH-2041")


def test_the_audit_never_waits_and_closes_once_the_action_is_recorded(run):
    case = _audit(run)
    run.do(case, "pre_audit", agency="csc", live_risks=1)
    order = run.run_to_end(case, skip=["csc_live_risk"])
    assert order[-3:] == ["receive_findings"] * 3 and "csc_live_risk" not in order
    assert run.instance(case).status == "active"  # the urgent task is still open
    assert [t.name for t in run.ready(case)] == ["csc_live_risk"]
    run.do(case, "csc_live_risk")
    assert run.instance(case).status == "completed"


def test_a_child_at_risk_found_at_the_meeting_goes_the_same_way_beside_the_findings(run):
    case = _audit(run)
    run.do_each(case, "pre_audit")
    assert run.ready(case, name="csc_live_risk") == []
    run.move_to(at("2027-02-12", 11))
    run.do(case, "audit_meeting", live_risks=1)
    (urgent,) = run.ready(case, name="csc_live_risk")
    assert (urgent.agency, urgent.priority, urgent.due_at) == ("csc", 1, end_of_day("2027-02-15"))
    risk = run.shown(urgent)["live_risk"]
    assert (risk["found_at"], risk["found_by"], risk["found_by_agency"], risk["found_on"]) == (
        "audit meeting", "the audit meeting", "health", "2027-02-12")
    assert len(run.ready(case, name="receive_findings")) == 3  # the findings go out at once all the same


def test_no_child_at_risk_means_no_task(run):
    case = _audit(run)
    order = run.run_to_end(case)
    i = run.instance(case)
    assert i.status == "completed", (order, i.error, run.ready_names(case), run.now)
    assert not [t for t in run.completed_tasks(case) if t.name == "csc_live_risk"]


def test_a_child_at_risk_names_a_sampled_case(run):
    case = _audit(run)
    with pytest.raises(AssertionError, match=r"live_risks\[0\]\.case_ref"):
        run.do(case, "pre_audit", agency="police", live_risks=[{"case_ref": "CA-999", "concern": "Someone else"}])
    with pytest.raises(AssertionError, match=r"live_risks\[0\]\.concern"):
        run.do(case, "pre_audit", agency="police", live_risks=[{"case_ref": run.instance(case).data["sample_refs"][0],
                                                                "concern": "Short"}])


@pytest.mark.slow  # a long run through the engine: make test-ci
def test_an_audit_that_referred_a_child_leaves_the_next_audit_s_course_alone(run):
    """SpiffWorkflow rewires a process spec when an event sub-process first fires; the next case (on the same
    version's specs) still ends when its work is done, and the first still closes once its action is recorded."""
    first = _audit(run)
    run.do(first, "pre_audit", agency="police", live_risks=1)
    second = _audit(run)
    assert run.run_to_end(second)[-1] == "receive_findings"
    assert run.instance(second).status == "completed"
    run.run_to_end(first)
    assert run.instance(first).status == "completed"
