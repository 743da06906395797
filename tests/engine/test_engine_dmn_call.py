"""DMN business rule tasks (Python cells; UNIQUE and COLLECT) and a call activity to another file's process."""
from __future__ import annotations

import pytest

GRADES = [
    ({"score": 1, "agency": "police"}, "low", False),
    ({"score": 5, "agency": "csc"}, "medium", True),
    ({"score": 5, "agency": "health"}, "medium", False),
    ({"score": 9, "agency": "health"}, "high-HEALTH", True),
]


@pytest.mark.parametrize("data,grade,statutory", GRADES, ids=["low", "medium-statutory", "medium", "high"])
def test_dmn_unique_table_sets_outputs(deploy, cases, restore_every_step, data, grade, statutory):
    deploy("dmn_unique")
    instance_id = cases.start("dmn_unique", data=data)
    assert cases.ready_names(instance_id) == ["see_grade"]
    result = cases.instance(instance_id).data
    assert (result["grade"], result["statutory"]) == (grade, statutory)


ROUTES = [
    ({"risk": "high", "age": 3}, ["chair", "health", "coordinator"]),
    ({"risk": "critical", "age": 12}, ["chair", "coordinator"]),
    ({"risk": "low", "age": 10}, ["coordinator"]),
]


@pytest.mark.parametrize("data,notify", ROUTES, ids=["high-young", "critical", "low"])
def test_dmn_collect_table_lists_every_matching_rule(deploy, cases, restore_every_step, data, notify):
    deploy("dmn_collect")
    instance_id = cases.start("dmn_collect", data=data)
    assert cases.instance(instance_id).data["notify"] == notify


def test_dmn_input_of_wrong_type_puts_instance_in_error(deploy, cases, restore_every_step):
    deploy("dmn_unique")
    instance_id = cases.start("dmn_unique", data={"score": "high", "agency": "police"})
    row = cases.instance(instance_id)
    assert row.status == "error"
    assert row.error["task_name"] == "grade_it"
    assert row.error["message"]


def test_call_activity_runs_child_process_then_returns(deploy, cases, restore_every_step):
    deploy("call_activity")
    instance_id = cases.start("call_activity", data={"value": 21})
    child = cases.task(instance_id, "child_review")
    assert (child.role, child.data["doubled"]) == ("chair", 42)
    cases.complete(child.id, {"child_note": "seen"}, who="chair")
    after = cases.task(instance_id, "after_call")
    assert (after.data["doubled"], after.data["child_note"]) == (42, "seen")
    cases.complete(after.id, {})
    row = cases.instance(instance_id)
    assert row.status == "completed"
    assert row.data["doubled"] == 42
