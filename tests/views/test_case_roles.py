"""Administrators and designers read no case and take no case action (SPEC §1): every case route of the API and
the pages answers them 403 or 404 and changes nothing. The routes come from the app's URL map, so a route added
later is a case route unless it is listed in ``NOT_CASE_ROUTES`` with its reason. Roles add up: a user who is
both admin and coordinator is a coordinator."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import select

from engine.people import accounts
from engine.store.db import transaction
from engine.store.models import HumanTask, Notification
from notifications import outbox
from notifications.recipients import Recipient, for_escalation
from tests.api.api_kit import snapshot
from tests.conftest import NOW, PASSWORDS
from tests.web.web_kit import WORKFLOWS, cdop_to_agency_reports, deploy

API = "/api/v1"
# Endpoints that are not about cases, and why.
NOT_CASE_ROUTES = {
    "static": "front-end files", "assets.asset": "front-end files",
    "tasks.inbox_page": "home: sends each role to its own pages (tested below)",
    "api.issue_token": "signing in", "api.revoke_token": "signing out", "api.openapi_document": "the API's shape",
    "api.list_definitions": "definitions", "api.diff_definition": "definitions", "api.bundle_zip": "definitions",
    "api.import_bundle": "definitions", "api.deploy_definition": "definitions", "api.definition_bpmn": "definitions",
    "api.list_running_instances": "a designer's list without case data (tested below)",
    "api.get_instance_migration": "a designer's move of a case to a version, without case data (test_*_migration)",
    "api.migrate_instance": "a designer's move of a case to a version, without case data (test_*_migration)",
    "api.list_notifications": "one's own notices; those about cases are hidden from them (tested below)",
    "notices.inbox": "the same, as a page", "api.mark_notification_read": "marking one's own notice",
    "notices.mark_read": "marking one's own notice",
    "notices.mark_all_read": "marking one's own notices; those about cases stay as they are (test_web_notices)",
    **{f"api.{name}": "the designer's own work on definitions (tests/api/test_api_designer_*)" for name in (
        "validate_definition", "get_process_draft", "save_process_draft", "discard_process_draft",
        "deploy_process_draft", "check_definition")},
}
NOT_CASE_BLUEPRINTS = {"auth": "signing in and one's account", "admin": "users and agencies",
                       "designer": "definitions", "designer_migration": "moving cases between versions, without "
                       "case data (tests/web/test_designer_migration.py)",
                       "designer_editor": "the designer's drafts (tests/web/test_designer_editor.py)",
                       "designer_check": "checking a draft by running it in a scratch database",
                       "designer_forms": "the designer's form editor", "designer_bundles": "diffs and bundle zips",
                       "ops": "health and readiness, no case data (tests/ops/test_health.py)",
                       "ops_metrics": "counts only, for loopback or a token (tests/ops/test_metrics.py)"}
# A valid body for each API action, so that the answer is about who asks, not about what they sent ("{key}" is
# the case's business key); uploads are multipart.
API_BODIES: dict[str, Any] = {
    "api.dispose_case": {"business_key": "{key}"},
    "api.start_instance": {"process_key": "cdop"}, "api.send_message": {"name": "scr_referral", "payload": {}},
    "api.assign_task": {"username": "pat"}, "api.save_draft": {"data": {}}, "api.complete_task": {"data": {}},
    "api.add_comment": {"body": "A comment"}, "api.chase_task": {"message": "Please"},
    "api.extend_deadline": {"due_at": "2027-06-01T17:00:00+00:00", "reason": "Awaiting records"},
}
DEFAULT_BODY = {"reason": "Inquest"}  # cancel, pause, resume, and holds
MULTIPART = {"api.upload_file"}
PDF = b"%PDF-1.4\n% a case document\n%%EOF\n"
PAGE_FORMS: dict[str, dict[str, str]] = {
    "instances.assign": {"username": "pat"}, "tasks.comment": {"body": "A comment"},
    "instances.extend": {"due-day": "1", "due-month": "6", "due-year": "2027", "reason": "Awaiting records"},
    "tasks.submit_task": {"_action": "save"}, "instances.chase": {"message": "Please"},
    "retention.dispose": {"business_key": "{key}"}, "retention.place_hold": {"reason": "Inquest", "kind": "inquest"},
}
REFUSED_PAGE_TITLES = ("You do not have permission to see this page", "Page not found")


def case_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every case route the app serves."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_CASE_ROUTES or rule.endpoint.split(".")[0] in NOT_CASE_BLUEPRINTS:
            continue
        found += [(rule.endpoint, method, rule.rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found)


def _path(rule: str, case) -> str:
    """The rule with real ids: the case, its police report, the process; any other id a made-up one."""
    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if "int" in converter:
            return "1"
        if "instance" in name:
            return case.instance_id
        if "task" in name:
            return case.reports["police"]
        if name == "key":
            return "cdop"
        return "00000000-0000-0000-0000-000000000000"
    return re.sub(r"<(?:([a-z]+):)?([a-z_]+)>", value, rule)


@pytest.fixture
def case(app, factory, partnership):
    deploy(factory, WORKFLOWS / "cdop", NOW)
    deploy(factory, WORKFLOWS / "scr", NOW)
    return cdop_to_agency_reports(factory, partnership["coordinator"], NOW)


def _clients(app, username, password=None):
    """An API client with its token headers, and a pages client signed in, for ``username``."""
    password = password or PASSWORDS[username]
    api = app.test_client()
    token = api.post(f"{API}/auth/token", json={"username": username, "password": password}).get_json()
    pages = app.test_client()
    assert pages.post("/sign-in", data={"username": username, "password": password}).status_code == 302
    return api, {"Authorization": f"Bearer {token['token']}"}, pages


def test_every_route_is_known(app):
    """The table covers the app: the case routes include the ones this test was written against."""
    endpoints = {endpoint for endpoint, _, _ in case_routes(app)}
    assert {"api.get_task", "api.list_instances", "api.cancel_instance", "instances.case", "dashboard.cases",
            "tasks.task_page", "start.start", "api.send_message", "api.list_instance_tasks", "api.download_file",
            "files.download", "api.place_hold", "api.dispose_case", "retention.access"} <= endpoints
    assert endpoints.isdisjoint(NOT_CASE_ROUTES)


@pytest.mark.parametrize("who", ["adam", "dee"])
def test_admins_and_designers_are_refused_every_case_route(app, db, case, who):
    api, headers, pages = _clients(app, who)
    before = snapshot(db)
    wrong = []
    for endpoint, method, rule in case_routes(app):
        path = _path(rule, case)
        if rule.startswith(API):
            response = _call_api(api, endpoint, method, path, headers, case)
            refused = response.status_code in (403, 404) and response.is_json and "error" in response.get_json()
        else:
            response = pages.open(path, method=method, data=_filled(PAGE_FORMS.get(endpoint, DEFAULT_BODY), case))
            page = response.get_data(as_text=True)
            refused = response.status_code in (403, 404) and any(t in page for t in REFUSED_PAGE_TITLES)
        body = response.get_data(as_text=True)
        if not refused or case.business_key in body:
            wrong.append(f"{method} {path} ({endpoint}): {response.status_code} {body[:120]!r}")
    assert wrong == []
    assert snapshot(db) == before  # nothing written: no case, task, comment, notice or audit row


def _call_api(api, endpoint: str, method: str, path: str, headers: dict[str, str], case) -> Any:
    if method != "POST":
        return api.open(path, method=method, headers=headers)
    if endpoint in MULTIPART:
        return api.post(path, headers=headers, data={"field": "report_document", "file": (io.BytesIO(PDF), "r.pdf")})
    return api.post(path, headers=headers, json=_filled(API_BODIES.get(endpoint, DEFAULT_BODY), case))


def _filled(body: dict[str, Any], case) -> dict[str, Any]:
    return {k: v.replace("{key}", case.business_key) if isinstance(v, str) else v for k, v in body.items()}


@pytest.mark.parametrize("who", ["adam", "dee"])
def test_home_sends_admins_and_designers_to_their_own_pages(app, case, who):
    _, _, pages = _clients(app, who)
    home = pages.get("/")
    assert home.status_code == 302 and home.location == {"adam": "/admin/", "dee": "/processes/"}[who]
    page = pages.get(home.location).get_data(as_text=True)
    assert 'href="/tasks"' not in page and 'href="/cases"' not in page and 'href="/start"' not in page


def test_designer_lists_running_cases_without_case_data(app, factory, case):
    api, headers, _ = _clients(app, "dee")
    response = api.get(f"{API}/process-definitions/cdop/instances", headers=headers)
    assert response.status_code == 200
    (item,) = response.get_json()["items"]
    assert item == {"id": case.instance_id, "process_key": "cdop", "version": 1, "business_key": case.business_key,
                    "status": "active", "current_steps": ["agency_report", "family_views"]}
    admin, admin_headers, _ = _clients(app, "adam")
    assert admin.get(f"{API}/process-definitions/cdop/instances", headers=admin_headers).status_code == 403


def test_notices_about_cases_are_hidden_from_admins(app, factory, case):
    """An administrator who was a coordinator once keeps no sight of the cases through old notices."""
    with transaction(factory) as s:
        outbox.enqueue(s, "new_task", [Recipient("adam", None, False)],
                       {"task_title": "Agency report", "business_key": case.business_key, "pseudonym": "Child A",
                        "case": case.business_key, "agency_name": None, "due_on": None, "days_left": None,
                        "days_left_text": "", "overdue_days": 0, "assignee": None, "link": "/tasks/x"},
                       key="old", task_id=case.reports["police"], instance_id=case.instance_id, now=NOW)
        assert s.scalar(select(Notification.id).where(Notification.recipient == "adam")) is not None
    api, headers, pages = _clients(app, "adam")
    assert api.get(f"{API}/notifications", headers=headers).get_json() == {"items": [], "total": 0}
    page = pages.get("/notifications").get_data(as_text=True)
    assert case.business_key not in page and "Notifications (1)" not in page


def test_tasks_and_escalations_never_go_to_admins_or_designers(app, factory, case, partnership):
    api, headers, _ = _clients(app, "cora")
    refused = api.post(f"{API}/tasks/{case.reports['police']}/assign", headers=headers, json={"username": "adam"})
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "username"
    with transaction(factory) as s:
        accounts.add_user(s, "ali", roles=["admin"], agency_key="police", password="admin-pass-22", actor=None,
                          now=NOW)
        accounts.set_senior_lead(s, "police", "ali", actor="adam", now=NOW)
        task = s.get_one(HumanTask, case.reports["police"])
        assert "ali" not in {r.username for r in for_escalation(s, task)}


def test_admin_who_is_also_coordinator_is_a_coordinator(app, factory, case):
    with transaction(factory) as s:
        accounts.add_user(s, "cody", roles=["admin", "coordinator"], password="coordinator-pass", actor=None,
                          now=NOW)
    api, headers, pages = _clients(app, "cody", "coordinator-pass")
    found = api.get(f"{API}/process-instances/{case.instance_id}", headers=headers)
    assert found.status_code == 200 and found.get_json()["data"]["agencies_involved"] == ["police", "csc"]
    assert api.get(f"{API}/tasks", headers=headers).get_json()["total"] >= 2
    assert pages.get(f"/cases/{case.instance_id}").status_code == 200
    chased = api.post(f"{API}/tasks/{case.reports['police']}/chase", headers=headers, json={})
    assert chased.status_code == 202
