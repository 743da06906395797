"""The designer's bundles pages: the history on a version's page (who deployed each version, by name, links to
compare and download), the diff page (both diagrams with marks and a key in words, the list in words), the zip
download and upload (problems in the page's error summary, nothing written), and 403 for everyone else."""
from __future__ import annotations

import io
import zipfile

from bs4 import BeautifulSoup

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.people import accounts
from engine.store.db import transaction
from tests.api.api_kit import snapshot
from tests.engine.test_designer_bundles import ACTION_PLAN, changed_plan

from .web_kit import text


def two_versions(factory, now):
    files = read_bundle_dir(ACTION_PLAN)
    with transaction(factory) as s:
        accounts.add_user(s, "desmond", roles=["designer"], full_name="Desmond Lane", actor=None, now=now)
        definitions.deploy_bundle(s, "action_plan", files, actor="desmond", now=now)
        definitions.deploy_bundle(s, "action_plan", changed_plan(files), actor="dee", now=now)


def test_history_diff_page_and_zip_upload_form(as_user, factory, now):
    two_versions(factory, now)
    dee = as_user("dee")
    history_shows_who_deployed_with_compare_and_download_links(dee)
    diff_page_lists_the_changes_in_words_and_marks_both_diagrams(dee)
    assert dee.get("/processes/action_plan/diff?from=1").status_code == 400
    assert dee.get("/processes/action_plan/diff?from=x&to=2").status_code == 400
    assert dee.get("/processes/action_plan/diff?from=1&to=9").status_code == 404
    page = BeautifulSoup(dee.get("/processes/").data, "html.parser")
    form = page.find("form", action="/processes/import")
    assert form and form.find("input", type="file", attrs={"name": "bundle"})


def history_shows_who_deployed_with_compare_and_download_links(dee):
    page = BeautifulSoup(dee.get("/processes/action_plan").data, "html.parser")
    rows = [[c.get_text(" ", strip=True) for c in row.find_all("td")] for row in page.select("#versions tbody tr")]
    assert [r[:2] for r in rows] == [["Version 2 (shown)", "dee"], ["Version 1", "Desmond Lane"]]
    assert rows[0][3] == "Compare with version 1" and rows[1][3] == "First version"
    links = [a["href"] for a in page.select("#versions a")]
    assert "/processes/action_plan/diff?from=1&to=2" in links and "/processes/action_plan/1/bundle.zip" in links


def diff_page_lists_the_changes_in_words_and_marks_both_diagrams(dee):
    response = dee.get("/processes/action_plan/diff?from=1&to=2")
    assert response.status_code == 200
    page = BeautifulSoup(response.data, "html.parser")
    said = [li.get_text(strip=True) for li in page.select("#changes li")]
    assert "Task 'Check the plan' was added" in said and "Script task 'Record the closure' was removed" in said
    assert 'Form "plan" gained field "Owner\'s phone"' in said
    before, after = page.select(".lif-diff-diagram")
    assert before["data-removed"].split() == ["close_plan", "Flow_close_plan__end"] and not before.get("data-added")
    assert after["data-added"].split() == ["check_plan", "Flow_check_plan__prepare_actions"]
    assert "plan_form" in after["data-changed"].split()
    assert [li.get_text(" ", strip=True).split(" ")[1] for li in page.select("#diff-key li")] == \
        ["Added", "Removed", "Changed"]
    assert page.find("script", src=lambda s: s and s.endswith("/static/diff.js"))
    assert not page.find("script", src=None) and not page.find(style=True)


def test_download_and_upload_a_zip_through_the_pages(as_user, factory, db, now):
    two_versions(factory, now)
    dee = as_user("dee")
    download = dee.get("/processes/action_plan/2/bundle.zip")
    assert download.status_code == 200 and "action_plan-v2.zip" in download.headers["Content-Disposition"]
    assert "action_plan/plan-schema.json" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    uploaded = dee.post("/processes/import", data={"bundle": (io.BytesIO(download.data), "a.zip")},
                        content_type="multipart/form-data")
    assert uploaded.status_code == 302 and uploaded.location.endswith("/processes/action_plan")
    assert "Nothing changed: the files are the same as Action plan monitoring version 2" in \
        text(dee.get(uploaded.location))
    before = snapshot(db)
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../escape.bpmn", "x")
    refused = dee.post("/processes/import", data={"bundle": (io.BytesIO(evil.getvalue()), "evil.zip")},
                       content_type="multipart/form-data")
    assert refused.status_code == 422
    summary = BeautifulSoup(refused.data, "html.parser").select_one(".govuk-error-summary")
    assert "../escape.bpmn" in summary.get_text() and "leaves its folder" in summary.get_text()
    nothing = dee.post("/processes/import", data={}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "Choose a zip file" in text(nothing)
    assert snapshot(db) == before


def test_everyone_else_is_refused(as_user, factory, db, now):
    two_versions(factory, now)
    for who in ("cora", "chad", "pat"):
        client = as_user(who)
        before = snapshot(db)
        assert client.get("/processes/action_plan/diff?from=1&to=2").status_code == 403
        assert client.get("/processes/action_plan/1/bundle.zip").status_code == 403
        assert client.post("/processes/import", data={"bundle": (io.BytesIO(b"x"), "a.zip")},
                           content_type="multipart/form-data").status_code == 403
        assert snapshot(db) == before
