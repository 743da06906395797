"""Moving a case to another version over the API (SPEC §5): the preview `{can_migrate, problems}`, the move
answering the case on its new version without case data, 409 with the problems and nothing changed when unsafe,
404 for an unknown case or version, 400/422 for a bad version, 403 for everyone but designers and admins."""
from __future__ import annotations

import pytest

from tests.engine.test_designer_migration import ADD_CHECK, SUBMIT

from .api_kit import bundle_files, check_error


def version_2(api, replace=ADD_CHECK):
    files = bundle_files("simple_review")
    text = files["simple_review.bpmn"]
    for old, new in replace.items():
        text = text.replace(old, new)
    assert api.deploy("simple_review", files={**files, "simple_review.bpmn": text})["version"] == 2


@pytest.fixture
def case(api):
    api.deploy("simple_review")
    return api.start("simple_review", {"case_ref": "CR-1"})


def test_a_case_moves_to_version_2_and_stops_at_the_new_task(api, case):
    version_2(api)
    assert api.instance(case["id"])["version"] == 1  # started before: it stays until moved
    preview = api.get(f"/process-instances/{case['id']}/migration", "dee", version=2)
    assert preview.status_code == 200 and preview.json == {"can_migrate": True, "problems": []}
    moved = api.post(f"/process-instances/{case['id']}/migrate", "dee", {"version": 2})
    assert moved.status_code == 200, moved.json
    assert moved.json == {"id": case["id"], "process_key": "simple_review", "version": 2,
                          "business_key": case["business_key"], "status": "active", "current_steps": ["submit"]}
    submit = api.ready(api.instance(case["id"]), "submit")[0]
    api.complete(submit["id"], SUBMIT, "pat")
    assert [t["name"] for t in api.ready(api.instance(case["id"]))] == ["check"]


def test_an_unsafe_move_is_409_with_the_problems_and_changes_nothing(api, case):
    api.complete(api.ready(case, "submit")[0]["id"], SUBMIT, "pat")
    version_2(api, {'name="Submit summary"': 'name="Submit the summary"'})
    preview = api.get(f"/process-instances/{case['id']}/migration", "dee", version=2)
    problems = ["“Submit summary” has been done or is under way but version 2 changes its name"]
    assert preview.json == {"can_migrate": False, "problems": problems}
    before = api.snapshot()
    error = check_error(api.post(f"/process-instances/{case['id']}/migrate", "dee", {"version": 2}), 409)
    assert error["details"] == problems
    assert api.snapshot() == before


def test_the_same_version_is_409_saying_so(api, case):
    error = check_error(api.post(f"/process-instances/{case['id']}/migrate", "adam", {"version": 1}), 409)
    assert error["details"] == ["the case already runs version 1"]


def test_unknown_case_or_version_is_404_and_a_bad_version_400_or_422(api, case):
    check_error(api.get("/process-instances/nope/migration", "dee", version=1), 404)
    check_error(api.get(f"/process-instances/{case['id']}/migration", "dee", version=9), 404)
    check_error(api.post("/process-instances/nope/migrate", "dee", {"version": 1}), 404)
    check_error(api.post(f"/process-instances/{case['id']}/migrate", "dee", {"version": 9}), 404)
    check_error(api.get(f"/process-instances/{case['id']}/migration", "dee"), 400)
    check_error(api.get(f"/process-instances/{case['id']}/migration", "dee", version="two"), 400)
    before = api.snapshot()
    for bad in ({}, {"version": "two"}, {"version": 0}, {"version": 2, "extra": 1}):
        check_error(api.post(f"/process-instances/{case['id']}/migrate", "dee", bad), 422)
    assert api.snapshot() == before


@pytest.mark.parametrize("who", ["cora", "pat", "scot"])
def test_only_designers_and_admins_may_ask_or_move(api, case, who):
    version_2(api)
    before = api.snapshot()
    check_error(api.get(f"/process-instances/{case['id']}/migration", who, version=2), 403)
    check_error(api.post(f"/process-instances/{case['id']}/migrate", who, {"version": 2}), 403)
    assert api.snapshot() == before
