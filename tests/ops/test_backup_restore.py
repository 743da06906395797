"""Item 5: ``lif backup FILE`` and ``lif restore FILE``. A demonstration partnership (cases in many states, tasks,
audit rows, notifications) with documents added in the store under test is backed up, destroyed and restored;
every row of every table and every document's bytes must be back. A restore refuses, changing nothing, a
database that is not empty, a document folder that is not empty, and a file that is not a whole LIF backup."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, make_url, select, text

from demo.story import load_demo
from engine.backup import archive, run
from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.cases import instances
from engine.config import Config
from engine.documents.stores import BlobStore, DatabaseStore, DirectoryStore, new_key
from engine.errors import Conflict, InvalidData, LifError
from engine.people import accounts
from engine.records import Actor
from engine.store.db import Base, make_engine, make_session_factory, transaction
from engine.store.models import Document, DocumentVersion, ProcessInstance
from engine.store.schema import current_revision, upgrade_schema
from tests.conftest import FIXTURES, NOW
from tests.ops.observe_kit import HEAD
from tests.ops.ops_kit import instance_env, run_lif
from web.boot import boot

PG = os.environ.get("LIF_TEST_POSTGRES_URL")
ODD_BYTES = [b"", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n", bytes(range(256)) * 4096]  # empty, a PDF, 1 MiB binary


# Databases

def _pg_admin():
    return create_engine(make_url(PG).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(PG).set(database=name).render_as_string(hide_password=False)


def _create_pg(name: str, template: str | None = None) -> str:
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return _pg_url(name)


def _drop_pg(name: str) -> None:
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _demo(url: str) -> None:
    lif = boot(Config.from_env(database_url=url, secret_key="backup-test-secret"))  # notifications wired too
    upgrade_schema(lif.engine)
    load_demo(lif.factory, now=NOW)
    lif.engine.dispose()


def _copy_rows(source_url: str, target_url: str) -> None:
    """Every row of the SQLite demo into a PostgreSQL database at the same schema revision, through the models'
    tables (their types convert), parents before children; the rows the migrations seed are replaced. About a
    second, against ten or more to run the demo's cases again."""
    source, target = make_engine(source_url), make_engine(target_url)
    upgrade_schema(target)
    with source.connect() as reading, target.begin() as writing:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "audit_event":  # append-only, and seeded by nothing
                writing.execute(table.delete())
        for table in Base.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in reading.execute(select(table))]
            if rows:
                writing.execute(table.insert(), rows)
        for table in Base.metadata.sorted_tables:  # the next id of each serial key, past the copied ones
            for column in table.primary_key.columns:
                if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int
                                                   and len(table.primary_key.columns) == 1):
                    writing.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                                         f"coalesce(max({column.name}), 0) + 1, false) FROM {table.name}"))
    source.dispose()
    target.dispose()


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory):
    """The demonstration partnership, loaded once a module: a SQLite file to copy, and for PostgreSQL a database
    holding the same rows, to use as a template."""
    made: dict[str, str] = {}
    names: list[str] = []

    def _source(kind: str) -> str:
        if "sqlite" not in made:
            made["sqlite"] = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
            _demo(made["sqlite"])
        if kind == "postgresql" and kind not in made:
            names.append(f"lif_backup_demo_{uuid.uuid4().hex[:8]}")
            made[kind] = _create_pg(names[-1])
            _copy_rows(made["sqlite"], made[kind])
        return made[kind]

    yield _source
    for name in names:
        _drop_pg(name)


@pytest.fixture
def throwaway(tmp_path):
    """``fresh(kind, name, template=None)``: an empty (or copied) database of its own; dropped at the end."""
    names: list[str] = []

    def _fresh(kind: str, name: str, template: str | None = None) -> str:
        if kind == "sqlite":
            path = tmp_path / f"{name}.sqlite3"
            if template:
                shutil.copyfile(template.removeprefix("sqlite:///"), path)
            return f"sqlite:///{path}"
        names.append(f"lif_backup_{name}_{uuid.uuid4().hex[:8]}")
        return _create_pg(names[-1], make_url(template).database if template else None)

    yield _fresh
    for name in names:
        _drop_pg(name)


def _destroy(kind: str, url: str) -> None:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        database = make_url(url).database
        _drop_pg(database)
        _create_pg(database)


