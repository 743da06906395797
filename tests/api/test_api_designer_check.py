"""The check by running over the API and the editor's page endpoint: the same answer from both, seeds bounded,
files that do not parse answered with no runs (never a 500), designers and admins only, nothing written."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORDS
from tests.web.web_kit import csrf_token

from .api_kit import API, bundle_files, check_error


def sign_in(client, username):
    """Sign in through the page (CSRF on, as in production); the page token to send in ``X-CSRFToken``."""
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    r = client.post("/sign-in", data={"username": username, "password": PASSWORDS[username], "csrf_token": token})
    assert r.status_code == 302
    return csrf_token(client.get("/notifications").get_data(as_text=True))


def check_url(key):
    return f"{API}/process-definitions/{key}/check"


def test_check_answers_runs_reached_and_problems(api, client, auth):
    before = api.snapshot()
    r = client.post(check_url("check_dead_end"), json={"files": bundle_files("check_dead_end"), "seeds": 4},
                    headers=auth("dee"))
    assert r.status_code == 200, r.json
    assert r.json["runs"] == 4 and "join" in r.json["reached"]
    assert r.json["problems"] == [{"kind": "dead_end", "element": "join", "message": r.json["problems"][0]["message"]}]
    assert api.snapshot() == before  # a check writes nothing


def test_seeds_default_to_eight(client, auth):
    r = client.post(check_url("check_unreached"), json={"files": bundle_files("check_unreached")},
                    headers=auth("adam"))
    assert r.status_code == 200 and r.json["runs"] == 8
    assert [(p["kind"], p["element"]) for p in r.json["problems"]] == [("unreached", "never_done")]


def test_bad_seeds_are_422_naming_the_field(api, client, auth):
    before = api.snapshot()
    for seeds in (0, 33, -1, "many", 2.5, None, True):
        r = client.post(check_url("check_dead_end"), json={"files": bundle_files("check_dead_end"), "seeds": seeds},
                        headers=auth("dee"))
        error = check_error(r, 422, "invalid")
        assert any(d["field"] == "seeds" for d in error["details"]), seeds
    assert api.snapshot() == before


def test_files_that_do_not_parse_are_answered_with_no_runs(client, auth):
    for files in ({"check_x.bpmn": "<not xml"}, {"process_model.json": "{", "check_x.bpmn": ""},
                  {"check_x.bpmn": "<?xml version='1.0'?><definitions/>"}, {"check_x.dmn": "x" * 1000}):
        r = client.post(check_url("check_x"), json={"files": files}, headers=auth("dee"))
        assert r.status_code == 200, r.json
        assert r.json == {"runs": 0, "reached": [], "problems": []}


def test_a_bad_key_or_body_is_a_clear_error(client, auth):
    assert client.post(check_url("Bad-Key"), json={"files": bundle_files("check_dead_end")},
                       headers=auth("dee")).json["runs"] == 0
    check_error(client.post(check_url("check_x"), json={"files": {}}, headers=auth("dee")), 422, "invalid")
    check_error(client.post(check_url("check_x"), data="nope", headers=auth("dee")), 400, "bad_request")


def test_only_designers_and_admins_check(api, client, auth):
    before = api.snapshot()
    for username in sorted(set(PASSWORDS) - {"dee", "adam"}):  # every case role, the scrutineer and the partners
        r = client.post(check_url("check_dead_end"), json={"files": bundle_files("check_dead_end")},
                        headers=auth(username))
        check_error(r, 403, "forbidden")
    assert client.post(check_url("check_dead_end"), json={"files": {}}).status_code == 401
    assert api.snapshot() == before


@pytest.mark.slow  # make test-ci: the fast suite keeps within 4 minutes
def test_the_page_endpoint_gives_the_api_answer(api, client, auth):
    files = bundle_files("check_script_branch")
    from_api = client.post(check_url("check_script_branch"), json={"files": files, "seeds": 3}, headers=auth("dee"))
    token = sign_in(client, "dee")
    before = api.snapshot()
    from_page = client.post("/processes/check_script_branch/draft/check", json={"files": files, "seeds": 3},
                            headers={"X-CSRFToken": token})
    assert from_page.status_code == 200, from_page.data[:300]
    assert from_page.json == from_api.json
    assert api.snapshot() == before
    bad = client.post("/processes/check_script_branch/draft/check", json={"files": files, "seeds": 99},
                      headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["field"] == "seeds"


def test_the_page_endpoint_is_for_designers_and_needs_the_csrf_token(app, partnership):
    files = bundle_files("check_dead_end")
    coordinator, designer = app.test_client(), app.test_client()
    token = sign_in(coordinator, "cora")
    r = coordinator.post("/processes/check_dead_end/draft/check", json={"files": files},
                         headers={"X-CSRFToken": token})
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    sign_in(designer, "dee")
    assert designer.post("/processes/check_dead_end/draft/check", json={"files": files}).status_code == 400
