"""The designer's drafts and validation over the API: a draft opens from the latest version (revision 0), saves
even when invalid (with its problems), refuses a save from an older revision (409, nothing changed), survives a
new token, deploys as the next version (422 with every problem, the draft kept), and is discarded; validation
lists every problem and writes nothing; other roles get 403."""
from __future__ import annotations

import pytest

from .api_kit import API, bundle_files, check_error


def draft_url(key):
    return f"{API}/process-definitions/{key}/draft"


def broken(files):
    """simple_review with a sequence flow to nowhere."""
    name = next(n for n in files if n.endswith(".bpmn"))
    text = files[name]
    start = text.index('targetRef="') + len('targetRef="')
    end = text.index('"', start)
    return {**files, name: text[:start] + "nowhere" + text[end:]}


def test_draft_opens_from_latest_version_at_revision_0(api, client, auth):
    api.deploy("simple_review")
    r = client.get(draft_url("simple_review"), headers=auth("dee"))
    assert r.status_code == 200, r.json
    assert r.json["revision"] == 0 and r.json["base_version"] == 1
    assert r.json["files"] == bundle_files("simple_review")


def test_new_process_opens_a_starter_bundle_that_deploys(client, auth):
    r = client.get(draft_url("brand_new"), headers=auth("dee"))
    assert r.status_code == 200 and r.json["revision"] == 0 and r.json["base_version"] is None
    saved = client.put(draft_url("brand_new"), json={"files": r.json["files"], "revision": 0}, headers=auth("dee"))
    assert saved.status_code == 200 and saved.json["revision"] == 1 and saved.json["problems"] == []
    deployed = client.post(f"{draft_url('brand_new')}/deploy", json={"revision": 1}, headers=auth("dee"))
    assert deployed.status_code == 201 and deployed.json == {"key": "brand_new", "version": 1}
    assert client.get(draft_url("brand_new"), headers=auth("dee")).json["revision"] == 0  # the draft is gone


def test_invalid_draft_saves_with_its_problems_and_deploy_is_422_keeping_it(api, client, auth):
    api.deploy("simple_review")
    files = broken(bundle_files("simple_review"))
    saved = client.put(draft_url("simple_review"), json={"files": files, "revision": 0}, headers=auth("dee"))
    assert saved.status_code == 200 and saved.json["revision"] == 1
    assert [p["element"] for p in saved.json["problems"]] and all(p["message"] for p in saved.json["problems"])
    before = api.snapshot()
    refused = client.post(f"{draft_url('simple_review')}/deploy", json={"revision": 1}, headers=auth("dee"))
    error = check_error(refused, 422, "invalid")
    assert error["details"] and error["details"][0]["element"]
    assert api.snapshot() == before
    assert client.get(draft_url("simple_review"), headers=auth("dee")).json["files"] == files


def test_a_save_from_an_older_revision_is_409_and_changes_nothing(api, client, auth):
    api.deploy("simple_review")
    files = bundle_files("simple_review")
    assert client.put(draft_url("simple_review"), json={"files": files, "revision": 0},
                      headers=auth("dee")).status_code == 200
    other = {**files, "notes.md": "Second designer's notes"}
    assert client.put(draft_url("simple_review"), json={"files": other, "revision": 1},
                      headers=auth("adam")).status_code == 200
    mine = {**files, "notes.md": "First designer's notes"}
    r = client.put(draft_url("simple_review"), json={"files": mine, "revision": 1}, headers=auth("dee"))
    error = check_error(r, 409, "conflict")
    assert "adam" in error["message"] and error["details"]["revision"] == 2
    assert client.get(draft_url("simple_review"), headers=auth("dee")).json["files"]["notes.md"] == \
        "Second designer's notes"
    stale_deploy = client.post(f"{draft_url('simple_review')}/deploy", json={"revision": 1}, headers=auth("dee"))
    check_error(stale_deploy, 409, "conflict")


def test_draft_survives_signing_in_again(api, client, auth):
    api.deploy("simple_review")
    files = {**bundle_files("simple_review"), "notes.md": "kept"}
    client.put(draft_url("simple_review"), json={"files": files, "revision": 0}, headers=auth("dee"))
    api.sign_in_again()
    assert client.get(draft_url("simple_review"), headers=auth("dee")).json["files"]["notes.md"] == "kept"


