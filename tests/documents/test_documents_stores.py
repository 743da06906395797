"""Both document stores (the database, the default, and a directory), the size limit, and disposal's erasure of
a case's documents: each store holds the bytes where it says, follows the transaction, and gives them back."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from engine.documents import erasure
from engine.documents.settings import DEFAULT_MAX_BYTES, document_settings
from engine.documents.stores import DatabaseStore, DirectoryStore, new_key, store_from
from engine.errors import Forbidden
from engine.records import Actor
from engine.store.db import transaction
from engine.store.models import AuditEvent, Document, DocumentBlob, DocumentVersion
from tests.api.api_kit import Api, check_error
from tests.conftest import NOW
from web.context import lif

from .documents_kit import docx, download, pdf, start_case, upload

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

COORDINATOR = Actor("cora", frozenset({"coordinator"}))


def _api(app, auth_db):
    client = app.test_client()
    from tests.conftest import PASSWORDS
    tokens = {}

    def auth(username):
        if username not in tokens:
            r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[username]})
            tokens[username] = {"Authorization": f"Bearer {r.json['token']}"}
        return tokens[username]
    return Api(client, auth, auth_db)


@pytest.fixture(params=["db", "dir"])
def store_app(request, make_app, tmp_path, db):
    """An app whose documents live in the database or in a directory, and its API driver."""
    spec = "db" if request.param == "db" else f"dir:{tmp_path / 'documents'}"
    app = make_app(document_store=spec)
    return app, _api(app, db), request.param


def _blob_rows(db) -> int:
    with db.connect() as conn:
        return conn.scalar(select(func.count()).select_from(DocumentBlob))


def _files(tmp_path) -> list:
    return sorted(p for p in (tmp_path / "documents").rglob("*") if p.is_file())


def test_each_store_keeps_every_version_where_it_says_and_gives_it_back(store_app, tmp_path, db):
    app, api, kind = store_app
    case = start_case(api)
    first = upload(api, case.reports["police"], "pat", data=pdf("one")).json
    upload(api, case.reports["police"], "pat", name="imr.docx", data=docx("two"))
    assert download(api, first["id"], "pat").data == docx("two")
    assert download(api, first["id"], "pat", version=1).data == pdf("one")
    if kind == "db":
        assert _blob_rows(db) == 2 and not (tmp_path / "documents").exists()
    else:
        assert _blob_rows(db) == 0
        assert sorted(p.read_bytes() for p in _files(tmp_path)) == sorted([pdf("one"), docx("two")])
        assert all(p.stat().st_mode & 0o077 == 0 for p in _files(tmp_path))  # the server's user only


def test_erasing_a_case_removes_every_document_version_and_byte_of_it_only(store_app, tmp_path, db):
    app, api, kind = store_app
    case, other = start_case(api), start_case(api)
    upload(api, case.reports["police"], "pat")
    upload(api, case.reports["police"], "pat", data=pdf("again"))
    upload(api, case.reports["csc"], "sam", field="chronology", name="c.docx", data=docx())
    kept = upload(api, other.reports["police"], "pat", data=pdf("other case")).json
    with lif(app).unit_of_work() as session:
        assert erasure.erase_case_documents(session, case.instance_id, actor=COORDINATOR, now=NOW) == 2
    with db.connect() as conn:
        assert conn.execute(select(Document.id)).scalars().all() == [kept["id"]]
        assert conn.scalar(select(func.count()).select_from(DocumentVersion)) == 1
        erased = conn.execute(select(AuditEvent.details).where(AuditEvent.action == "documents.erased",
                                                               AuditEvent.instance_id == case.instance_id)).scalar()
    assert erased == {"documents": 2, "versions": 3}
    assert (_blob_rows(db) if kind == "db" else len(_files(tmp_path))) == 1
    assert download(api, kept["id"], "pat").data == pdf("other case")


def test_erasing_needs_a_coordinator_and_a_case_without_documents_erases_nothing(store_app):
    app, api, _ = store_app
    case = start_case(api)
    with lif(app).unit_of_work() as session:
        with pytest.raises(Forbidden):
            erasure.erase_case_documents(session, case.instance_id, actor=Actor("pat", frozenset({"reviewer"}),
                                                                                 "police"), now=NOW)
        assert erasure.erase_case_documents(session, case.instance_id, actor=COORDINATOR, now=NOW) == 0


def test_the_directory_store_follows_the_transaction(factory, tmp_path):
    store = DirectoryStore(tmp_path / "documents")
    kept, lost = new_key(), new_key()
    with pytest.raises(RuntimeError), transaction(factory) as session:
        store.put(session, lost, b"rolled back")
        assert store.path_of(lost).exists()  # written at once, removed if the unit of work fails
        raise RuntimeError
    assert not store.path_of(lost).exists()
    with transaction(factory) as session:
        store.put(session, kept, b"committed")
    with pytest.raises(RuntimeError), transaction(factory) as session:
        store.delete(session, kept)
        raise RuntimeError
    assert store.path_of(kept).read_bytes() == b"committed"  # a failed disposal leaves the file
    with transaction(factory) as session:
        store.delete(session, kept)
        assert store.path_of(kept).exists()  # until the commit
    assert not store.path_of(kept).exists()


def test_the_database_store_follows_the_transaction(factory):
    store, key = DatabaseStore(), new_key()
    with pytest.raises(RuntimeError), transaction(factory) as session:
        store.put(session, key, b"rolled back")
        raise RuntimeError
    with transaction(factory) as session:
        with pytest.raises(Exception, match="missing"):
            store.get(session, key)
        store.put(session, key, b"kept")
    with transaction(factory) as session:
        assert store.get(session, key) == b"kept"
        store.delete(session, key)
    with transaction(factory) as session, pytest.raises(Exception, match="missing"):
        store.get(session, key)


@pytest.mark.parametrize("spec", ["s3:bucket", "dir:", "dir: ", "file:/tmp"])
def test_an_unknown_store_is_refused_when_configured(spec):
    with pytest.raises(ValueError, match="LIF_DOCUMENT_STORE"):
        store_from(spec)


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab/cd", "", "A" * 32])
def test_a_store_key_can_never_be_a_path(tmp_path, factory, key):
    store = DirectoryStore(tmp_path)
    with pytest.raises(ValueError), transaction(factory) as session:
        store.put(session, key, b"x")


def test_sessions_of_the_app_carry_its_document_settings(make_app, tmp_path):
    app = make_app(document_store=f"dir:{tmp_path}", max_upload_bytes=1234, clamd="/run/clamd.sock")
    with lif(app).reading() as session:
        settings = document_settings(session)
    assert (type(settings.store), settings.max_bytes, settings.clamd) == (DirectoryStore, 1234, "/run/clamd.sock")
    with lif(make_app()).reading() as session:
        default = document_settings(session)
    assert (type(default.store), default.max_bytes, default.clamd) == (DatabaseStore, DEFAULT_MAX_BYTES, None)
    assert DEFAULT_MAX_BYTES == 25 * 1024 * 1024


def _pdf_of(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 9)


def test_a_file_over_the_limit_is_refused_with_413_and_nothing_is_stored(make_app, db):
    api = _api(make_app(max_upload_bytes=1000), db)
    case = start_case(api)
    before = api.snapshot()
    error = check_error(upload(api, case.reports["police"], "pat", data=_pdf_of(1001)), 413, "too_large")
    assert [d["field"] for d in error["details"]] == ["file"] and "1000" not in error["message"]
    assert api.snapshot() == before
    assert upload(api, case.reports["police"], "pat", data=_pdf_of(1000)).status_code == 201


def test_a_body_past_the_request_limit_is_refused_before_it_is_read_in_the_apis_shape(make_app, db):
    app = make_app(max_upload_bytes=1000)
    api = _api(app, db)
    case = start_case(api)
    before = api.snapshot()
    too_big = lif(app).config.max_upload_request_bytes + 1
    check_error(upload(api, case.reports["police"], "pat", data=_pdf_of(too_big)), 413, "too_large")
    assert api.snapshot() == before


def test_other_bodies_keep_the_smaller_limit_of_any_request(make_app, db):
    api = _api(make_app(), db)
    case = start_case(api)
    body = {"body": (io.BytesIO(b"x" * (9 * 1024 * 1024)), "note.pdf")}
    r = api.client.post(f"/api/v1/tasks/{case.reports['police']}/comments", headers=api.headers("pat"),
                        data=body, content_type="multipart/form-data")
    check_error(r, 413, "too_large")


def test_the_default_limit_is_25_mb(api):
    case = start_case(api)
    limit = 25 * 1024 * 1024
    before = api.snapshot()
    check_error(upload(api, case.reports["police"], "pat", data=_pdf_of(limit + 1)), 413, "too_large")
    assert api.snapshot() == before
    assert upload(api, case.reports["police"], "pat", data=_pdf_of(limit)).status_code == 201
