"""The form editor's page and its JSON calls: the page opens a form of the draft (or a new, empty pair, written
only on save), the preview draws every shipped form with the task page's renderer, a save writes both files into
the draft (409 when stale, naming who saved; 422 when the schema is not a JSON Schema; 400 for what is not JSON),
and only designers and admins may use any of it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bundles.parsing import read_bundle_dir
from engine.designer import drafts, forms_template
from engine.sandbox import templates
from engine.store.db import transaction
from tests.conftest import NOW

from .web_kit import WORKFLOWS, sign_in

FORMS = sorted(WORKFLOWS.glob("*/*-schema.json"))
BASE = "/processes/action_plan/forms"


def files_of(factory):
    with transaction(factory) as s:
        return drafts.open_draft(s, "action_plan")


@pytest.fixture
def drafted(factory):
    """The shipped action plan saved as a draft (revision 1) by dee."""
    with transaction(factory) as s:
        drafts.save_draft(s, "action_plan", read_bundle_dir(WORKFLOWS / "action_plan"), revision=0, actor="dee",
                          now=NOW)


@pytest.fixture
def designer(app):
    client = app.test_client()
    sign_in(client, "dee")
    return client


def state_of(html: str) -> dict:
    start = html.index('<script type="application/json" id="fe-state">') + len(
        '<script type="application/json" id="fe-state">')
    return json.loads(html[start:html.index("</script>", start)])


def test_the_page_shows_a_drafted_form_its_fields_and_its_preview(designer, drafted):
    r = designer.get(f"{BASE}/progress-update-schema.json")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    state = state_of(html)
    assert state["revision"] == 1 and state["exists"] is True
    assert [f["name"] for f in state["fields"]][:3] == ["progress_status", "rag", "progress_note"]
    assert 'name="progress_status"' in html  # the preview: the task page's radios
    assert "Back to the diagram editor" in html and "/processes/action_plan/edit" in html
    assert "You need JavaScript turned on" in html


def test_a_form_not_in_the_draft_opens_empty_and_is_written_only_on_save(designer, factory, drafted):
    r = designer.get(f"{BASE}/new-step-schema.json")
    assert r.status_code == 200
    state = state_of(r.get_data(as_text=True))
    assert state["exists"] is False and state["fields"] == [] and state["schema"]["properties"] == {}
    assert "new-step-schema.json" not in files_of(factory).files
    field = {"name": "reason", "type": "text", "label": "Reason", "hint": "Why", "required": True}
    saved = designer.put(f"{BASE}/new-step-schema.json", json={"schema": state["schema"], "ui_schema":
                         state["ui_schema"], "fields": [field], "revision": 1})
    assert saved.status_code == 200, saved.json
    files = files_of(factory).files
    schema, ui = json.loads(files["new-step-schema.json"]), json.loads(files["new-step-uischema.json"])
    assert schema["properties"]["reason"] == {"type": "string", "title": "Reason", "description": "Why"}
    assert schema["required"] == ["reason"] and ui["ui:order"] == ["reason"]


def form_pair(path: Path):
    ui = path.with_name(path.name.replace("-schema.json", "-uischema.json"))
    lifted = forms_template.lift(path.read_text()), forms_template.lift(ui.read_text())
    texts = path.read_text(), ui.read_text()
    return [lifted[i] if lifted[i] is not None else texts[i] for i in (0, 1)]


@pytest.mark.slow  # make test-ci: the fast suite keeps within 4 minutes
def test_a_preview_of_every_shipped_form_draws_without_error(designer):
    templates.render("{{ 1 }}", {}, timeout_s=30)  # the sandbox's workers started, not timed as the first form
    for path in FORMS:
        schema, ui = form_pair(path)
        r = designer.post(f"{BASE}/preview", json={"schema": schema, "ui_schema": ui})
        assert r.status_code == 200, (path.name, r.json)
        assert "govuk-form-group" in r.json["html"], path.name
        assert "cannot be shown" not in r.json["html"], (path.name, r.json["html"])


def test_a_preview_with_fields_writes_them_and_draws_them(designer):
    field = {"name": "colour", "type": "choice", "label": "Colour", "required": True,
             "choices": [{"value": "red", "label": "Red"}, {"value": "blue", "label": "Blue"}]}
    r = designer.post(f"{BASE}/preview", json={"schema": {"type": "object", "properties": {}}, "ui_schema": {},
                                                "fields": [field]})
    assert r.status_code == 200
    assert r.json["schema"]["properties"]["colour"]["enum"] == ["red", "blue"]
    assert 'value="blue"' in r.json["html"] and "Colour" in r.json["html"]
    assert r.json["fields"][0]["label"] == "Colour"


def test_a_preview_of_what_is_not_a_json_schema_says_why(designer):
    r = designer.post(f"{BASE}/preview", json={"schema": {"type": "object", "properties": {"a": {"type": 5}}},
                                                "ui_schema": {}})
    assert r.status_code == 200 and "cannot be shown" in r.json["html"] and "not a valid JSON Schema" in r.json["html"]


def test_a_stale_save_is_409_naming_who_saved_and_changes_nothing(designer, factory, drafted):
    state = state_of(designer.get(f"{BASE}/sign-off-schema.json").get_data(as_text=True))
    before = files_of(factory)
    r = designer.put(f"{BASE}/sign-off-schema.json", json={"schema": state["schema"], "ui_schema":
                     state["ui_schema"], "revision": 0})
    assert r.status_code == 409
    details = r.json["error"]["details"]
    assert details["updated_by"] == "dee" and details["updated_by_name"] and details["revision"] == 1
    assert details["updated_at_words"].endswith(("am", "pm")) and " 2026 at " in details["updated_at_words"]
    assert files_of(factory) == before


BAD_SAVES = [  # (body, status)
    ({"schema": {"type": "object", "properties": {"a": {"type": "text"}}}, "ui_schema": {}, "revision": 1}, 422),
    ({"schema": {"type": "object", "properties": {}}, "ui_schema": {},
      "fields": [{"name": "not a name", "type": "text"}], "revision": 1}, 422),
    ({"schema": "{not json", "ui_schema": {}, "revision": 1}, 422),
    ({"schema": {"type": "object"}, "ui_schema": "[1]", "revision": 1}, 422),
    ({"schema": {"type": "object"}, "ui_schema": {}}, 400),
    ({"schema": {"type": "object"}, "ui_schema": {}, "revision": True}, 400),
    ({"schema": [1], "ui_schema": {}, "revision": 1}, 400),
    ({"schema": {"type": "object"}, "ui_schema": {}, "fields": "x", "revision": 1}, 400),
]


def test_a_bad_save_is_refused_and_changes_nothing(designer, factory, drafted):
    before = files_of(factory)
    for body, status in BAD_SAVES:
        r = designer.put(f"{BASE}/sign-off-schema.json", json=body)
        assert r.status_code == status, (body, r.json)
        assert r.json["error"]["message"]
        if status == 422:
            assert all(d["message"] for d in r.json["error"]["details"])
    assert files_of(factory) == before


def test_what_is_not_json_is_400(designer, drafted):
    for method in ("put", "post"):
        url = f"{BASE}/sign-off-schema.json" if method == "put" else f"{BASE}/preview"
        r = getattr(designer, method)(url, data="{not json", content_type="application/json")
        assert r.status_code == 400 and r.json["error"]["code"]


@pytest.mark.slow  # make test-ci: the fast suite keeps within 4 minutes
def test_a_save_writes_both_files_and_keeps_the_rest_of_the_draft(designer, factory, drafted):
    state = state_of(designer.get(f"{BASE}/progress-update-schema.json").get_data(as_text=True))
    before = files_of(factory).files
    fields = state["fields"] + [{"name": "next_step", "type": "text", "label": "Next step", "hint": "Who does what"}]
    r = designer.put(f"{BASE}/progress-update-schema.json", json={"schema": state["schema"], "ui_schema":
                     state["ui_schema"], "fields": fields, "revision": 1})
    assert r.status_code == 200 and r.json["revision"] == 2 and r.json["problems"] == []
    after = files_of(factory).files
    assert {n for n in after if after[n] != before[n]} == {"progress-update-schema.json",
                                                           "progress-update-uischema.json"}
    assert json.loads(after["progress-update-schema.json"])["properties"]["next_step"]["title"] == "Next step"
    assert json.loads(after["progress-update-uischema.json"])["ui:order"][-1] == "next_step"


@pytest.mark.slow  # make test-ci: the fast suite keeps within 4 minutes
def test_a_form_saved_unchanged_is_the_same_text_keys_in_their_order(designer, factory, drafted):
    for name in ("progress-update", "board-challenge"):
        state = state_of(designer.get(f"{BASE}/{name}-schema.json").get_data(as_text=True))
        r = designer.put(f"{BASE}/{name}-schema.json", json={"schema": state["schema"], "ui_schema":
                         state["ui_schema"], "fields": state["fields"], "revision": files_of(factory).revision})
        assert r.status_code == 200
        assert list(json.loads(r.get_data(as_text=True))["schema"]["properties"]) == \
            list(state["schema"]["properties"])
        for suffix in ("-schema.json", "-uischema.json"):
            shipped = (WORKFLOWS / "action_plan" / f"{name}{suffix}").read_text()
            assert files_of(factory).files[f"{name}{suffix}"] == shipped


def test_a_templated_form_saves_with_its_expressions(designer, factory, drafted):
    state = state_of(designer.get(f"{BASE}/plan-schema.json").get_data(as_text=True))
    assert state["fields"] is not None
    r = designer.put(f"{BASE}/plan-schema.json", json={"schema": state["schema"], "ui_schema": state["ui_schema"],
                                                        "fields": state["fields"], "revision": 1})
    assert r.status_code == 200
    text = files_of(factory).files["plan-schema.json"]
    assert '"enum": {{ agency_keys | tojson }}' in text
    shipped = (WORKFLOWS / "action_plan" / "plan-schema.json").read_text()
    assert forms_template.lift(text) == forms_template.lift(shipped)


@pytest.mark.slow
def test_a_template_with_statements_is_edited_as_text(app, factory):
    with transaction(factory) as s:
        drafts.save_draft(s, "section11", read_bundle_dir(WORKFLOWS / "section11"), revision=0, actor="dee", now=NOW)
    client = app.test_client()
    sign_in(client, "dee")
    r = client.get("/processes/section11/forms/s11-return-schema.json")
    state = state_of(r.get_data(as_text=True))
    assert state["fields"] is None and isinstance(state["schema"], str) and "Raw JSON tab" in r.get_data(as_text=True)
    text = state["schema"].replace('"title"', '"title"', 1)
    saved = client.put("/processes/section11/forms/s11-return-schema.json",
                       json={"schema": text, "ui_schema": state["ui_schema"], "revision": 1})
    assert saved.status_code == 200, saved.json


def test_only_designers_and_admins_may_use_the_form_editor(app, factory, drafted):
    body = {"schema": {"type": "object"}, "ui_schema": {}, "revision": 1}
    before = files_of(factory)
    for username in ("cora", "chad", "pat", "lena", "scot"):  # every other role
        client = app.test_client()
        sign_in(client, username)
        assert client.get(f"{BASE}/sign-off-schema.json").status_code == 403
        assert client.post(f"{BASE}/preview", json=body).status_code == 403
        r = client.put(f"{BASE}/sign-off-schema.json", json=body)
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    assert files_of(factory) == before
    client = app.test_client()
    sign_in(client, "adam")
    assert client.get(f"{BASE}/sign-off-schema.json").status_code == 200


def test_a_name_that_is_not_a_schema_file_is_404(designer):
    for name in ("sign-off.json", "..%2Fx-schema.json", "-schema.json", "a b-schema.json", "x-uischema.json"):
        assert designer.get(f"{BASE}/{name}").status_code == 404, name


def test_the_page_needs_a_signed_in_user(client):
    r = client.get(f"{BASE}/sign-off-schema.json")
    assert r.status_code == 302 and "sign-in" in r.headers["Location"]


ODD = [({"ui:order": [["a"]]}, 5), ({"ui:order": [5, "*"]}, [["a"]]), ({"ui:order": [{}, "*", ["a"]]}, "a"),
       ({"ui:order": 5}, None)]  # (UI schema, required): lists that are not lists of names


def test_a_form_with_odd_lists_previews_and_opens_as_a_page(designer, factory, drafted):
    valid = {"type": "object", "properties": {"a": {"type": "string"}}}
    for number, (ui, required) in enumerate(ODD):
        schema = {**valid, "required": required, "allOf": 5}
        r = designer.post(f"{BASE}/preview", json={"schema": schema, "ui_schema": ui})
        assert r.status_code == 200 and [f["name"] for f in r.get_json()["fields"]] == ["a"]
        r = designer.post(f"{BASE}/preview", json={"schema": valid, "ui_schema": ui})
        assert r.status_code == 200 and 'name="a"' in r.get_json()["html"]  # the task page's renderer draws it
        r = designer.post(f"{BASE}/preview", json={"schema": schema, "ui_schema": ui,
                                                   "fields": [{"name": "a", "choices": 5, "condition": 5}]})
        assert r.status_code == 200
        with transaction(factory) as s:
            draft = drafts.open_draft(s, "action_plan")
            drafts.save_draft(s, "action_plan", {**draft.files, f"odd{number}-schema.json": json.dumps(schema),
                                                 f"odd{number}-uischema.json": json.dumps(ui)},
                              revision=draft.revision, actor="dee", now=NOW)
        assert designer.get(f"{BASE}/odd{number}-schema.json").status_code == 200
