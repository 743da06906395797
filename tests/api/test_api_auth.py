"""POST /auth/token, bearer tokens on every other route, expiry, and the sign-in delays per account at an address
(tests/security/test_sign_in.py has the attacks)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import NOW

from .api_kit import API, check_error, iso
from .conftest import PASSWORDS


def token_for(client, username, password=None):
    return client.post(f"{API}/auth/token", json={"username": username, "password": password or PASSWORDS[username]})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def protected_routes(app):
    """Every (method, path) the API blueprint registers, except the token call and the OpenAPI document."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in ("api.issue_token", "api.openapi_document"):
            continue
        path = rule.rule
        path = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", path)
        out.extend((method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return out


def test_token_issued_for_right_password(client, partnership):
    r = token_for(client, "pat")
    assert r.status_code == 200, r.json
    assert set(r.json) == {"token", "expires_at"}
    assert isinstance(r.json["token"], str) and len(r.json["token"]) >= 32
    expires = iso(r.json["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - NOW < timedelta(hours=12, minutes=1)
    me = client.get(f"{API}/tasks", headers=bearer(r.json["token"]))
    assert me.status_code == 200


def test_each_token_is_new(client, partnership):
    assert token_for(client, "pat").json["token"] != token_for(client, "pat").json["token"]


@pytest.mark.parametrize("username,password", [("pat", "wrong-password"), ("nobody", "reviewer-pass"),
                                               ("PAT", "reviewer-pass")])
def test_token_refused_for_wrong_credentials(client, partnership, username, password):
    error = check_error(token_for(client, username, password), 401, "unauthorized")
    # the same answer whether the account exists or not
    assert error == check_error(token_for(client, "pat", "another-wrong-one"), 401, "unauthorized")


def test_token_request_not_json_is_400(client, partnership):
    r = client.post(f"{API}/auth/token", data="username=pat&password=reviewer-pass",
                    content_type="application/x-www-form-urlencoded")
    check_error(r, 400, "bad_request")
    r = client.post(f"{API}/auth/token", data="{not json", content_type="application/json")
    check_error(r, 400, "bad_request")
    r = client.post(f"{API}/auth/token", json=["pat", "reviewer-pass"])
    check_error(r, 400, "bad_request")


def test_token_request_missing_fields_is_422_with_field_paths(client, partnership):
    r = client.post(f"{API}/auth/token", json={"username": "pat"})
    error = check_error(r, 422, "invalid")
    assert [d["field"] for d in error["details"]] == ["password"]
    r = client.post(f"{API}/auth/token", json={"username": "pat", "password": "reviewer-pass", "admin": True})
    error = check_error(r, 422, "invalid")
    assert [d["field"] for d in error["details"]] == ["admin"]


def test_every_route_without_token_is_401(app, client, partnership):
    routes = protected_routes(app)
    assert len(routes) >= 18
    for method, path in routes:
        r = client.open(path, method=method, json={})
        check_error(r, 401, "unauthorized")


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer ", "Basic cGF0OnJldmlld2VyLXBhc3M=",
                                    "reviewer-pass", "Bearer a b"])
def test_every_route_with_bad_token_is_401(app, client, partnership, header):
    for method, path in protected_routes(app):
        r = client.open(path, method=method, json={}, headers={"Authorization": header})
        check_error(r, 401, "unauthorized")


def test_expired_token_is_401(client, partnership, traveller):
    token = token_for(client, "pat").json["token"]
    traveller.shift(timedelta(hours=11, minutes=58))
    assert client.get(f"{API}/tasks", headers=bearer(token)).status_code == 200
    traveller.shift(timedelta(minutes=3))
    check_error(client.get(f"{API}/tasks", headers=bearer(token)), 401, "unauthorized")
    fresh = token_for(client, "pat").json["token"]
    assert client.get(f"{API}/tasks", headers=bearer(fresh)).status_code == 200


def test_repeated_bad_passwords_are_delayed_for_that_account_at_that_address(client, partnership):
    for _ in range(5):
        check_error(token_for(client, "pat", "guess"), 401, "unauthorized")
    refused = token_for(client, "pat", "guess")
    error = check_error(refused, 429, "rate_limited")
    assert "too many" in error["message"] and refused.headers["Retry-After"] == "1"
    # the right password waits too, from that address ...
    check_error(token_for(client, "pat"), 429, "rate_limited")
    # ... but pat elsewhere, and other accounts, still sign in
    assert client.post(f"{API}/auth/token", json={"username": "pat", "password": PASSWORDS["pat"]},
                       environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert token_for(client, "sam").status_code == 200
    assert token_for(client, "cora").status_code == 200


def test_the_delay_lifts_after_its_retry_after(client, partnership, traveller):
    for _ in range(6):
        token_for(client, "pat", "guess")
    refused = token_for(client, "pat")
    check_error(refused, 429, "rate_limited")
    traveller.shift(timedelta(seconds=int(refused.headers["Retry-After"])))
    assert token_for(client, "pat").status_code == 200


def test_rate_limit_does_not_revoke_tokens_already_issued(client, partnership):
    token = token_for(client, "pat").json["token"]
    for _ in range(6):
        token_for(client, "pat", "guess")
    assert client.get(f"{API}/tasks", headers=bearer(token)).status_code == 200


def test_successful_sign_in_resets_the_failure_count(client, partnership):
    for _ in range(4):
        check_error(token_for(client, "pat", "guess"), 401)
    assert token_for(client, "pat").status_code == 200
    for _ in range(4):
        check_error(token_for(client, "pat", "guess"), 401)
    assert token_for(client, "pat").status_code == 200


def test_unknown_api_route_is_404_with_error_shape(client, auth):
    check_error(client.get(f"{API}/no-such-thing", headers=auth("cora")), 404, "not_found")


def test_wrong_method_is_405_with_error_shape(client, auth):
    check_error(client.get(f"{API}/tasks/x/complete", headers=auth("cora")), 405, "method_not_allowed")


def test_unknown_page_outside_the_api_is_not_answered_by_the_api(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert not (r.is_json and "error" in (r.get_json() or {}))
