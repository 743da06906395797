"""An action plan is one case on every page and list (issue 14): its monitored actions (parts, ``parent_id``) are
never rows of the dashboard, its CSV, a search or the API's list, whoever looks; a part's page and its tasks' pages
name the plan. A coordinator adds an action and changes an action's target date from pages (GOV.UK forms with an
error summary) and over the API (201 / 200, 422 naming the field, 409 on a closed plan, 403 for anyone else)."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from demo import form_data
from demo.action_plan import new_actions
from engine.cases import instances, timers
from engine.store.db import transaction
from engine.store.models import PlanAction, ProcessInstance
from engine.work import tasks
from tests.conftest import PASSWORDS
from tests.scenarios.scenarios_kit import PEOPLE

from .web_kit import WORKFLOWS, deploy, ready_task, text

VIEWERS = ["cora", "chad", "scot", "pat", "sam", "lena"]


@pytest.fixture
def plan(factory, partnership, now):
    """An agreed plan of three actions, whose first progress updates are ready (one for pat's agency)."""
    deploy(factory, WORKFLOWS / "action_plan", now)
    coordinator = partnership["coordinator"]
    with transaction(factory) as s:
        plan_id = instances.start_instance(s, "action_plan", actor=coordinator, now=now).id
    task_id = ready_task(factory, plan_id, "plan_form")
    with transaction(factory) as s:
        detail = tasks.task_detail(s, task_id, actor=coordinator, now=now)
        data = form_data("action_plan", "plan_form", detail.data, PEOPLE, now, doer="cora", actions=3)
        tasks.complete_task(s, task_id, data, actor=coordinator, now=now)
    timers.run_timer_sweep(factory, now + timedelta(days=29))
    return plan_id


class _Item:
    def __init__(self, row: ProcessInstance) -> None:
        self.id, self.business_key, self.title, self.data = row.id, row.business_key, row.title, dict(row.data)


def _items(factory) -> list[_Item]:
    with transaction(factory) as s:
        return [_Item(r) for r in s.scalars(select(ProcessInstance).where(ProcessInstance.parent_id.is_not(None)))]


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[username]})
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.mark.parametrize("who", VIEWERS)
def test_parts_never_appear_in_any_list(as_user, app, factory, plan, who):
    items = _items(factory)
    assert len(items) == 3
    user = as_user(who)
    for url in ("/cases?status=any", "/cases?status=active&overdue=yes", "/cases.csv?status=any",
                "/cases?agency=police", "/returns.csv", "/"):
        page = text(user.get(url))
        assert not any(i.id in page or i.business_key in page for i in items if url != "/"), url
    for item in items:  # searched by its own reference or its title: still not a case of its own
        assert item.id not in text(user.get("/cases", query_string={"q": item.business_key}))
        assert item.id not in text(user.get("/cases", query_string={"q": item.title[:20]}))
    api = app.test_client()
    headers = _token(api, who)
    for query in ({}, {"q": items[0].business_key}, {"process_key": "action_plan"}, {"status": "active"}):
        listed = api.get("/api/v1/process-instances", query_string=query, headers=headers).json
        assert not {i["id"] for i in listed["items"]} & {i.id for i in items}
    exported = api.get("/api/v1/process-instances?format=csv", headers=headers).get_data(as_text=True)
    assert not any(i.id in exported for i in items)


