"""Signing in and out, sessions, CSRF, rate limits and security headers."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import NOW

from .web_kit import csrf_token, sign_in, text

PAGES = ["/", "/tasks", "/cases", "/start", "/notifications", "/account", "/admin/", "/processes/",
         "/tasks/00000000-0000-0000-0000-000000000000", "/cases/00000000-0000-0000-0000-000000000000"]


def test_anonymous_root_shows_sign_in(client):
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert "Sign in" in text(response) and 'name="password"' in text(response)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitor_is_redirected_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")


def test_signed_in_root_is_my_tasks(as_user):
    response = as_user("pat").get("/")
    assert response.status_code == 200
    assert "<h1 class=\"govuk-heading-l\">My tasks</h1>" in text(response)


def test_sign_in_returns_to_the_page_asked_for(client):
    response = client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass", "next": "/cases"})
    assert response.location == "/cases"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client, target):
    response = client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass", "next": target})
    assert response.location == "/"


def test_wrong_password_shows_the_error_summary(client):
    response = client.post("/sign-in", data={"username": "pat", "password": "nope"})
    assert response.status_code == 401
    page = text(response)
    assert "There is a problem" in page and "The username or password is not right" in page
    assert "<title>Error: Sign in" in page


def test_empty_sign_in_says_what_is_missing(client):
    page = text(client.post("/sign-in", data={"username": "", "password": ""}))
    assert "Enter your username" in page and "Enter your password" in page


def test_sign_out_ends_the_session(as_user):
    client = as_user("pat")
    assert client.post("/sign-out").status_code == 302
    assert client.get("/tasks").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client):
    response = client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(https_app):
    response = https_app.test_client().post("/sign-in", data={"username": "pat", "password": "reviewer-pass"},
                                            base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-") and "Secure" in cookie and "HttpOnly" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_pages_send_a_strict_content_security_policy(as_user):
    response = as_user("pat").get("/tasks")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in text(response)  # no inline script anywhere in the layout


def test_a_post_without_a_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass"})
    assert response.status_code == 400
    assert "expired" in text(response)
    assert client.get("/tasks").status_code == 302  # not signed in


def test_a_post_with_the_csrf_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(text(client.get("/sign-in")))
    response = client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass", "csrf_token": token})
    assert response.status_code == 302
    page = text(client.get("/tasks"))
    assert client.post("/sign-out").status_code == 400  # still needs its token once signed in
    assert client.post("/sign-out", data={"csrf_token": csrf_token(page)}).status_code == 302


def test_the_json_api_is_exempt_from_csrf(csrf_app):
    response = csrf_app.test_client().post("/api/v1/auth/token", json={"username": "pat", "password": "reviewer-pass"})
    assert response.status_code == 200 and "token" in response.json


def test_sign_in_is_rate_limited_per_ip(app):
    lif = app.extensions["lif"]
    app.extensions["lif"] = replace(lif, config=replace(lif.config, login_address_limit=3))
    client = app.test_client()
    for name in ("nobody", "nobody-else", "no-one"):
        assert client.post("/sign-in", data={"username": name, "password": "x"}).status_code == 401
    response = client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass"})
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 60
    assert "Too many failed sign-ins from your address" in text(response)
    other = app.test_client()
    assert other.post("/sign-in", data={"username": "pat", "password": "reviewer-pass"},
                      environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 302


def test_repeated_failures_delay_that_account_at_that_address_only(client):
    for _ in range(5):
        assert client.post("/sign-in", data={"username": "sam", "password": "wrong"},
                           environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 401
    response = client.post("/sign-in", data={"username": "sam", "password": "reviewer-pass"},
                           environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "Too many failed sign-ins for this account from your address" in text(response)
    assert client.post("/sign-in", data={"username": "sam", "password": "reviewer-pass"},
                       environ_base={"REMOTE_ADDR": "10.0.0.10"}).status_code == 302
    assert client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass"}).status_code == 302


def test_password_change_needs_the_current_password(as_user, client):
    pat = as_user("pat")
    response = pat.post("/account/password",
                        data={"current": "wrong", "new": "a-new-password", "again": "a-new-password"})
    assert response.status_code == 400 and "Your current password is not right" in text(response)
    response = pat.post("/account/password", data={"current": "reviewer-pass", "new": "short", "again": "short"})
    assert response.status_code == 400 and "at least 12 characters" in text(response)
    response = pat.post("/account/password", data={"current": "reviewer-pass", "new": "a-new-password",
                                                   "again": "a-new-password"})
    assert response.status_code == 302
    assert pat.get("/tasks").status_code == 200  # this session carries on
    assert client.post("/sign-in", data={"username": "pat", "password": "reviewer-pass"}).status_code == 401
    sign_in(client, "pat", "a-new-password")


def test_a_password_change_signs_out_other_sessions(as_user):
    first, second = as_user("pat"), as_user("pat")
    first.post("/account/password", data={"current": "reviewer-pass", "new": "a-new-password",
                                          "again": "a-new-password"})
    assert second.get("/tasks").status_code == 302


def test_a_deactivated_user_is_signed_out(as_user, app, now):
    from engine.people import directory
    from engine.records import Actor
    pat = as_user("pat")
    with app.extensions["lif"].unit_of_work() as s:
        directory.update_user(s, "pat", roles=["reviewer"], agency_key="police", active=False, full_name="Pat",
                              email=None, actor=Actor("adam", frozenset({"admin"})), now=NOW)
    assert pat.get("/tasks").status_code == 302