def test_discard_removes_the_draft(api, client, auth):
    api.deploy("simple_review")
    client.put(draft_url("simple_review"), json={"files": bundle_files("simple_review"), "revision": 0},
               headers=auth("dee"))
    assert client.delete(draft_url("simple_review"), headers=auth("dee")).status_code == 204
    check_error(client.delete(draft_url("simple_review"), headers=auth("dee")), 404)


@pytest.mark.parametrize("name", ["../escape.bpmn", "sub/dir.bpmn", "binary.exe", ".hidden.json"])
def test_a_file_name_that_is_not_plain_is_422(client, auth, name):
    r = client.put(draft_url("simple_review"), json={"files": {name: "x"}, "revision": 0}, headers=auth("dee"))
    check_error(r, 422, "invalid")


def test_validate_lists_every_problem_and_writes_nothing(api, client, auth):
    api.deploy("simple_review")
    before = api.snapshot()
    ok = client.post(f"{API}/process-definitions/simple_review/validate",
                     json={"files": bundle_files("simple_review")}, headers=auth("dee"))
    assert ok.status_code == 200 and ok.json == {"problems": []}
    bad = client.post(f"{API}/process-definitions/simple_review/validate",
                      json={"files": broken(bundle_files("simple_review"))}, headers=auth("dee"))
    assert bad.status_code == 200
    assert bad.json["problems"] and set(bad.json["problems"][0]) >= {"file", "line", "element", "message"}
    assert api.snapshot() == before


@pytest.mark.parametrize("who", ["cora", "pat", "chad"])
def test_other_roles_get_403(client, auth, who):
    assert client.get(draft_url("simple_review"), headers=auth(who)).status_code == 403
    r = client.post(f"{API}/process-definitions/simple_review/validate", json={"files": {"a.md": ""}},
                    headers=auth(who))
    assert r.status_code == 403


def test_a_first_save_made_before_another_version_was_deployed_is_409_and_changes_nothing(api, client, auth):
    """Deploying a draft removes it (the revision is 0 again): a designer who opened the draft before that must not
    save files from the older version over it, silently undoing the newer version when the draft is deployed."""
    api.deploy("simple_review")
    opened = client.get(draft_url("simple_review"), headers=auth("dee")).json  # revision 0, base_version 1
    files = bundle_files("simple_review")
    assert client.put(draft_url("simple_review"), json={"files": {**files, "notes.md": "adam's"}, "revision": 0,
                                                        "base_version": 1}, headers=auth("adam")).status_code == 200
    deployed = client.post(f"{draft_url('simple_review')}/deploy", json={"revision": 1}, headers=auth("adam"))
    assert deployed.json["version"] == 2
    before = api.snapshot()
    mine = {**opened["files"], "notes.md": "dee's, made from version 1"}
    r = client.put(draft_url("simple_review"), json={"files": mine, "revision": opened["revision"],
                                                     "base_version": opened["base_version"]}, headers=auth("dee"))
    error = check_error(r, 409, "conflict")
    assert "version 2" in error["message"] and error["details"]["updated_by"] == "adam"
    assert api.snapshot() == before
    fresh = client.get(draft_url("simple_review"), headers=auth("dee")).json
    assert fresh["base_version"] == 2 and fresh["files"]["notes.md"] == "adam's"
    r = client.put(draft_url("simple_review"), json={"files": fresh["files"], "revision": 0, "base_version": 2},
                   headers=auth("dee"))
    assert r.status_code == 200 and r.json["base_version"] == 2
    # a new process: a first save from the starter, after someone deployed the process, is a conflict too
    starter = client.get(draft_url("brand_new"), headers=auth("dee")).json
    client.put(draft_url("brand_new"), json={"files": starter["files"], "revision": 0}, headers=auth("adam"))
    client.post(f"{draft_url('brand_new')}/deploy", json={"revision": 1}, headers=auth("adam"))
    r = client.put(draft_url("brand_new"), json={"files": starter["files"], "revision": 0, "base_version": None},
                   headers=auth("dee"))
    check_error(r, 409, "conflict")