def test_the_plan_is_one_row_counting_its_actions_and_returns_leave_parts_out(as_user, factory, plan):
    page = text(as_user("cora").get("/cases"))
    assert plan in page and "3 actions, 3 overdue" not in page and "3 actions" in page
    rows = list(csv.DictReader(io.StringIO(as_user("cora").get("/cases.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["Open actions"] for r in rows] == ["3"]
    returns = as_user("cora").get("/returns.csv").get_data(as_text=True)
    assert returns.strip().splitlines()[1:] == []  # the only open agency tasks are the actions' updates


def test_a_part_and_its_tasks_name_the_plan(as_user, factory, plan):
    item = next(i for i in _items(factory) if i.data["action_agency"] == "police")
    page = text(as_user("cora").get(f"/cases/{item.id}"))
    assert 'id="part-of"' in page and f'href="/cases/{plan}"' in page and "Action plan:" in page
    task_id = ready_task(factory, item.id, "progress_update")
    task_page = text(as_user("pat").get(f"/tasks/{task_id}"))  # the owner's agency: names the plan, no link to it
    assert "Action plan:" in task_page and f'href="/cases/{plan}"' not in task_page
    assert f'href="/cases/{plan}"' in text(as_user("cora").get(f"/tasks/{task_id}"))


def test_add_an_action_page(as_user, factory, plan):
    cora = as_user("cora")
    page = text(cora.get(f"/cases/{plan}/actions/add"))
    assert "Add an action" in page and "Target date" in page
    refused = cora.post(f"/cases/{plan}/actions/add", data={"recommendation": "R9", "action": "Do", "owner": "",
                                                            "due-day": "31", "due-month": "2", "due-year": "2030"})
    assert refused.status_code == 422
    body = text(refused)
    assert "There is a problem" in body and 'href="#owner"' in body and 'href="#due-day"' in body
    assert 'href="#action"' in body and "None" not in body
    good = new_actions(PEOPLE, date(2026, 12, 1))[0]
    due = date.fromisoformat(good["due_date"])
    done = cora.post(f"/cases/{plan}/actions/add", data={**good, "due-day": due.day, "due-month": due.month,
                                                         "due-year": due.year}, follow_redirects=True)
    assert done.status_code == 200 and "The action has been added to the plan" in text(done)
    with transaction(factory) as s:
        assert s.scalar(select(func.count()).select_from(PlanAction).where(PlanAction.plan_id == plan)) == 4
    assert as_user("pat").get(f"/cases/{plan}/actions/add").status_code == 403


def test_change_the_due_date_page(as_user, factory, plan):
    key = _items(factory)[0].business_key
    cora = as_user("cora")
    page = text(cora.get(f"/actions/{key}/replan"))
    assert "Change the target date" in page and "Times re-planned" in page
    refused = cora.post(f"/actions/{key}/replan", data={"due-day": "40", "due-month": "1", "due-year": "2030",
                                                        "reason": "short"})
    assert refused.status_code == 422
    assert 'href="#due-day"' in text(refused) and 'href="#reason"' in text(refused)
    done = cora.post(f"/actions/{key}/replan", data={"due-day": "1", "due-month": "3", "due-year": "2030",
                                                     "reason": "The new practice lead starts in January."},
                     follow_redirects=True)
    assert "The target date of action" in text(done)
    with transaction(factory) as s:
        row = s.scalar(select(PlanAction).where(PlanAction.action_key == key))
        assert (row.due_date, row.replans) == (date(2030, 3, 1), 1)
    assert as_user("chad").get(f"/actions/{key}/replan").status_code == 403
    assert cora.get("/actions/AP-NONE/replan").status_code == 404


def test_plan_changes_api(app, factory, plan):
    api = app.test_client()
    cora, pat = _token(api, "cora"), _token(api, "pat")
    good = new_actions(PEOPLE, date(2026, 12, 1), 2)
    added = api.post(f"/api/v1/process-instances/{plan}/actions", json={"actions": good}, headers=cora)
    assert added.status_code == 201 and added.json["instance_id"] == plan
    assert [k[-2:] for k in added.json["action_keys"]] == ["04", "05"]
    bad = api.post(f"/api/v1/process-instances/{plan}/actions", json={"actions": [{**good[0], "owner": "nobody"}]},
                   headers=cora)
    assert bad.status_code == 422 and "actions[0].owner" in [d["field"] for d in bad.json["error"]["details"]]
    assert api.post(f"/api/v1/process-instances/{plan}/actions", json={"actions": good}, headers=pat).status_code == 403
    assert api.post("/api/v1/process-instances/nope/actions", json={"actions": good}, headers=cora).status_code == 404
    key = added.json["action_keys"][0]
    replanned = api.post(f"/api/v1/actions/{key}/replan", json={"due_date": "2030-06-30",
                                                                "reason": "Agreed at the board meeting."}, headers=cora)
    assert replanned.status_code == 200
    assert (replanned.json["due_date"], replanned.json["replans"], replanned.json["instance_id"]) == \
        ("2030-06-30", 1, plan)
    missing = api.post(f"/api/v1/actions/{key}/replan", json={"due_date": "2030-06-30"}, headers=cora)
    assert missing.status_code == 422 and missing.json["error"]["details"][0]["field"] == "reason"
    spec = api.get("/api/v1/openapi.json").json
    assert "/process-instances/{id}/actions" in spec["paths"] and "/actions/{key}/replan" in spec["paths"]
    with transaction(factory) as s:
        instances.cancel_instance(s, plan, "Superseded by the new plan.", actor=PEOPLE.actor("cora"), now=_now())
    closed = api.post(f"/api/v1/process-instances/{plan}/actions", json={"actions": good}, headers=cora)
    assert closed.status_code == 409


def _now():
    from engine import clock
    return clock.now()
