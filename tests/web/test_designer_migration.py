"""The page that moves running cases to another version: a designer sees each case not on the version (business
key, version, where it stands, can it move or why not), moves one or every case that can, and is told in a banner
what moved and what could not; a version's page links to it while older versions have running cases."""
from __future__ import annotations

import shutil
from html import unescape

import pytest

from tests.engine.engine_kit import BUNDLES, Cases
from tests.engine.test_designer_migration import ADD_CHECK, SUBMIT

from .web_kit import csrf_token, text


@pytest.fixture
def three_cases(deploy, factory, partnership, tmp_path):
    """Three cases on simple_review version 1 (the last has done "Submit summary", so it cannot move), then
    version 2 with a task added after "Submit summary"."""
    cases = Cases(factory, partnership)
    deploy("simple_review")
    ids = [cases.start("simple_review", data={"case_ref": f"CR-{n}"}, business_key=f"SR-{n}") for n in (1, 2, 3)]
    cases.complete(cases.task(ids[2], "submit").id, SUBMIT, who="police")
    v2 = tmp_path / "simple_review"
    shutil.copytree(BUNDLES / "simple_review", v2)
    bpmn = (v2 / "simple_review.bpmn").read_text()
    for old, new in ADD_CHECK.items():
        bpmn = bpmn.replace(old, new)
    (v2 / "simple_review.bpmn").write_text(bpmn)
    deploy(v2, key="simple_review")
    return cases, ids


def test_the_preview_shows_each_case_and_why_it_cannot_move_without_case_data(as_user, three_cases):
    page = unescape(text(as_user("dee").get("/processes/simple_review/migrate?version=2")))
    assert "Move cases to version 2" in page and "SR-1" in page and "SR-3" in page
    assert page.count("Can move") == 2
    assert "“Submit summary” has been done or is under way but version 2 changes what follows it" in page
    assert "Move all 2 cases that can move" in page
    assert "CR-1" not in page  # the case's data (its reference) is never shown


def test_moving_all_says_how_many_moved_and_why_the_others_did_not(as_user, three_cases):
    cases, ids = three_cases
    designer = as_user("dee")
    moved = designer.post("/processes/simple_review/migrate", data={"version": "2", "all": "1"},
                          follow_redirects=True)
    page = unescape(text(moved))
    assert "2 cases moved to version 2; 1 could not: SR-3: “Submit summary” has been done" in page
    assert [cases.instance(i).version for i in ids] == [2, 2, 1]
    assert "Move all" not in page


def test_moving_one_case_and_a_refusal_in_words(as_user, three_cases):
    cases, ids = three_cases
    designer = as_user("dee")
    page = text(designer.post("/processes/simple_review/migrate", data={"version": "2", "instance_id": ids[0]},
                              follow_redirects=True))
    assert "Case SR-1 moved to version 2" in page and cases.instance(ids[0]).version == 2
    page = unescape(text(designer.post("/processes/simple_review/migrate",
                                       data={"version": "2", "instance_id": ids[2]}, follow_redirects=True)))
    assert "cannot move to version 2" in page and cases.instance(ids[2]).version == 1


def test_a_version_page_links_to_the_move_while_older_versions_have_running_cases(as_user, three_cases):
    designer = as_user("dee")
    assert "Move running cases to version 2" in text(designer.get("/processes/simple_review?version=2"))
    assert "Move running cases" not in text(designer.get("/processes/simple_review?version=1"))


def test_only_designers_and_admins_reach_the_page(as_user, three_cases):
    cases, ids = three_cases
    assert as_user("adam").get("/processes/simple_review/migrate?version=2").status_code == 200
    for who in ("cora", "pat"):
        client = as_user(who)
        assert client.get("/processes/simple_review/migrate?version=2").status_code == 403
        assert client.post("/processes/simple_review/migrate", data={"version": "2", "all": "1"}).status_code == 403
    assert [cases.instance(i).version for i in ids] == [1, 1, 1]


def test_the_move_needs_the_page_csrf_token(csrf_app, three_cases):
    cases, ids = three_cases
    client = csrf_app.test_client()
    page = client.get("/sign-in")
    client.post("/sign-in", data={"username": "dee", "password": "designer-pass", "csrf_token": csrf_token(text(page))})
    refused = client.post("/processes/simple_review/migrate", data={"version": "2", "all": "1"})
    assert refused.status_code == 400 and [cases.instance(i).version for i in ids] == [1, 1, 1]
    token = csrf_token(text(client.get("/processes/simple_review/migrate?version=2")))
    moved = client.post("/processes/simple_review/migrate", data={"version": "2", "all": "1", "csrf_token": token})
    assert moved.status_code == 302 and [cases.instance(i).version for i in ids] == [2, 2, 1]


def test_a_case_of_another_process_is_not_moved_from_this_page(as_user, three_cases):
    """The page moves the cases of its own process: a case id of another (a stale or edited form) is a 404."""
    cases, ids = three_cases
    refused = as_user("dee").post("/processes/action_plan/migrate", data={"version": "2", "instance_id": ids[0]})
    assert refused.status_code == 404 and cases.instance(ids[0]).version == 1
