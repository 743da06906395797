"""The views where case data leaves the engine besides a task: search and CSV export (the case header of visible
cases only), the timeline (a participant sees the steps, not the engine's messages or a chaser's words), comments
(a step's comments by who may see the step; comments on the whole case by coordinators, chairs and the author),
a case stopped by an error (where, not the message), and the instance of a case as each role reads it."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.reads import comments as case_comments
from engine.reads import timeline
from engine.store import audit
from engine.store.db import transaction
from engine.store.models import Comment, Notification, ProcessInstance
from engine.work import tasks
from notifications import sweep
from notifications.outbox import send_chaser
from tests.conftest import NOW, PASSWORDS
from tests.web.web_kit import WORKFLOWS, cdop_to_agency_reports, deploy

API = "/api/v1"


@pytest.fixture
def case(app, factory, partnership):
    deploy(factory, WORKFLOWS / "cdop", NOW)
    return cdop_to_agency_reports(factory, partnership["coordinator"], NOW)


@pytest.fixture
def api(app):
    client, tokens = app.test_client(), {}

    def get(who, path, **query):
        if who not in tokens:
            answer = client.post(f"{API}/auth/token", json={"username": who, "password": PASSWORDS[who]})
            tokens[who] = {"Authorization": f"Bearer {answer.get_json()['token']}"}
        return client.get(API + path, headers=tokens[who], query_string=query)
    return get


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_search_matches_the_header_of_visible_cases_only(api, case):
    for words in (case.business_key, "child a", "CDOP CDOP-123"):  # business key, pseudonym, title (any case)
        assert _ids(api("cora", "/process-instances", q=words)) == [case.instance_id], words
    for words in ("Sudden collapse", "hospital", "2020-05-01", "%", "_"):  # case data, and LIKE's wildcards
        assert _ids(api("cora", "/process-instances", q=words)) == [], words
    assert _ids(api("pat", "/process-instances", q="Child A")) == [case.instance_id]  # takes part
    assert _ids(api("hana", "/process-instances", q="Child A")) == []  # takes no part
    assert api("cora", "/process-instances", q="x" * 201).status_code == 400


def test_csv_export_holds_the_rows_of_the_list_and_no_case_data(api, app, factory, case):
    with transaction(factory) as s:
        s.get_one(ProcessInstance, case.instance_id).title = "=HYPERLINK(\"http://evil\")"
    listed = api("cora", "/process-instances").get_json()["items"]
    exported = api("cora", "/process-instances", format="csv")
    assert exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["id"] for r in rows] == [i["id"] for i in listed]
    assert rows[0]["business_key"] == case.business_key and rows[0]["pseudonym"] == "Child A"
    assert rows[0]["title"].startswith("'=")  # a spreadsheet shows the formula as text instead of running it
    assert "Sudden collapse" not in exported.get_data(as_text=True)
    assert api("hana", "/process-instances", format="csv").get_data(as_text=True).count("\n") == 1  # header only
    assert api("cora", "/process-instances", format="xml").status_code == 400


def test_instance_tasks_are_those_the_viewer_may_see(api, case):
    everyone = _ids(api("cora", f"/process-instances/{case.instance_id}/tasks"))
    police = _ids(api("pat", f"/process-instances/{case.instance_id}/tasks"))
    assert case.reports["police"] in police and case.reports["csc"] not in police
    assert set(police) < set(everyone) and case.reports["csc"] in everyone
    done = _ids(api("cora", f"/process-instances/{case.instance_id}/tasks", state="completed"))
    assert len(done) == 2 and set(done) < set(everyone) and set(done).isdisjoint(case.reports.values())
    assert api("hana", f"/process-instances/{case.instance_id}/tasks").status_code == 404


def test_participants_timeline_shows_their_steps_without_engine_messages(app, factory, case, partnership):
    """Police see the case-level events and their own step's, with a chaser sent to them; not the chaser sent to
    children's social care, nor the engine's message when a step failed (it can quote the case's data)."""
    with transaction(factory) as s:
        for agency, words in (("police", "Please send the chronology"), ("csc", "Ring me about the bruising")):
            send_chaser(s, case.reports[agency], words, actor=partnership["coordinator"], now=NOW,
                        base_url="http://x")
        audit.record(s, "instance.error", actor=None, now=NOW, instance_id=case.instance_id, task_id=None,
                     message="KeyError: 'Bruising on the arm'", task_name="Collate")
    with transaction(factory) as s:
        mine = timeline.timeline(s, case.instance_id, partnership["police"])
        whole = timeline.timeline(s, case.instance_id, partnership["coordinator"])
    assert sorted(e.note for e in whole if e.action == "task.chased") == ["Please send the chronology",
                                                                          "Ring me about the bruising"]
    assert [e.note for e in mine if e.action == "task.chased"] == ["Please send the chronology"]
    assert [e.details for e in whole if e.action == "instance.error"][0]["message"].startswith("KeyError")
    assert [e.details for e in mine if e.action == "instance.error"] == [{}]
    assert all(set(e.details) <= timeline.PARTICIPANT_DETAILS for e in mine)
    assert {e.task_id for e in mine if e.task_id} == {case.reports["police"]}  # not csc's, nor the coordinator's
    pages = app.test_client()
    pages.post("/sign-in", data={"username": "pat", "password": PASSWORDS["pat"]})
    page = pages.get(f"/cases/{case.instance_id}").get_data(as_text=True)
    assert "Please send the chronology" in page and "ruising" not in page


def test_comments_follow_the_step_and_case_comments_stay_with_coordinators(app, factory, case, partnership):
    with transaction(factory) as s:
        tasks.add_comment(s, case.reports["police"], "Police: records held at HQ", actor=partnership["police"],
                          now=NOW)
        tasks.add_comment(s, case.reports["csc"], "CSC: two files", actor=partnership["csc"], now=NOW)
        s.add(Comment(instance_id=case.instance_id, task_id=None, author="chad", body="Chair: note on the case",
                      created_at=NOW))
    with transaction(factory) as s:
        seen = {who: [c.body for c in case_comments.case_comments(s, case.instance_id, partnership[who])]
                for who in ("police", "csc", "coordinator", "chair")}
    assert seen["police"] == ["Police: records held at HQ"]
    assert seen["csc"] == ["CSC: two files"]
    assert seen["coordinator"] == seen["chair"] == ["Police: records held at HQ", "CSC: two files",
                                                     "Chair: note on the case"]
    pages = app.test_client()
    pages.post("/sign-in", data={"username": "sam", "password": PASSWORDS["sam"]})
    page = pages.get(f"/cases/{case.instance_id}").get_data(as_text=True)
    assert "CSC: two files" in page and "Police:" not in page and "Chair:" not in page


def test_a_case_in_error_tells_participants_where_not_why(app, factory, case, partnership, api):
    with transaction(factory) as s:
        row = s.get_one(ProcessInstance, case.instance_id)
        row.status, row.error = "error", {"task_name": "Collate", "message": "KeyError: 'Bruising on the arm'",
                                          "line": 3}
    assert "Bruising" not in api("pat", f"/process-instances/{case.instance_id}").get_data(as_text=True)
    assert api("cora", f"/process-instances/{case.instance_id}").get_json()["error"]["message"].startswith("KeyError")


def test_notices_and_emails_name_the_case_by_business_key_and_pseudonym_only(app, factory, case, partnership):
    """Every kind the scheduler and the coordinator send: new task, chaser, reminder, overdue, escalation (and
    the digest of them), in app and by e-mail. The case's title and its data never appear in them."""
    with transaction(factory) as s:
        send_chaser(s, case.reports["csc"], None, actor=partnership["coordinator"], now=NOW, base_url="http://x")
        title = s.get_one(ProcessInstance, case.instance_id).title
    config = app.extensions["lif"].config
    for days in range(0, 70, 3):  # past every rung of the ladder, with the daily digest on the way
        sweep.sweep(factory, config, NOW + timedelta(days=days))
    with transaction(factory) as s:
        rows = list(s.scalars(select(Notification)))
    assert {"new_task", "chaser", "reminder", "overdue", "escalation"} <= {r.kind for r in rows}
    assert {"inapp", "email"} <= {r.channel for r in rows}
    for row in rows:
        sent = "\n".join((row.subject, row.body, row.body_html or ""))
        assert case.business_key in sent or row.kind == "digest", row.subject
        for secret in (title, "CDOP-123", "Sudden collapse", "2020-05-01"):  # the title, and the case's data
            assert secret not in sent, (row.kind, row.channel, secret)
