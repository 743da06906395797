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
