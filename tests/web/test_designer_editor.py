"""The editor's page and its JSON calls through the test client: only designers and admins, a stale save is a 409
that changes nothing, bad JSON a 400, too many files a 413, a deploy of an invalid draft a 422 listing every
problem, and a valid draft deploys as the next version."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.bundles.parsing import MAX_FILES, read_bundle_dir
from engine.designer import drafts
from engine.store.db import transaction
from engine.store.models import ProcessDefinition, ProcessDraft

from .web_kit import WORKFLOWS, deploy

JSON = {"Content-Type": "application/json"}
REFUSED = ["cora", "chad", "pat", "lena", "scot"]
ALLOWED = ["dee", "adam"]


def _calls(key="action_plan"):
    files = {"x.bpmn": "<x/>"}
    return [("get", f"/processes/{key}/edit", None), ("get", f"/processes/{key}/draft.json", None),
            ("put", f"/processes/{key}/draft.json", {"files": files, "revision": 0}),
            ("delete", f"/processes/{key}/draft.json", None),
            ("post", f"/processes/{key}/draft/validate", {"files": files}),
            ("post", f"/processes/{key}/draft/deploy", {"revision": 1}),
            ("post", f"/processes/{key}/instructions/preview", {"text": "**hi**"})]


def _drafts(factory):
    with transaction(factory) as s:
        return {row.key: (row.revision, dict(row.files)) for row in s.scalars(select(ProcessDraft))}


def _versions(factory):
    with transaction(factory) as s:
        return sorted((row.key, row.version) for row in s.scalars(select(ProcessDefinition)))


@pytest.fixture
def action_plan(factory, now):
    deploy(factory, WORKFLOWS / "action_plan", now)
    return read_bundle_dir(WORKFLOWS / "action_plan")


def test_every_call_is_refused_to_those_who_do_not_design(as_user, factory, action_plan):
    for username in REFUSED:
        client = as_user(username)
        for method, url, payload in _calls():
            call = getattr(client, method)
            response = call(url, json=payload) if payload is not None else call(url)
            assert response.status_code == 403, (username, method, url)
    assert _drafts(factory) == {} and _versions(factory) == [("action_plan", 1)]


def test_signed_out_the_page_sends_to_sign_in(client, action_plan):
    response = client.get("/processes/action_plan/edit")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_editor_opens_the_latest_version_as_a_draft(as_user, action_plan):
    for username in ALLOWED:
        client = as_user(username)
        page = client.get("/processes/action_plan/edit")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'id="lif-editor"' in html and "vendor/designer/editor.js" in html
        assert "draft starts from version 1" in html
        answer = client.get("/processes/action_plan/draft.json").get_json()
        assert answer["revision"] == 0 and answer["base_version"] == 1 and answer["files"] == action_plan


def test_a_new_process_opens_with_the_starter_bundle(as_user):
    client = as_user("dee")
    response = client.get("/processes/new?key=neighbourhood_review")
    assert response.status_code == 302 and response.headers["Location"].endswith("/processes/neighbourhood_review/edit")
    answer = client.get("/processes/neighbourhood_review/draft.json").get_json()
    assert answer["revision"] == 0 and answer["files"] == drafts.starter_files("neighbourhood_review")
    refused = client.get("/processes/new?key=Bad Key", follow_redirects=True)
    assert refused.request.path == "/processes/"
    assert "The new process was not created" in refused.get_data(as_text=True)


def test_save_reload_and_a_stale_save_is_refused_changing_nothing(as_user, factory, action_plan):
    dee, adam = as_user("dee"), as_user("adam")
    changed = {**action_plan, "notes.md": "Why we changed it"}
    saved = dee.put("/processes/action_plan/draft.json", json={"files": changed, "revision": 0})
    assert saved.status_code == 200
    assert saved.get_json()["revision"] == 1 and saved.get_json()["updated_by"] == "dee"
    assert saved.get_json()["problems"] == []
    assert dee.get("/processes/action_plan/draft.json").get_json()["files"] == changed
    before = _drafts(factory)
    stale = adam.put("/processes/action_plan/draft.json", json={"files": action_plan, "revision": 0})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["details"]["updated_by"] == "dee"
    assert _drafts(factory) == before


def test_bad_input_is_refused_changing_nothing(as_user, factory, action_plan):
    dee = as_user("dee")
    too_many = {f"f{n}.md": "x" for n in range(MAX_FILES + 1)}
    cases = [("put", "/processes/action_plan/draft.json", "{not json", 400),
             ("put", "/processes/action_plan/draft.json", json.dumps([1]), 400),
             ("put", "/processes/action_plan/draft.json", json.dumps({"files": action_plan}), 422),
             ("put", "/processes/action_plan/draft.json", json.dumps({"files": too_many, "revision": 0}), 413),
             ("put", "/processes/action_plan/draft.json", json.dumps({"files": {"../x.md": "x"}, "revision": 0}), 422),
             ("post", "/processes/action_plan/draft/validate", "{not json", 400),
             ("post", "/processes/action_plan/draft/validate", json.dumps({"files": too_many}), 413),
             ("post", "/processes/action_plan/draft/deploy", json.dumps({"revision": "one"}), 422),
             ("post", "/processes/action_plan/draft/deploy", json.dumps({"revision": 1}), 404),
             ("delete", "/processes/action_plan/draft.json", None, 404),
             ("put", "/processes/Bad%20Key/draft.json", json.dumps({"files": action_plan, "revision": 0}), 422),
             ("get", "/processes/Bad%20Key/draft.json", None, 422),
             ("post", "/processes/action_plan/instructions/preview", json.dumps({"text": 5}), 422)]
    for method, url, data, status in cases:
        response = getattr(dee, method)(url, data=data, headers=JSON)
        assert response.status_code == status, (method, url, data and data[:40], response.get_data(as_text=True))
        assert "error" in response.get_json(), url
    assert _drafts(factory) == {} and _versions(factory) == [("action_plan", 1)]
    assert dee.get("/processes/Bad%20Key/edit").status_code == 404


def test_validate_lists_every_problem_with_its_element(as_user, action_plan):
    broken = {**action_plan, "action_plan.bpmn": action_plan["action_plan.bpmn"].replace(
        '<bpmn:lane id="Lane_action_plan_coordinator" name="coordinator">',
        '<bpmn:lane id="Lane_action_plan_coordinator" name="business manager">')}
    answer = as_user("dee").post("/processes/action_plan/draft/validate", json={"files": broken})
    assert answer.status_code == 200
    problems = answer.get_json()["problems"]
    assert problems and all(p["file"] == "action_plan.bpmn" for p in problems)
    assert any(p["element"] == "Lane_action_plan_coordinator" for p in problems)
    ok = as_user("dee").post("/processes/action_plan/draft/validate", json={"files": action_plan}).get_json()
    assert ok == {"problems": []}


def test_deploy_an_invalid_draft_lists_every_problem_and_keeps_it(as_user, factory, action_plan):
    dee = as_user("dee")
    broken = {**action_plan, "action_plan.bpmn": action_plan["action_plan.bpmn"].replace(
        'name="coordinator"', 'name="manager"')}
    dee.put("/processes/action_plan/draft.json", json={"files": broken, "revision": 0})
    refused = dee.post("/processes/action_plan/draft/deploy", json={"revision": 1})
    assert refused.status_code == 422
    assert len(refused.get_json()["error"]["details"]) >= 2  # a problem for every lane named manager
    assert _versions(factory) == [("action_plan", 1)] and _drafts(factory)["action_plan"][0] == 1


def test_deploy_a_draft_makes_the_next_version(as_user, factory, action_plan):
    dee = as_user("dee")
    changed = {**action_plan, "action_plan.bpmn": action_plan["action_plan.bpmn"].replace(
        '<spiffworkflow:property name="dueIn" value="P14D"/>', '<spiffworkflow:property name="dueIn" value="P10D"/>')}
    dee.put("/processes/action_plan/draft.json", json={"files": changed, "revision": 0})
    stale = dee.post("/processes/action_plan/draft/deploy", json={"revision": 7})
    assert stale.status_code == 409 and _versions(factory) == [("action_plan", 1)]
    deployed = dee.post("/processes/action_plan/draft/deploy", json={"revision": 1})
    assert deployed.status_code == 201
    assert deployed.get_json() == {"key": "action_plan", "version": 2, "url": "/processes/action_plan?version=2"}
    assert _versions(factory) == [("action_plan", 1), ("action_plan", 2)]
    page = dee.get("/processes/action_plan").get_data(as_text=True)
    assert 'href="/processes/action_plan/edit"' in page


def test_discard_returns_to_the_latest_version(as_user, factory, action_plan):
    dee = as_user("dee")
    dee.put("/processes/action_plan/draft.json", json={"files": {**action_plan, "notes.md": "x"}, "revision": 0})
    assert dee.delete("/processes/action_plan/draft.json").status_code == 204
    assert _drafts(factory) == {}
    assert dee.get("/processes/action_plan/draft.json").get_json()["files"] == action_plan


def test_the_instructions_preview_is_the_task_page_markdown_sanitised(as_user):
    answer = as_user("adam").post("/processes/x/instructions/preview",
                                  json={"text": "## Do it\n\n**now** <script>alert(1)</script> {{ name }}"})
    html = answer.get_json()["html"]
    assert "<strong>now</strong>" in html and "<script>" not in html and "{{ name }}" in html
    assert "govuk-heading" in html


def test_the_processes_page_offers_a_new_process(as_user):
    page = as_user("dee").get("/processes/").get_data(as_text=True)
    assert 'action="/processes/new"' in page and "New process" in page


def test_a_first_save_from_a_version_older_than_the_latest_is_refused(as_user, factory, action_plan):
    """The editor sends the base_version it opened: after someone deployed a newer version (which removes the
    draft), a save from the older version is a conflict, not a draft that would undo theirs."""
    dee, adam = as_user("dee"), as_user("adam")
    opened = dee.get("/processes/action_plan/draft.json").get_json()
    theirs = {**action_plan, "notes.md": "adam's"}
    assert adam.put("/processes/action_plan/draft.json", json={"files": theirs, "revision": 0,
                                                               "base_version": 1}).status_code == 200
    assert adam.post("/processes/action_plan/draft/deploy", json={"revision": 1}).get_json()["version"] == 2
    before = _drafts(factory)
    stale = dee.put("/processes/action_plan/draft.json", json={"files": opened["files"], "revision": 0,
                                                               "base_version": opened["base_version"]})
    assert stale.status_code == 409 and "version 2 was deployed" in stale.get_json()["error"]["message"]
    assert _drafts(factory) == before
