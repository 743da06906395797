"""case_audit: a reproducible stratified sample, the sampled children (and only they) identified, pre-audits bound
to each agency (due on the set date), the audit meeting's grades, findings to every agency at once (each agency
shown its own), and the rolling action log handed to action_plan."""
from __future__ import annotations

import pytest

from demo.case_audit import audit_cohort
from demo.forms import Ctx
from engine.sandbox.sampling import stratified_sample

from .scenarios_kit import PEOPLE, at, end_of_day


def test_audit_end_to_end_with_a_given_seed(run):
    run.move_to("2027-03-01")
    case = run.start("case_audit")
    run.do(case, "set_audit", sample_seed=4242, sample_size=8, pre_audit_due_date="2027-03-29",
           meeting_date="2027-04-12")
    data = run.instance(case).data
    cohort = audit_cohort(Ctx({}, PEOPLE, "2027-03-01"))
    expected = stratified_sample(cohort, ["age_band", "plan_type"], 8, 4242)
    assert data["sample_seed"] == 4242 and data["sample_size_used"] == 8
    assert data["sample_refs"] == [c["case_ref"] for c in expected]
    assert len({(c["age_band"], c["plan_type"]) for c in data["audit_sample"]}) >= 6  # strata represented
    assert data["case_title"] == "Case file audit: Neglect: response to early signs"
    assert not any("child_initials" in c or "child_dob" in c for c in data["cohort"] + data["audit_sample"])
    run.do(case, "identify_sample")  # the coordinator identifies the sampled children, and only they
    data = run.instance(case).data
    assert [c["case_ref"] for c in data["audit_sample"]] == data["sample_refs"]
    assert all(c["child_initials"] and c["child_dob"] for c in data["audit_sample"])
    assert not any("child_initials" in c for c in data["cohort"])
    pre_audits = run.ready(case, name="pre_audit")
    assert sorted(t.agency for t in pre_audits) == ["csc", "health", "police"]
    assert {t.due_at for t in pre_audits} == {end_of_day("2027-03-30")}  # the day set is Easter Monday: moved on
    shown = run.shown(pre_audits[0])  # the sampled children to look up, not the cohort or its strata
    assert shown["audit_sample"] == [{k: c[k] for k in ("case_ref", "child_initials", "child_dob")}
                                     for c in data["audit_sample"]]
    assert "cohort" not in shown and "pre_audits" not in shown

    run.move_to(at("2027-03-29", 15))
    run.do_each(case, "pre_audit", per_agency={"health": {"nil_return": True}})
    returns = {r["agency"]: r for r in run.instance(case).data["pre_audits"]}
    assert returns["health"]["cases"] == [] and returns["health"]["nil_return"] is True
    assert [c["case_ref"] for c in returns["police"]["cases"]] == data["sample_refs"]

    meeting = run.task(case, "audit_meeting")
    assert meeting.due_at == end_of_day("2027-04-12")
    run.move_to("2027-04-12")
    run.complete(meeting, actions=2)
    data = run.instance(case).data
    assert data["grade_counts"] == {"good": 3, "adequate": 3, "inadequate": 2}
    findings = run.ready(case, name="receive_findings")
    assert sorted(t.agency for t in findings) == ["csc", "health", "police"]  # every agency at once
    for task in findings:  # each agency is shown its own findings and actions, not the others' or the pre-audits
        shown = run.shown(task)
        concerns = [c["case_ref"] for c in data["case_grades"] if task.agency in c["agency_concerns"]]
        assert [c["case_ref"] for c in shown["agency_findings"]] == concerns
        assert len(shown["agency_actions"]) == len([a for a in data["actions"] if a["agency"] == task.agency])
        assert not {"case_grades", "actions", "pre_audits", "audit_sample", "cohort"} & set(shown)
    assert any(run.shown(t)["agency_findings"] for t in findings)
    assert not all(run.shown(t)["agency_findings"] for t in findings)
    (plan,) = run.instances("action_plan")  # handed over alongside, without waiting for the receipts
    assert plan.data["source_process"] == "case_audit" and len(plan.data["actions"]) == 2
    assert plan.data["actions"][0]["case_ref"] == data["sample_refs"][0]
    run.do_each(case, "receive_findings")
    final = run.instance(case)
    assert final.status == "completed"
    assert sorted(r["acknowledged_by"] for r in final.data["findings_receipts"]) == ["hana", "pat", "sam"]
    assert final.data["learning_log"][0]["agencies"] == ["police", "csc", "health"]


def test_seed_zero_draws_a_new_sample_and_records_its_seed(run):
    first = run.start("case_audit")
    run.do(first, "set_audit", sample_seed=0, sample_size=10)
    drawn = run.instance(first).data
    assert drawn["sample_seed"] > 0 and len(drawn["sample_refs"]) == 10
    again = run.start("case_audit")
    run.do(again, "set_audit", sample_seed=drawn["sample_seed"], sample_size=10)
    assert run.instance(again).data["sample_refs"] == drawn["sample_refs"]  # the same sample, drawn again


def test_no_actions_means_no_hand_over(run):
    case = run.start("case_audit")
    order = run.run_to_end(case, plan={"set_audit": {"agencies_taking_part": ["csc"]},
                                       "audit_meeting": {"actions": 0}})
    assert order == ["set_audit", "identify_sample", "pre_audit", "audit_meeting", "receive_findings"]
    assert run.instance(case).status == "completed"
    assert run.instances("action_plan") == []


@pytest.mark.parametrize("change, field", [({"sample_size": 13}, "sample_size"), ({"sample_size": 7}, "sample_size"),
                                           ({"cohort_size": 7}, "cohort")])
def test_sample_size_is_8_to_12_from_a_cohort_of_at_least_8(run, change, field):
    case = run.start("case_audit")
    with pytest.raises(AssertionError, match=field):
        run.do(case, "set_audit", **change)
    assert run.ready_names(case) == ["set_audit"]


def test_the_cohort_is_entered_without_initials_or_dates_of_birth(run):
    """Minimised: the cohort is case references and the stratification fields; a cohort naming who the children
    are is refused."""
    case = run.start("case_audit")
    cohort = [dict(c, child_initials="AB") for c in audit_cohort(Ctx({}, PEOPLE, run.today))]
    with pytest.raises(AssertionError, match=r"cohort\[0\]"):
        run.do(case, "set_audit", cohort=cohort)
    assert run.ready_names(case) == ["set_audit"]


def test_each_sampled_case_is_identified_once_in_the_order_of_the_sample(run):
    case = run.start("case_audit")
    run.do(case, "set_audit", sample_seed=4242, sample_size=8)
    refs = run.instance(case).data["sample_refs"]
    swapped = [{"case_ref": ref, "child_initials": "AB", "child_dob": "2019-05-01"}
               for ref in [refs[1], refs[0], *refs[2:]]]
    with pytest.raises(AssertionError, match=r"sample_children\[0\]\.case_ref"):
        run.do(case, "identify_sample", sample_children=swapped)
    with pytest.raises(AssertionError, match="sample_children"):
        run.do(case, "identify_sample", sample_children=swapped[:-1])
    run.do(case, "identify_sample")
    assert run.ready_names(case) == ["pre_audit", "pre_audit", "pre_audit"]
