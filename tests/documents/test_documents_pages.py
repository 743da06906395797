"""Documents on the pages, without JavaScript (the Flask test client posts exactly what a browser without
scripts would): the task form's file fields upload, replace and remove through the form's own post, keeping the
other answers; refusals come back on the page at the field; downloads go through ``/files/<id>``."""
from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from engine.store.models import DocumentVersion
from tests.api.api_kit import Api
from tests.conftest import PASSWORDS
from tests.web.web_kit import text
from web.context import lif

from .documents_kit import docx, pdf, png, start_case, upload

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


def _post(page, task_id, action, fields=None, files=None):
    data = {"_action": action, **(fields or {})}
    for name, (filename, content) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return page.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")


def _versions(db) -> int:
    with db.connect() as conn:
        return conn.scalar(select(func.count()).select_from(DocumentVersion))


def test_a_file_field_is_a_govuk_file_upload_in_a_multipart_form(api, as_user):
    case = start_case(api)
    page = text(as_user("pat").get(f"/tasks/{case.reports['police']}"))
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input class="govuk-file-upload" id="f-report" name="report-file" type="file"[^>]*'
                     r'accept="\.pdf,\.docx,\.xlsx,\.odt,\.ods,\.png,\.jpg,\.jpeg"', page)
    assert 'value="upload:report" name="_action"' in page and "Upload file" in page
    assert "Upload a PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT or ODS), PNG or JPEG file, up to 25 MB" in page
    assert 'name="attachments[0].file-file"' in page  # a file field in a repeating group has its own input


def test_uploading_on_a_long_forms_later_page_comes_back_to_that_page(api, as_user):
    """The report form in two pages (``ui:sections``): "Upload file" on page 2 returns to page 2, at the field."""
    pages = json.dumps({"ui:order": ["summary", "report", "chronology", "attachments"],
                        "ui:sections": [{"title": "Summary", "fields": ["summary"]},
                                        {"title": "Documents", "fields": ["report", "chronology", "attachments"]}]})
    case, page = start_case(api, changed={"report-uischema.json": pages}), as_user("pat")
    task = case.reports["police"]
    assert 'name="_section" value="2"' in text(page.get(f"/tasks/{task}/section/2"))
    r = _post(page, task, "upload:report", {"_section": "2"}, {"report-file": ("police-imr.pdf", pdf("police"))})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/tasks/{task}/section/2#f-report")
    assert "‘police-imr.pdf’ has been uploaded" in text(page.get(r.headers["Location"]))


def test_uploading_keeps_the_other_answers_and_comes_back_showing_the_file(api, as_user):
    case, page = start_case(api), as_user("pat")
    task = case.reports["police"]
    r = _post(page, task, "upload:report", {"summary": "Police summary, in progress"},
              {"report-file": ("police-imr.pdf", pdf("police"))})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/tasks/{task}#f-report")
    shown = text(page.get(f"/tasks/{task}"))
    assert "‘police-imr.pdf’ has been uploaded" in shown
    assert "Police summary, in progress" in shown  # the other answers, kept as the draft
    assert re.search(r'Uploaded: <a class="govuk-link" href="/files/[0-9a-f-]{36}">police-imr.pdf</a> '
                     r'\(\d+ bytes\)', shown)
    assert "Upload replacement" in shown and "Remove file" in shown
    draft = api.task(task, "pat")["draft"]
    assert draft["summary"] == "Police summary, in progress" and draft["report"]


def test_replacing_makes_a_new_version_listed_with_who_and_when_in_words(api, as_user, traveller):
    case, page = start_case(api), as_user("pat")
    task = case.reports["police"]
    _post(page, task, "upload:report", files={"report-file": ("draft.pdf", pdf("one"))})
    document = api.task(task, "pat")["draft"]["report"]
    traveller.shift(24 * 3600)
    api.sign_in_again()  # the tokens of a day ago have expired
    page = as_user("pat")
    _post(page, task, "upload:report", {"report": document}, {"report-file": ("final.docx", docx("two"))})
    assert api.task(task, "pat")["draft"]["report"] == document  # the same document, a new version
    shown = text(page.get(f"/tasks/{task}"))
    assert "Uploaded: <a class=\"govuk-link\" href=\"/files/" + document + "\">final.docx</a>" in shown
    listing = shown[shown.index('id="documents"'):shown.index('id="comments"')]
    assert "Agency report document" in listing
    assert re.search(r"2 \(latest\).*final\.docx.*bytes.*pat.*2 December 2026 at 9:\d\dam", listing, re.S)
    assert re.search(r"final\.docx.*draft\.pdf.*1 December 2026 at 9:\d\dam", listing, re.S)
    assert f'href="/files/{document}?version=1"' in listing


def test_removing_empties_the_field_and_keeps_the_versions(api, as_user):
    case, page = start_case(api), as_user("pat")
    task = case.reports["police"]
    _post(page, task, "upload:report", {"summary": "kept"}, {"report-file": ("imr.pdf", pdf())})
    document = api.task(task, "pat")["draft"]["report"]
    r = _post(page, task, "remove-file:report", {"summary": "kept", "report": document})
    assert r.status_code == 302
    assert api.task(task, "pat")["draft"] == {"summary": "kept"}
    shown = text(page.get(f"/tasks/{task}"))
    assert "Upload file" in shown and "Remove file" not in shown and 'id="documents"' in shown


