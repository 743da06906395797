"""Sessions (issue 9, item 7): sign-out ends the session on the server, sessions end after 30 minutes idle and 8
hours in all (both configurable), and a form posted after its session ended is not lost.

Reproduction: the session was a signed cookie only, so a copy of it taken before sign-out still worked after it;
``setdefault("PERMANENT_SESSION_LIFETIME")`` did nothing in Flask, so sessions lasted 31 days; a form posted to an
expired session was thrown away with a redirect to the sign-in page."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from engine.config import Config
from engine.store.db import transaction
from engine.store.models import HumanTask, UserSession

from .accounts_kit import app, as_user, cdop, client, csrf_token, hasher, make_app, sign_in, text, traveller  # noqa: F401

COOKIE = "lif_session"


def _signed_in(client):
    return client.get("/tasks").status_code == 200


def test_a_cookie_replayed_after_sign_out_is_refused(as_user, app):
    pat = as_user("pat")
    copied = pat.get_cookie(COOKIE).value
    assert pat.post("/sign-out").status_code == 302
    thief = app.test_client()
    thief.set_cookie(COOKIE, copied)
    assert thief.get("/tasks").status_code == 302
    pat.set_cookie(COOKIE, copied)
    assert not _signed_in(pat)


def test_a_cookie_from_before_sign_in_again_is_refused(as_user, app):
    """Signing in again replaces the session: the previous cookie stops working."""
    pat = as_user("pat")
    copied = pat.get_cookie(COOKIE).value
    sign_in(pat, "pat")
    thief = app.test_client()
    thief.set_cookie(COOKIE, copied)
    assert not _signed_in(thief) and _signed_in(pat)


def test_a_session_ends_after_thirty_minutes_without_a_request(as_user, traveller):
    pat = as_user("pat")
    for _ in range(6):  # an hour and a half of use, a request every 25 minutes
        traveller.shift(timedelta(minutes=25))
        assert _signed_in(pat)
    traveller.shift(timedelta(minutes=30, seconds=1))
    ended = pat.get("/tasks")
    assert ended.location.startswith("/sign-in")
    assert "Your session has ended" in text(pat.get(ended.location))
    assert not _signed_in(pat)


def test_a_session_ends_eight_hours_after_sign_in_however_busy(as_user, traveller):
    pat = as_user("pat")
    for _ in range(28):  # 7 h 56 min, a request every 17 minutes
        traveller.shift(timedelta(minutes=17))
        assert _signed_in(pat)
    traveller.shift(timedelta(minutes=5))
    assert not _signed_in(pat)
    sign_in(pat, "pat")
    assert _signed_in(pat)


def test_both_timeouts_are_configurable(make_app, traveller, monkeypatch):
    monkeypatch.setenv("LIF_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("LIF_SESSION_MAX_HOURS", "1")
    config = Config.from_env(database_url="sqlite://", secret_key="x")
    assert (config.session_idle_minutes, config.session_max_hours) == (5, 1)
    client = make_app(session_idle_minutes=5, session_max_hours=1).test_client()
    sign_in(client, "pat")
    traveller.shift(timedelta(minutes=4))
    assert _signed_in(client)
    traveller.shift(timedelta(minutes=5, seconds=1))
    assert not _signed_in(client)
    sign_in(client, "pat")
    expires = client.get_cookie(COOKIE).expires  # the cookie itself is good for an hour, not 31 days
    assert expires.replace(tzinfo=UTC) - datetime.now(UTC) < timedelta(hours=1, minutes=1)
    for _ in range(14):
        traveller.shift(timedelta(minutes=4))
        assert _signed_in(client)
    traveller.shift(timedelta(minutes=4, seconds=1))
    assert not _signed_in(client)  # an hour after sign-in


def test_the_idle_clock_is_written_at_most_once_a_minute(as_user, factory, traveller):
    pat = as_user("pat")

    def last_seen():
        with transaction(factory) as s:
            return s.scalar(select(UserSession.last_seen_at).where(UserSession.ended_at.is_(None)))

    signed_in_at = last_seen()
    for _ in range(5):
        traveller.shift(timedelta(seconds=10))
        assert _signed_in(pat)
    assert last_seen() == signed_in_at
    traveller.shift(timedelta(seconds=15))
    assert _signed_in(pat)
    assert last_seen() - signed_in_at >= timedelta(seconds=65)


def test_only_a_hash_of_the_session_id_is_stored(as_user, factory, app):
    pat = as_user("pat")
    with app.test_request_context():
        sid = app.session_interface.get_signing_serializer(app).loads(pat.get_cookie(COOKIE).value)["sid"]
    with transaction(factory) as s:
        rows = [dict(r) for r in s.execute(sql("SELECT * FROM user_session")).mappings()]
    assert rows and not any(sid in str(value) for row in rows for value in row.values())
    assert rows[0]["id_hash"] == hashlib.sha256(sid.encode()).hexdigest()


REPORT = {"nil_return": "false", "report.completed_by": "pat", "report.completed_by_role": "Detective sergeant",
          "report.involvement_summary": "Typed over forty minutes: three visits, one referral in 2025.",
          "report.involvement_from-day": "1", "report.involvement_from-month": "3",
          "report.involvement_from-year": "2024"}


def _draft(factory, task_id):
    with transaction(factory) as s:
        return s.get(HumanTask, task_id).draft


@pytest.mark.slow  # a long run through the engine: make test-ci
def test_a_form_posted_after_the_session_ended_is_kept_as_a_draft(make_app, cdop, factory, traveller):
    """pat opens the police agency report, types for 40 minutes and presses Complete: the session has timed out,
    so the answers are saved as pat's draft, and after signing in again pat is back on the task with them."""
    pat = make_app(csrf=True).test_client()
    token = csrf_token(text(pat.get("/sign-in")))
    pat.post("/sign-in", data={"username": "pat", "password": "reviewer-pass", "csrf_token": token})
    task_id = cdop.reports["police"]
    token = csrf_token(text(pat.get(f"/tasks/{task_id}")))
    traveller.shift(timedelta(minutes=40))
    for action in ("complete", "save"):
        response = pat.post(f"/tasks/{task_id}", data={**REPORT, "_action": action, "csrf_token": token})
        assert response.status_code == 302 and response.location.startswith("/sign-in?next=")
        draft = _draft(factory, task_id)
        assert draft["report"]["involvement_summary"] == REPORT["report.involvement_summary"]
        assert draft["report"]["involvement_from"] == "2024-03-01"
    page = text(pat.get(response.location))
    assert "saved as a draft" in page
    back = pat.post("/sign-in", data={"username": "pat", "password": "reviewer-pass", "next": f"/tasks/{task_id}",
                                      "csrf_token": csrf_token(page)})
    assert back.location == f"/tasks/{task_id}"
    page = text(pat.get(back.location))
    assert "Typed over forty minutes" in page
    assert re.search(r'name="report.involvement_from-year"[^>]*value="2024"', page)
    with transaction(factory) as s:
        assert s.get(HumanTask, task_id).state == "ready"  # kept, not completed behind the user's back


def test_a_form_posted_after_sign_out_is_not_kept(as_user, app, cdop, factory):
    """Signing out ends the session for good: nothing can be written in the user's name with a copy of its
    cookie, not even a draft."""
    pat = as_user("pat")
    copied = pat.get_cookie(COOKIE).value
    pat.post("/sign-out")
    thief = app.test_client()
    thief.set_cookie(COOKIE, copied)
    response = thief.post(f"/tasks/{cdop.reports['police']}", data={**REPORT, "_action": "save"})
    assert response.location.startswith("/sign-in")
    assert _draft(factory, cdop.reports["police"]) is None
