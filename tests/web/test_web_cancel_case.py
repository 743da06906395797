"""Cancelling a case: a page that says what cancelling does and asks why, then the cancel itself; a missing reason
is shown with GOV.UK's error summary; only coordinators may do it."""
from __future__ import annotations

import re

import pytest

from engine.store.db import transaction
from engine.store.models import HumanTask, ProcessInstance

from .web_kit import PASSWORDS, csrf_token, text


def test_the_case_page_links_to_the_confirmation_rather_than_cancelling(as_user, cdop):
    page = text(as_user("cora").get(f"/cases/{cdop.instance_id}"))
    assert re.search(rf'<a href="/cases/{cdop.instance_id}/cancel"[^>]*govuk-button--warning', page)
    assert f'action="/cases/{cdop.instance_id}/cancel"' not in page


def test_the_confirmation_says_what_cancelling_does(as_user, cdop):
    response = as_user("cora").get(f"/cases/{cdop.instance_id}/cancel")
    page = text(response)
    assert response.status_code == 200
    assert "Are you sure you want to cancel this case?" in page and cdop.business_key in page
    assert "open steps are withdrawn (Family&#39;s views, Agency report for Police, Agency report for Children" in page
    for words in ("no longer chased", "the case and its history stay", "cannot be restarted",
                  "Why is the case being cancelled?", "Keep the case going"):
        assert words in page
    assert 'class="govuk-error-summary"' not in page


def test_cancelling_without_a_reason_shows_the_error_summary_and_cancels_nothing(as_user, cdop, factory):
    response = as_user("cora").post(f"/cases/{cdop.instance_id}/cancel", data={"reason": "  "})
    page = text(response)
    assert response.status_code == 422
    assert 'class="govuk-error-summary"' in page and '<a href="#cancel-reason">Enter why the case is being cancelled' \
        in page
    assert 'govuk-error-message' in page and "<title>Error: " in page
    with transaction(factory) as s:
        assert s.get(ProcessInstance, cdop.instance_id).status == "active"


def test_cancelling_with_a_reason_cancels_and_withdraws_the_open_steps(as_user, cdop, factory):
    cora = as_user("cora")
    response = cora.post(f"/cases/{cdop.instance_id}/cancel", data={"reason": "Duplicate notification"})
    assert response.status_code == 302 and response.location == f"/cases/{cdop.instance_id}"
    page = text(cora.get(response.location))
    assert "The case has been cancelled" in page and "Reason: Duplicate notification" in page
    with transaction(factory) as s:
        assert s.get(ProcessInstance, cdop.instance_id).status == "cancelled"
        assert s.get(HumanTask, cdop.reports["police"]).state == "cancelled"
    again = text(cora.get(f"/cases/{cdop.instance_id}/cancel"))
    assert "already cancelled, so it cannot be cancelled" in again and 'name="reason"' not in again


@pytest.mark.parametrize("username", ["pat", "chad", "scot"])
def test_only_a_coordinator_may_see_the_page_or_cancel(as_user, cdop, factory, username):
    client = as_user(username)
    assert client.get(f"/cases/{cdop.instance_id}/cancel").status_code == 403
    assert client.post(f"/cases/{cdop.instance_id}/cancel", data={"reason": "x"}).status_code == 403
    with transaction(factory) as s:
        assert s.get(ProcessInstance, cdop.instance_id).status == "active"


def test_the_confirmation_posts_with_its_csrf_token(csrf_app, cdop, factory):
    client = csrf_app.test_client()
    token = csrf_token(text(client.get("/sign-in")))
    client.post("/sign-in", data={"username": "cora", "password": PASSWORDS["cora"], "csrf_token": token})
    page = text(client.get(f"/cases/{cdop.instance_id}/cancel"))
    assert client.post(f"/cases/{cdop.instance_id}/cancel", data={"reason": "Test"}).status_code == 400
    response = client.post(f"/cases/{cdop.instance_id}/cancel", data={"reason": "Test", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with transaction(factory) as s:
        assert s.get(ProcessInstance, cdop.instance_id).status == "cancelled"
