"""Files from elsewhere open in the editor: another tool's export (every fixture of tests/fixtures/foreign) goes
into a new process's draft with a process_model.json naming its first process, and Validate then lists what cannot
run here, never a server error; files added to an existing draft replace those of the same name and keep the rest;
bad uploads (no file, not UTF-8, a name that is not a plain bundle file, a bad key) change nothing; only designers
and admins may."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bundles.parsing import read_bundle_dir
from engine.store.db import transaction
from engine.store.models import ProcessDraft

from .web_kit import WORKFLOWS, deploy

FOREIGN = Path(__file__).resolve().parents[1] / "fixtures" / "foreign"
EXPORTS = sorted(FOREIGN.glob("*.bpmn"))


def _drafts(factory):
    with transaction(factory) as s:
        return {row.key: (row.revision, dict(row.files)) for row in s.scalars(select(ProcessDraft))}


def _upload(client, url, files, **form):
    data = {**form, "files": [(io.BytesIO(content), name) for name, content in files.items()]}
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.stem)
def test_another_tools_export_opens_in_the_editor_and_validate_lists_what_cannot_run(as_user, factory, export):
    client = as_user("dee")
    response = _upload(client, "/processes/open", {export.name: export.read_bytes()}, key="imported")
    assert response.status_code == 302 and response.headers["Location"].endswith("/processes/imported/edit")
    (revision, files), = _drafts(factory).values()
    assert revision == 1 and files[export.name] == export.read_text(encoding="utf-8")  # kept as it is
    model = json.loads(files["process_model.json"])
    assert model["primary_file_name"] == export.name and model["primary_process_id"]
    assert client.get("/processes/imported/edit").status_code == 200
    answer = client.post("/processes/imported/draft/validate", json={"files": files})
    assert answer.status_code == 200
    assert all(p["message"] for p in answer.get_json()["problems"])


def test_files_added_to_a_draft_replace_those_of_the_same_name_and_keep_the_rest(as_user, factory, now):
    deploy(factory, WORKFLOWS / "action_plan", now)
    shipped = read_bundle_dir(WORKFLOWS / "action_plan")
    client = as_user("adam")
    changed = shipped["plan-schema.json"].encode() + b"\n"
    response = _upload(client, "/processes/action_plan/draft/files",
                       {"plan-schema.json": changed, "notes.md": b"Why version 2"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/processes/action_plan/edit")
    (revision, files), = _drafts(factory).values()
    assert revision == 1 and files == {**shipped, "plan-schema.json": changed.decode(), "notes.md": "Why version 2"}


@pytest.mark.parametrize("files, form", [
    ({}, {"key": "imported"}),
    ({"diagram.bpmn": b"\xff\xfe not text"}, {"key": "imported"}),
    ({"tool.exe": b"MZ"}, {"key": "imported"}),
    ({"diagram.bpmn": b"<x/>"}, {"key": "Not A Key"}),
])
def test_a_bad_upload_changes_nothing_and_says_why(as_user, factory, files, form):
    client = as_user("dee")
    response = _upload(client, "/processes/open", files, **form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/processes/")
    page = client.get("/processes/").get_data(as_text=True)
    assert "The files were not opened" in page
    assert _drafts(factory) == {}


@pytest.mark.parametrize("who", ["cora", "chad", "pat"])
def test_only_designers_and_admins_open_files(as_user, factory, who):
    client = as_user(who)
    assert _upload(client, "/processes/open", {"a.bpmn": b"<x/>"}, key="imported").status_code == 403
    assert _upload(client, "/processes/imported/draft/files", {"a.bpmn": b"<x/>"}).status_code == 403
    assert _drafts(factory) == {}