# What is in a database

def _add_documents(url: str, store: BlobStore) -> list[str]:
    """Documents on demo cases, their bytes put in ``store`` as an upload puts them; their keys."""
    engine = make_engine(url)
    keys = []
    with transaction(make_session_factory(engine)) as session:
        instances = session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.id).limit(2)).all()
        for number, data in enumerate(ODD_BYTES):
            document = Document(instance_id=instances[number % len(instances)], task_id=str(uuid.uuid4()),
                                field=f"file{number}", latest_version=1, created_at=NOW)
            session.add(document)
            session.flush()
            keys.append(new_key())
            store.put(session, keys[-1], data)
            session.add(DocumentVersion(document_id=document.id, version=1, name=f"report {number}.pdf",
                                        content_type="application/pdf", size=len(data),
                                        sha256=hashlib.sha256(data).hexdigest(), blob_key=keys[-1],
                                        uploaded_by="cora", uploaded_at=NOW))
    engine.dispose()
    return keys


def _everything(url: str, store: BlobStore) -> dict[str, Any]:
    """Every row of every table (in a stable order) and every document version's bytes."""
    engine = make_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    found: dict[str, Any] = {}
    with engine.connect() as connection:
        for name, table in sorted(tables.tables.items()):
            found[name] = sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
    with transaction(make_session_factory(engine)) as session:
        for key, sha in session.execute(select(DocumentVersion.blob_key, DocumentVersion.sha256)).all():
            content = store.get(session, key)
            assert hashlib.sha256(content).hexdigest() == sha
            found[f"document {key}"] = content
    engine.dispose()
    return found


def _store(spec: str) -> BlobStore:
    return DatabaseStore() if spec == "db" else DirectoryStore(Path(spec.removeprefix("dir:")))


# Backup, destroy, restore

@pytest.mark.slow  # the demo (about 10 s a kind of database) and three `lif` commands in their own processes
@pytest.mark.parametrize("kind,store_kind", [("sqlite", "dir"), ("sqlite", "db"), ("postgresql", "db")])
def test_backup_destroy_restore_brings_back_every_row_and_every_document(kind, store_kind, demo_source, throwaway,
                                                                        tmp_path):
    if kind == "postgresql" and not PG:
        pytest.skip("needs LIF_TEST_POSTGRES_URL")
    url = throwaway(kind, "source", template=demo_source(kind))
    spec = "db" if store_kind == "db" else f"dir:{tmp_path / 'documents'}"
    keys = _add_documents(url, _store(spec))
    before = _everything(url, _store(spec))
    assert all(f"document {k}" in before for k in keys) and before["notification"] and before["audit_event"]
    env = instance_env(tmp_path, url, LIF_DOCUMENT_STORE=spec)
    made = run_lif(env, "backup", str(tmp_path / "lif.backup"))
    assert made.returncode == 0 and made.stdout.startswith("backup written to "), made.stderr
    with archive.opened(tmp_path / "lif.backup") as (manifest, _):
        assert manifest.database == kind and manifest.schema_revision == current_revision_of(url)
        assert manifest.row_counts == {t: len(rows) for t, rows in before.items() if not t.startswith("document ")}
        assert manifest.document_files == (len(keys) if store_kind == "dir" else 0)

    _destroy(kind, url)
    shutil.rmtree(tmp_path / "documents", ignore_errors=True)
    restored = run_lif(env, "restore", str(tmp_path / "lif.backup"))
    assert restored.returncode == 0 and restored.stdout.startswith("restored the backup of "), restored.stderr
    assert _everything(url, _store(spec)) == before

    again = run_lif(env, "restore", str(tmp_path / "lif.backup"))  # into a database that now holds it all
    assert again.returncode == 1 and again.stderr.strip().count("\n") == 0, again.stderr
    assert again.stderr.startswith("error: the database at ") and "is not empty" in again.stderr
    assert "lif:lif@" not in again.stderr  # the password is masked
    assert _everything(url, _store(spec)) == before


def current_revision_of(url: str) -> str | None:
    engine = make_engine(url)
    with engine.connect() as connection:
        revision = current_revision(connection)
    engine.dispose()
    return revision


