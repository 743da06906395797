"""Case documents through the API: ``POST /tasks/<id>/files`` and ``GET /files/<id>``, for each kind of file, each
version, each role and each way a file can pretend to be what it is not."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.store.models import AuditEvent, Document, DocumentVersion
from tests.api.api_kit import check_error, iso

from .documents_kit import (
    ALLOWED,
    DOCX_TYPE,
    docm,
    docx,
    download,
    exe,
    html,
    jpeg,
    pdf,
    plain_zip,
    png,
    start_case,
    upload,
    xlsx,
    zip_bomb_docx,
)

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

SPEC_FIELDS = {"id", "name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"}


def test_upload_answers_the_spec_fields_and_the_tasks_draft_holds_the_id(api):
    case = start_case(api)
    r = upload(api, case.reports["police"], "pat", name="imr.pdf", data=pdf("police"))
    assert r.status_code == 201, r.json
    assert SPEC_FIELDS <= set(r.json)
    assert (r.json["name"], r.json["content_type"], r.json["size"], r.json["uploaded_by"]) == \
        ("imr.pdf", "application/pdf", len(pdf("police")), "pat")
    assert r.json["version"] == 1 and r.json["field"] == "report"
    iso(r.json["uploaded_at"])
    import hashlib
    assert r.json["sha256"] == hashlib.sha256(pdf("police")).hexdigest()
    assert api.task(case.reports["police"], "pat")["draft"]["report"] == r.json["id"]


def test_uploading_again_to_the_field_makes_a_new_version_of_the_same_document(api, traveller):
    case = start_case(api)
    first = upload(api, case.reports["police"], "pat", name="draft.pdf", data=pdf("first")).json
    traveller.shift(3600)
    second = upload(api, case.reports["police"], "pat", name="final.docx", data=docx("second"))
    assert second.status_code == 201, second.json
    assert second.json["id"] == first["id"] and second.json["version"] == 2
    assert second.json["content_type"] == DOCX_TYPE
    latest, older = download(api, first["id"], "pat"), download(api, first["id"], "pat", version=1)
    assert (latest.data, latest.mimetype) == (docx("second"), DOCX_TYPE)
    assert (older.data, older.mimetype) == (pdf("first"), "application/pdf")
    assert download(api, first["id"], "pat", version=3).status_code == 404
    with api.db.connect() as conn:
        versions = conn.execute(select(DocumentVersion.version, DocumentVersion.name, DocumentVersion.uploaded_at)
                                .order_by(DocumentVersion.version)).all()
    assert [(v, n) for v, n, _ in versions] == [(1, "draft.pdf"), (2, "final.docx")]
    assert versions[1][2] > versions[0][2]


def test_another_field_of_the_task_is_another_document(api):
    case = start_case(api)
    report = upload(api, case.reports["police"], "pat").json
    chronology = upload(api, case.reports["police"], "pat", field="chronology", name="c.xlsx", data=xlsx()).json
    assert report["id"] != chronology["id"]
    draft = api.task(case.reports["police"], "pat")["draft"]
    assert (draft["report"], draft["chronology"]) == (report["id"], chronology["id"])


@pytest.mark.parametrize("kind", sorted(ALLOWED))
def test_each_allowed_kind_is_stored_and_sent_as_the_type_its_content_proves(api, kind):
    case = start_case(api)
    name, data, content_type = ALLOWED[kind]
    for claimed in (content_type, "application/octet-stream"):  # browsers send either
        r = upload(api, case.reports["police"], "pat", name=name, data=data, content_type=claimed)
        assert r.status_code == 201, r.json
        assert r.json["content_type"] == content_type
        sent = download(api, r.json["id"], "pat")
        assert (sent.status_code, sent.data, sent.mimetype) == (200, data, content_type)


SPOOFS = {
    "a PNG named .pdf": ("scan.pdf", png(), "application/pdf"),
    "a JPEG named .png": ("photo.png", jpeg(), "image/png"),
    "an executable named .docx": ("imr.docx", exe(), DOCX_TYPE),
    "a plain zip named .docx": ("imr.docx", plain_zip(), DOCX_TYPE),
    "HTML named .docx": ("imr.docx", html(), DOCX_TYPE),
    "HTML sent as a PDF": ("imr.pdf", html(), "application/pdf"),
    "a macro-enabled document named .docx": ("imr.docx", docm(), DOCX_TYPE),
    "a DOCX named .xlsx": ("chronology.xlsx", docx(), "application/octet-stream"),
    "a PDF sent as a PNG": ("imr.pdf", pdf(), "image/png"),
    "a PDF without an extension": ("imr", pdf(), "application/pdf"),
    "an empty file": ("imr.pdf", b"", "application/pdf"),
    "a zip bomb named .docx": ("imr.docx", zip_bomb_docx(), DOCX_TYPE),
}


@pytest.mark.parametrize("spoof", sorted(SPOOFS))
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(api, spoof):
    case = start_case(api)
    name, data, claimed = SPOOFS[spoof]
    before = api.snapshot()
    error = check_error(upload(api, case.reports["police"], "pat", name=name, data=data, content_type=claimed), 422)
    assert [d["field"] for d in error["details"]] == ["file"]
    assert api.snapshot() == before


def test_the_zip_bomb_is_refused_for_how_far_it_expands(api):
    case = start_case(api)
    error = check_error(upload(api, case.reports["police"], "pat", name="imr.docx", data=zip_bomb_docx()), 422)
    assert "expand" in error["message"]


def test_an_upload_names_a_file_field_of_the_tasks_form(api):
    case = start_case(api)
    before = api.snapshot()
    for field in ("summary", "nowhere", "attachments", "report.x", "", "a" * 300):
        error = check_error(upload(api, case.reports["police"], "pat", field=field), 422)
        assert [d["field"] for d in error["details"]] == ["field"], field
    assert api.snapshot() == before


def test_a_file_field_inside_repeated_rows_takes_its_own_document(api):
    case = start_case(api)
    r = upload(api, case.reports["police"], "pat", field="attachments[0].file", name="genogram.png", data=png())
    assert r.status_code == 201, r.json
    assert r.json["field"] == "attachments[0].file"


def test_a_multipart_upload_without_its_parts_is_refused(api):
    case = start_case(api)
    url = f"/api/v1/tasks/{case.reports['police']}/files"
    r = api.client.post(url, headers=api.headers("pat"), data={"field": "report"}, content_type="multipart/form-data")
    assert [d["field"] for d in check_error(r, 422)["details"]] == ["file"]
    r = api.client.post(url, headers=api.headers("pat"), json={"field": "report"})
    assert {d["field"] for d in check_error(r, 422)["details"]} == {"file", "field"}


@pytest.mark.parametrize("who, status", [("sam", 404), ("hana", 404), ("dee", 403), ("cora", 403), ("chad", 403)])
def test_only_someone_who_may_do_the_task_uploads_to_it(api, who, status):
    case = start_case(api)
    before = api.snapshot()
    check_error(upload(api, case.reports["police"], who), status)
    assert api.snapshot() == before


def test_an_admin_cannot_upload_to_a_case(api):
    case = start_case(api)
    before = api.snapshot()
    assert upload(api, case.reports["police"], "adam").status_code in (403, 404)  # 404 once admins see no cases
    assert api.snapshot() == before


def test_no_upload_to_a_completed_task(api):
    case = start_case(api)
    document = upload(api, case.reports["police"], "pat").json
    api.complete(case.reports["police"], {"summary": "done", "report": document["id"]}, "pat")
    check_error(upload(api, case.reports["police"], "pat"), 409)


def test_completion_refuses_a_file_field_naming_a_document_of_another_task(api):
    case = start_case(api)
    police = upload(api, case.reports["police"], "pat").json
    csc = upload(api, case.reports["csc"], "sam").json
    for value in (police["id"], "not-a-document", 12):
        r = api.post(f"/tasks/{case.reports['csc']}/complete", "sam", {"data": {"summary": "s", "report": value}})
        assert "report" in [d["field"] for d in check_error(r, 422)["details"]], value
    r = api.post(f"/tasks/{case.reports['csc']}/complete", "sam",
                 {"data": {"summary": "s", "report": csc["id"], "attachments": [{"file": police["id"]}]}})
    assert [d["field"] for d in check_error(r, 422)["details"]] == ["attachments[0].file"]
    api.complete(case.reports["csc"], {"summary": "s", "report": csc["id"]}, "sam")


def _both_reports_done(api):
    case = start_case(api)
    police = upload(api, case.reports["police"], "pat", name="police-imr.pdf", data=pdf("police")).json
    csc = upload(api, case.reports["csc"], "sam", name="csc-imr.docx", data=docx("csc")).json
    api.complete(case.reports["police"], {"summary": "police summary", "report": police["id"]}, "pat")
    api.complete(case.reports["csc"], {"summary": "csc summary", "report": csc["id"]}, "sam")
    return case, police["id"], csc["id"]


# who may download each agency's document once both reports are in: the coordinator and the chair see the whole
# case; each agency its own; the reader (health) the reports its task shows; the designer and the admin nothing
ACCESS = {"cora": (200, 200), "chad": (200, 200), "pat": (200, 404), "sam": (404, 200), "hana": (200, 200),
          "dee": (404, 404), "adam": (404, 404)}


@pytest.mark.parametrize("who", sorted(ACCESS))
def test_downloads_follow_what_each_user_may_see_of_the_case(api, who):
    _, police, csc = _both_reports_done(api)
    got = (download(api, police, who), download(api, csc, who))
    assert tuple(r.status_code for r in got) == ACCESS[who]
    for response, expected in zip(got, (pdf("police"), docx("csc")), strict=True):
        if response.status_code == 200:
            assert response.data == expected
        else:
            check_error(response, 404)
            assert b"police-imr" not in response.data and b"csc-imr" not in response.data


def test_before_completion_a_document_is_only_for_who_may_do_its_task(api):
    case = start_case(api)
    police = upload(api, case.reports["police"], "pat").json["id"]
    assert {who: download(api, police, who).status_code for who in ACCESS} == \
        {"cora": 200, "chad": 200, "pat": 200, "sam": 404, "hana": 404, "dee": 404, "adam": 404}


def test_an_unknown_document_is_not_found(api):
    start_case(api)
    check_error(download(api, "00000000-0000-0000-0000-000000000000", "cora"), 404)
    check_error(api.client.get("/api/v1/files/x"), 401)


def test_uploads_and_downloads_are_audited_by_id_and_field_never_by_name(api):
    case = start_case(api)
    name = "Smith family - Jayden Smith IMR.pdf"
    document = upload(api, case.reports["police"], "pat", name=name).json
    assert download(api, document["id"], "cora").status_code == 200
    assert download(api, document["id"], "sam").status_code == 404
    with api.db.connect() as conn:
        rows = conn.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.details)
                            .where(AuditEvent.action.like("document.%")).order_by(AuditEvent.id)).all()
        everything = json.dumps([list(r) for r in conn.execute(select(AuditEvent.details))])
    assert [(a, who) for a, who, _ in rows] == [("document.uploaded", "pat"), ("document.downloaded", "cora")]
    for _, _, details in rows:
        assert details == {"document_id": document["id"], "field": "report", "version": 1}
    assert "Smith" not in everything and "Jayden" not in everything


def test_a_download_is_an_attachment_of_its_stored_type_that_no_browser_sniffs(api):
    case = start_case(api)
    name = "Zoë's final report; v2.pdf"
    document = upload(api, case.reports["police"], "pat", name=name).json
    assert document["name"] == name
    r = download(api, document["id"], "pat")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"] == (
        "attachment; filename=\"Zoe_s final report_ v2.pdf\"; "
        "filename*=UTF-8''Zo%C3%AB%27s%20final%20report%3B%20v2.pdf")
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert r.headers["Cache-Control"] == "no-store"


def test_a_name_with_a_line_break_is_refused(api):
    case = start_case(api)
    error = check_error(upload(api, case.reports["police"], "pat", name="imr\n.pdf"), 422)
    assert [d["field"] for d in error["details"]] == ["file"]


def test_folders_are_dropped_from_the_name(api):
    case = start_case(api)
    assert upload(api, case.reports["police"], "pat", name="../../etc/imr.pdf").json["name"] == "imr.pdf"


@pytest.mark.parametrize("name, fallback", [
    ('a "quoted" name.pdf', "a _quoted_ name.pdf"), ("back\\slash.pdf", "back_slash.pdf"),
    ("line\r\nbreak.pdf", "line_break.pdf"), ("Ελληνικά.pdf", "document.pdf"), ("...", "document"),
])
def test_the_ascii_name_of_a_download_cannot_break_its_header(name, fallback):
    from urllib.parse import unquote

    from web.documents import content_disposition
    header = content_disposition(name)
    assert header.startswith(f'attachment; filename="{fallback}"; filename*=UTF-8\'\'')
    assert unquote(header.rsplit("''", 1)[1]) == name
    assert all(c not in header for c in '\r\n\\') and header.count('"') == 2


def test_documents_are_kept_with_their_task_and_case(api):
    case = start_case(api)
    document = upload(api, case.reports["police"], "pat").json
    with api.db.connect() as conn:
        row = conn.execute(select(Document.instance_id, Document.task_id, Document.field)).one()
    assert tuple(row) == (case.instance_id, case.reports["police"], "report") and document["id"]
