"""Item 11: a CR/LF in a pseudonym made that case's e-mails undeliverable forever.

Reproduction: a task form's ``pseudonym`` completed as ``"Child A\\r\\nBcc: someone@example.com"``; every e-mail
about the case then failed to build (``Header values may not contain linefeed or carriage return characters``)
on every attempt. Single-line fields, in the API's bodies, the page forms and task forms, refuse every control
character; multi-line ones (comments, reasons, chasers, textareas) keep line breaks and tabs only; and e-mail
headers are made one line whatever a row holds, so no outbox row can fail to build.
"""
from __future__ import annotations

import json

import pytest

from engine.store.models import Notification
from notifications.channels import build_message
from notifications.compose import render
from tests.api.api_kit import bundle_files, check_error

API = "/api/v1"
TASK = "00000000-0000-0000-0000-000000000000"
CONTROLS = ["\r\n", "\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028"]
MULTI_LINE_BAD = ["\x00", "\x07", "\x1b", "\x0b", "\x85", "\u2029"]

# (path, the body with X where the value goes, the field reported, who sends it)
SINGLE_LINE = [
    ("/auth/token", {"username": "X", "password": "p"}, "username", None),
    ("/process-instances", {"process_key": "simple_review", "business_key": "X"}, "business_key", "cora"),
    ("/process-instances", {"process_key": "X"}, "process_key", "cora"),
    (f"/tasks/{TASK}/assign", {"username": "X"}, "username", "cora"),
    ("/messages", {"name": "X"}, "name", "cora"),
    ("/messages", {"name": "m", "correlation": {"X": 1}}, "correlation", "cora"),
    ("/process-definitions", {"key": "X", "files": {"a.bpmn": "<x/>"}}, "key", "dee"),
    ("/process-definitions", {"key": "k", "files": {"X": "<x/>"}}, "files", "dee"),
]
MULTI_LINE = [
    (f"/tasks/{TASK}/comments", {"body": "X"}, "body"),
    (f"/tasks/{TASK}/extend", {"due_at": "2027-01-01T00:00:00Z", "reason": "X"}, "reason"),
    (f"/tasks/{TASK}/chase", {"message": "X"}, "message"),
    (f"/process-instances/{TASK}/cancel", {"reason": "X"}, "reason"),
    (f"/process-instances/{TASK}/pause", {"reason": "X"}, "reason"),
]


def _with(body, value):
    return json.loads(json.dumps(body).replace("X", json.dumps(value)[1:-1]))


@pytest.mark.parametrize("control", CONTROLS)
def test_every_single_line_api_field_refuses_control_characters(client, auth, control):
    for path, body, field, who in SINGLE_LINE:
        r = client.post(API + path, json=_with(body, f"a{control}b"), headers=auth(who) if who else {})
        if control == "\x00":  # the request's JSON parser refuses NUL anywhere (see test_bad_input)
            check_error(r, 400, "bad_request")
            continue
        error = check_error(r, 422, "invalid")
        [detail] = error["details"]
        assert detail["field"].split(".")[0] == field, path  # a dictionary's bad key is named after its field


@pytest.mark.parametrize("bad", MULTI_LINE_BAD)
def test_multi_line_api_fields_keep_line_breaks_and_tabs_only(client, auth, bad):
    for path, body, field in MULTI_LINE:
        r = client.post(API + path, json=_with(body, f"line one{bad}"), headers=auth("cora"))
        if bad == "\x00":
            check_error(r, 400, "bad_request")
        else:
            error = check_error(r, 422, "invalid")
            assert [d["field"] for d in error["details"]] == [field], path
        fine = client.post(API + path, json=_with(body, "line one\r\nline two\n\tindented"), headers=auth("cora"))
        assert fine.status_code == 404, (path, fine.json)  # accepted as text; the task does not exist


# a form with a single-line field (pseudonym), a textarea (notes) and a nested single-line field
FORM = {"type": "object", "required": ["summary", "agency"], "properties": {
    "summary": {"type": "string"}, "agency": {"type": "string"}, "pseudonym": {"type": "string"},
    "notes": {"type": "string"},
    "people": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}
UI = {"notes": {"ui:widget": "textarea"}}


@pytest.fixture
def form_task(api):
    files = bundle_files("simple_review")
    files["submit-schema.json"] = json.dumps(FORM)
    files["submit-uischema.json"] = json.dumps(UI)
    files["simple_review.bpmn"] = files["simple_review.bpmn"].replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="submit-schema.json"/>',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="submit-schema.json"/>'
        '<spiffworkflow:property name="formUiSchemaFilename" value="submit-uischema.json"/>')
    api.deploy("simple_review", files=files)
    instance = api.start("simple_review")
    return instance["id"], api.ready(instance, "submit")[0]["id"]


FILLED = {"summary": "fine", "agency": "police", "pseudonym": "Child A", "notes": "one\ntwo", "people": [{"name": "a"}]}