# Refusals: each is one line, and leaves the database and the document folder as they were

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small SQLite instance made as ``lif init`` makes one (a coordinator, a case, three documents in a folder),
    and its backup; made once a module, and never changed by a test."""
    tmp_path = tmp_path_factory.mktemp("small")
    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    engine = make_engine(url)
    upgrade_schema(engine)
    coordinator = Actor("cora", frozenset({"coordinator"}), None)
    with transaction(make_session_factory(engine)) as session:
        accounts.add_user(session, "cora", roles=["coordinator"], password="coordinator-pass", actor=None, now=NOW)
        definitions.deploy_bundle(session, "simple_review", read_bundle_dir(FIXTURES / "simple_review"),
                                  actor="dee", now=NOW)
        instances.start_instance(session, "simple_review", actor=coordinator, now=NOW)
    store = DirectoryStore(tmp_path / "documents")
    _add_documents(url, store)
    run.backup(engine, store, tmp_path / "small.backup", now=NOW)
    engine.dispose()
    return {"url": url, "file": tmp_path / "small.backup", "store": store, "before": _everything(url, store)}


def _target(tmp_path: Path) -> tuple[Any, DirectoryStore]:
    return make_engine(f"sqlite:///{tmp_path / 'target.sqlite3'}"), DirectoryStore(tmp_path / "target-documents")


def _untouched(tmp_path: Path) -> bool:
    return not (tmp_path / "target.sqlite3").exists() and not (tmp_path / "target-documents").exists()


def _rewritten(source: Path, target: Path, **manifest_changes: Any) -> Path:
    """A copy of the backup ``source`` whose manifest says something else (its database member renamed to match
    the kind of database it names)."""
    renamed = {"database.sqlite3": archive.database_member(manifest_changes.get("database", "sqlite"))}
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == archive.MANIFEST:
                body = {**json.loads(data), **manifest_changes}
                body["members"] = {renamed.get(k, k): v for k, v in body["members"].items()}
                data = json.dumps(body).encode()
                member.size = len(data)
            member.name = renamed.get(member.name, member.name)
            new.addfile(member, io.BytesIO(data))
    return target


def test_restore_into_an_empty_sqlite_database_and_folder_brings_everything_back(small, tmp_path):
    engine, store = _target(tmp_path)
    said = run.restore(engine, store, small["file"])
    assert said.startswith("restored the backup of ") and "3 document files" in said
    assert _everything(str(engine.url), store) == small["before"]
    assert (store.root.stat().st_mode & 0o777) == 0o700


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(small, tmp_path):
    engine, store = make_engine(small["url"]), DirectoryStore(tmp_path / "target-documents")
    with pytest.raises(Conflict, match=r"^the database at sqlite:///.* is not empty \(\d+ tables\); restore only "
                                       r"into a new, empty database$"):
        run.restore(engine, store, small["file"])
    assert _everything(small["url"], small["store"]) == small["before"] and not store.root.exists()


def test_restore_refuses_a_document_folder_that_is_not_empty_and_changes_nothing(small, tmp_path):
    engine, store = _target(tmp_path)
    store.root.mkdir()
    (store.root / "notes.txt").write_text("someone's file")
    with pytest.raises(Conflict, match="the document folder .* is not empty; restore only into an empty folder"):
        run.restore(engine, store, small["file"])
    assert not (tmp_path / "target.sqlite3").exists() and os.listdir(store.root) == ["notes.txt"]


@pytest.mark.parametrize("damage", ["text", "empty", "cut_in_half", "cut_at_the_end", "flipped_byte",
                                    "no_manifest"])
def test_restore_refuses_a_file_that_is_not_a_whole_lif_backup_and_changes_nothing(small, tmp_path, damage):
    whole = small["file"].read_bytes()
    bad = tmp_path / "bad.backup"
    if damage == "no_manifest":
        with tarfile.open(bad, "w") as tar:
            tar.add(str(small["file"]), arcname="database.sqlite3")
    else:
        middle = len(whole) // 2
        bad.write_bytes({"text": b"name,date of birth\n", "empty": b"", "cut_in_half": whole[:middle],
                         "cut_at_the_end": whole[:-1024 * 10],
                         "flipped_byte": whole[:middle] + bytes([whole[middle] ^ 1]) + whole[middle + 1:]}[damage])
    engine, store = _target(tmp_path)
    with pytest.raises(InvalidData) as refused:
        run.restore(engine, store, bad)
    assert "\n" not in refused.value.message and str(bad) in refused.value.message
    assert refused.value.message.endswith(("is not a LIF backup (it is not an archive)",
                                           "is not a LIF backup (it has no manifest)",
                                           "is damaged or incomplete (was it cut short while copying?)"))
    assert _untouched(tmp_path)


@pytest.mark.parametrize("changes,says", [
    ({"format_version": 2}, "was made by a newer version of LIF (backup format 2; this version reads format 1)"),
    ({"schema_revision": "0099_from_the_future"}, "this backup's schema (revision 0099_from_the_future) is newer "
                                                   "than this version of LIF knows"),
    ({"database": "postgresql"}, "this is a backup of a PostgreSQL database; it can be restored only into "
                                 "PostgreSQL, not SQLite"),
    ({"documents": {"store": "db", "files": 0}}, "this backup's documents were kept in the database"),
    ({"format": "something-else"}, "is not a LIF backup (its manifest cannot be read)"),
])
def test_restore_refuses_a_backup_it_cannot_load_and_changes_nothing(small, tmp_path, changes, says):
    engine, store = _target(tmp_path)
    with pytest.raises(InvalidData, match=re.escape(says)):
        run.restore(engine, store, _rewritten(small["file"], tmp_path / "other.backup", **changes))
    assert _untouched(tmp_path)


def test_restore_refuses_a_backup_holding_a_file_it_does_not_list_as_its_own(small, tmp_path):
    odd = tmp_path / "odd.backup"
    with tarfile.open(small["file"]) as old, tarfile.open(odd, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith(archive.DOCUMENTS):
                member.name = archive.DOCUMENTS + "../../outside"
            if member.name == archive.MANIFEST:
                body = json.loads(data)
                body["members"] = {(archive.DOCUMENTS + "../../outside" if k.startswith(archive.DOCUMENTS) else k): v
                                   for k, v in body["members"].items()}
                data = json.dumps(body).encode()
                member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    engine, store = _target(tmp_path)
    with pytest.raises(InvalidData, match="is not a LIF backup \\(it holds files a LIF backup does not\\)$"):
        run.restore(engine, store, odd)
    assert _untouched(tmp_path) and not (tmp_path.parent / "outside").exists()


def test_a_backup_of_an_older_schema_is_upgraded_after_it_is_restored(tmp_path):
    older = make_engine(f"sqlite:///{tmp_path / 'older.sqlite3'}")
    upgrade_schema(older, "0015_statutory_clocks")
    run.backup(older, DatabaseStore(), tmp_path / "older.backup", now=NOW)
    engine = make_engine(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    said = run.restore(engine, DatabaseStore(), tmp_path / "older.backup")
    assert said.endswith(f"database upgraded from revision 0015_statutory_clocks to {HEAD}")  # the code's head
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD


def test_a_backup_file_holds_only_what_its_manifest_lists_and_only_its_owner_may_read_it(small):
    with archive.opened(small["file"]) as (manifest, tar):
        names = tar.getnames()
    assert names[0] == archive.MANIFEST and set(names[1:]) == set(manifest.members)
    assert manifest.document_store == "dir" and manifest.document_files == 3
    assert (small["file"].stat().st_mode & 0o777) == 0o600
    assert not [p for p in small["file"].parent.iterdir() if p.name.startswith((".lif-backup-", ".small.backup"))]


def test_a_postgresql_backup_without_pg_dump_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere on it
    engine = make_engine("postgresql+psycopg://lif:secret@127.0.0.1:1/lif")
    with pytest.raises(LifError, match=r"^pg_dump is not installed: install PostgreSQL's client programs"):
        run.backup(engine, DatabaseStore(), tmp_path / "lif.backup", now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_a_backup_missing_document_files_is_refused_and_no_file_is_written(small, tmp_path):
    engine = make_engine(small["url"])
    with pytest.raises(Conflict, match=r"^3 documents the database names have no file in .*empty-folder; the backup "
                                       r"would be incomplete, so none was written$"):
        run.backup(engine, DirectoryStore(tmp_path / "empty-folder"), tmp_path / "lif.backup", now=NOW)
    engine.dispose()
    assert list(tmp_path.iterdir()) == []
