"""case_audit: a reproducible stratified sample, pre-audits bound to each agency (due on the set date), the audit
meeting's grades, findings to every agency at once, and the rolling action log handed to action_plan."""
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
    pre_audits = run.ready(case, name="pre_audit")
    assert sorted(t.agency for t in pre_audits) == ["csc", "health", "police"]
    assert {t.due_at for t in pre_audits} == {end_of_day("2027-03-29")}  # Easter Monday, still the day set

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
    assert order == ["set_audit", "pre_audit", "audit_meeting", "receive_findings"]
    assert run.instance(case).status == "completed"
    assert run.instances("action_plan") == []


@pytest.mark.parametrize("change, field", [({"sample_size": 13}, "sample_size"), ({"sample_size": 7}, "sample_size"),
                                           ({"cohort_size": 7}, "cohort")])
def test_sample_size_is_8_to_12_from_a_cohort_of_at_least_8(run, change, field):
    case = run.start("case_audit")
    with pytest.raises(AssertionError, match=field):
        run.do(case, "set_audit", **change)
    assert run.ready_names(case) == ["set_audit"]