def test_choosing_a_file_and_completing_does_both(api, as_user):
    case, page = start_case(api), as_user("pat")
    task = case.reports["police"]
    r = _post(page, task, "complete", {"summary": "All done"}, {"report-file": ("imr.pdf", pdf("final"))})
    assert r.status_code == 302, text(r)[:2000]
    done = api.task(task, "cora")
    assert done["state"] == "completed" and done["data"]["summary"] == "All done"
    assert api.client.get(f"/api/v1/files/{done['data']['report']}", headers=api.headers("pat")).data == pdf("final")


def test_completing_without_the_required_file_asks_for_it(api, as_user):
    case, page = start_case(api), as_user("pat")
    r = _post(page, case.reports["police"], "complete", {"summary": "no file"})
    assert r.status_code == 422
    assert 'href="#f-report">Upload agency report document</a>' in text(r)


def test_a_refused_file_comes_back_at_its_field_with_the_answers_kept_and_nothing_stored(api, as_user, db):
    case, page = start_case(api), as_user("pat")
    task = case.reports["police"]
    r = _post(page, task, "upload:report", {"summary": "Typed before the upload"},
              {"report-file": ("scan.pdf", png())})
    assert r.status_code == 422
    shown = text(r)
    assert "govuk-error-summary" in shown and "Typed before the upload" in shown
    assert 'href="#f-report">The file&#39;s name ends in .pdf but it is a PNG image' in shown
    assert _versions(db) == 0
    assert api.task(task, "pat")["draft"] == {"summary": "Typed before the upload"}


def _page_client(app, username):
    client = app.test_client()
    r = client.post("/sign-in", data={"username": username, "password": PASSWORDS[username]})
    assert r.status_code == 302
    return client


def _api_for(app, db):
    client, tokens = app.test_client(), {}

    def auth(username):
        if username not in tokens:
            r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[username]})
            tokens[username] = {"Authorization": f"Bearer {r.json['token']}"}
        return tokens[username]
    return Api(client, auth, db)


def test_a_file_over_the_limit_comes_back_413_at_its_field(make_app, db):
    app = make_app(max_upload_bytes=1000)
    api, page = _api_for(app, db), _page_client(app, "pat")
    case = start_case(api)
    r = _post(page, case.reports["police"], "upload:report", {"summary": "s"},
              {"report-file": ("imr.pdf", b"%PDF-1.4\n" + b"0" * 1000)})
    assert r.status_code == 413
    assert "The selected file must be smaller than" in text(r) and _versions(db) == 0
    assert "up to 1000 bytes" in text(page.get(f"/tasks/{case.reports['police']}"))


def test_a_body_past_the_request_limit_is_our_413_page(make_app, db):
    app = make_app(max_upload_bytes=1000)
    api, page = _api_for(app, db), _page_client(app, "pat")
    case = start_case(api)
    r = _post(page, case.reports["police"], "upload:report", {},
              {"report-file": ("imr.pdf", b"%PDF-1.4\n" + b"0" * lif(app).config.max_upload_request_bytes)})
    assert r.status_code == 413
    assert "What you sent is too large" in text(r) and "govuk-" in text(r)
    assert _versions(db) == 0


def test_an_unreachable_scanner_comes_back_503_at_the_field(make_app, db, tmp_path):
    app = make_app(clamd=str(tmp_path / "no-clamd.sock"))
    api, page = _api_for(app, db), _page_client(app, "pat")
    case = start_case(api)
    r = _post(page, case.reports["police"], "upload:report", {"summary": "s"}, {"report-file": ("imr.pdf", pdf())})
    assert r.status_code == 503
    assert "could not be checked for viruses just now" in text(r) and _versions(db) == 0


def test_the_download_page_sends_an_attachment_to_those_who_may_see_it_only(api, as_user, client):
    case = start_case(api)
    document = upload(api, case.reports["police"], "pat", name="imr.pdf", data=pdf("police")).json["id"]
    r = as_user("pat").get(f"/files/{document}")
    assert (r.status_code, r.data, r.mimetype) == (200, pdf("police"), "application/pdf")
    assert r.headers["Content-Disposition"].startswith('attachment; filename="imr.pdf"')
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    for who in ("sam", "hana", "dee", "adam"):
        refused = as_user(who).get(f"/files/{document}")
        assert refused.status_code == 404 and "Page not found" in text(refused), who
    assert client.get(f"/files/{document}").status_code == 302  # to the sign-in page
    assert as_user("pat").get(f"/files/{document}?version=2").status_code == 404


def test_someone_who_may_not_do_the_task_sees_its_file_read_only(api, as_user):
    case = start_case(api)
    upload(api, case.reports["police"], "pat", name="imr.pdf")
    shown = text(as_user("cora").get(f"/tasks/{case.reports['police']}"))
    assert re.search(r'<a class="govuk-link" href="/files/[0-9a-f-]{36}">imr.pdf</a>', shown)
    assert 'type="file"' not in shown


def test_the_documents_listing_shows_only_what_the_viewer_may_download(api, as_user):
    case = start_case(api)
    upload(api, case.reports["police"], "pat", name="police.pdf")
    upload(api, case.reports["police"], "pat", field="attachments[0].file", name="genogram.png", data=png())
    listing = text(as_user("cora").get(f"/tasks/{case.reports['police']}"))
    assert "Agency report document" in listing and "File (attachment 1)" in listing
    assert "genogram.png" in listing and "police.pdf" in listing
    assert as_user("sam").get(f"/tasks/{case.reports['police']}").status_code == 404