@pytest.mark.parametrize("control", CONTROLS)
def test_task_form_single_line_fields_refuse_control_characters_and_textareas_keep_line_breaks(api, form_task,
                                                                                                 control):
    instance_id, task = form_task
    for field, value in [("pseudonym", f"Child A{control}Bcc: x@example.com"), ("summary", f"a{control}b"),
                         ("people", [{"name": f"a{control}b"}])]:
        r = api.post(f"/tasks/{task}/complete", "pat", {"data": {**FILLED, field: value}})
        if control == "\x00":
            check_error(r, 400, "bad_request")
            continue
        error = check_error(r, 422, "invalid")
        assert [d["field"] for d in error["details"]] == [field if field != "people" else "people[0].name"]
    if control in ("\r\n", "\n", "\r", "\t"):
        api.complete(task, {**FILLED, "notes": f"one{control}two"}, "pat")
    elif control != "\x00":
        error = check_error(api.post(f"/tasks/{task}/complete", "pat", {"data": {**FILLED, "notes": f"a{control}"}}),
                            422, "invalid")
        assert [d["field"] for d in error["details"]] == ["notes"]


def test_task_form_on_the_page_refuses_a_line_break_in_a_single_line_field(api, pages, form_task):
    instance_id, task = form_task
    page = pages("pat")
    r = page.post(f"/tasks/{task}", data={"_action": "complete", "summary": "fine", "agency": "police",
                                          "pseudonym": "Child A\r\nBcc: x@example.com", "notes": "one\r\ntwo"})
    assert r.status_code == 422 and "must be one line" in r.get_data(as_text=True)
    assert api.instance(instance_id)["pseudonym"] is None


def test_a_pseudonym_set_by_other_means_is_stored_as_one_line(api):
    api.deploy("simple_review")
    instance = api.start("simple_review", {"pseudonym": "Child A\r\nBcc: x@example.com", "case_title": "T\x1b\nX"})
    assert instance["pseudonym"] == "Child A Bcc: x@example.com"
    assert instance["title"] == "T X"


PAGE_SINGLE_LINE = [("/admin/users", {"username": "X", "full_name": "n", "roles": "coordinator"}),
                    ("/admin/users", {"username": "newbie", "full_name": "X", "roles": "coordinator"}),
                    ("/admin/users", {"username": "newbie", "full_name": "n", "email": "X", "roles": "coordinator"}),
                    ("/admin/agencies", {"key": "X", "name": "n"}), ("/admin/agencies", {"key": "k", "name": "X"}),
                    (f"/tasks/{TASK}/assign", {"username": "X"}), ("/processes/", {"key": "X"})]
PAGE_MULTI_LINE = [(f"/tasks/{TASK}/comments", {"body": "X"}), (f"/cases/{TASK}/cancel", {"reason": "X"}),
                   (f"/tasks/{TASK}/chase", {"message": "X"})]


@pytest.mark.parametrize("control", CONTROLS)
def test_page_forms_refuse_control_characters_in_single_line_fields(pages, control):
    page = pages("adam")
    for path, form in PAGE_SINGLE_LINE:
        r = page.post(path, data={k: v.replace("X", f"a{control}b") for k, v in form.items()})
        assert r.status_code == 400 and "without control characters" in r.get_data(as_text=True), (path, r.status)


@pytest.mark.parametrize("bad", MULTI_LINE_BAD)
def test_page_forms_keep_line_breaks_and_tabs_only_in_multi_line_fields(pages, bad):
    page = pages("cora")
    for path, form in PAGE_MULTI_LINE:
        r = page.post(path, data={k: v.replace("X", f"a{bad}b") for k, v in form.items()})
        assert r.status_code == 400, (path, r.status)
        fine = page.post(path, data={k: v.replace("X", "a\r\n\tb") for k, v in form.items()})
        assert fine.status_code == 404, (path, fine.status)  # accepted as text; the task does not exist


def _row(**values):
    base = dict(id=1, idempotency_key="k", kind="new_task", channel="email", recipient="pat",
                address="pat@example.com", subject="A task", body="Hello", body_html=None)
    return Notification(**{**base, **values})


@pytest.mark.parametrize("control", CONTROLS)
def test_an_e_mail_builds_whatever_control_characters_its_row_holds(control):
    row = _row(subject=f"Task for Child A{control}Bcc: x@example.com", address=f"pat@example.com{control}")
    message = bytes(build_message(row, f"lif@example.com{control}Bcc: y@example.com"))
    headers = message.split(b"\n\n", 1)[0].decode()
    assert "\nBcc:" not in headers and "Bcc: x@example.com" in headers.replace("\n ", " ")
    assert "Subject: Task for Child A Bcc: x@example.com" in headers.replace("\n ", " ")


def test_subjects_are_composed_on_one_line():
    context = {"task_title": "Report\r\nBcc: x@example.com", "case": "SCR-1, Child\nA", "assignee": None,
               "link": "http://x", "due_on": None, "days_left_text": "today", "instructions": None,
               "pseudonym": None, "agency_name": None, "overdue_days": 0, "message": None, "sender": "cora",
               "business_key": "SCR-1"}
    assert render("chaser", context).subject == "Chaser: Report Bcc: x@example.com (SCR-1, Child A)"
