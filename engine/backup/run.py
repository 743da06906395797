"""``lif backup`` and ``lif restore``'s work. A backup is taken while the service runs; a restore goes into an
empty database (and, for a document folder, an empty folder) only, checks the whole file before it writes
anything, and changes nothing when it refuses or fails."""
from __future__ import annotations

import shutil
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from ..documents.stores import BlobStore, DirectoryStore
from ..errors import Conflict, InvalidData
from ..store.db import masked_url
from ..store.schema import known_revisions, upgrade_schema
from . import archive, databases

ATTEMPTS = 3  # a document erased between the snapshot and its copy: take the snapshot again


def backup(engine: Engine, store: BlobStore, target: Path, *, now: datetime) -> archive.Manifest:
    """Write the backup file ``target``: the database as one consistent snapshot, and the bytes of every document
    version the snapshot names when they live in a folder."""
    if target.is_dir() or not target.parent.is_dir():
        raise InvalidData(f"cannot write a backup to {target}: give a file name in a folder that exists")
    for attempt in range(ATTEMPTS):
        last = attempt == ATTEMPTS - 1
        with tempfile.TemporaryDirectory(prefix=".lif-backup-", dir=target.parent) as work:
            database = Path(work) / archive.database_member(engine.dialect.name)
            snapshot = databases.dump(engine, database)
            files = {archive.database_member(engine.dialect.name): database}
            if isinstance(store, DirectoryStore):
                documents = {archive.DOCUMENTS + key: store.path_of(key) for key in snapshot.blob_keys}
                missing = [key for key in snapshot.blob_keys if not store.path_of(key).is_file()]
                if missing and not last:
                    continue  # erased since the snapshot (a disposal): the next snapshot no longer names them
                if missing:
                    raise Conflict(f"{len(missing)} documents the database names have no file in {store.root}; "
                                   f"the backup would be incomplete, so none was written", missing[:10])
                files.update(documents)
            manifest = _manifest(engine, store, snapshot, files, now)
            try:
                archive.write(target, manifest, files)
            except FileNotFoundError:
                if last:
                    raise Conflict("documents kept being removed while the backup ran; try again") from None
                continue
            return manifest
    raise AssertionError("unreachable: the last attempt returns or raises")


def _manifest(engine: Engine, store: BlobStore, snapshot: databases.Snapshot, files: dict[str, Path],
              now: datetime) -> archive.Manifest:
    return archive.Manifest(
        created_at=now.isoformat(), database=engine.dialect.name, schema_revision=snapshot.schema_revision,
        row_counts=snapshot.row_counts, document_store="dir" if isinstance(store, DirectoryStore) else "db",
        document_files=len(files) - 1, members={name: archive.digest(path) for name, path in files.items()})


def restore(engine: Engine, store: BlobStore, source: Path) -> str:
    """Load the backup ``source`` into the empty database ``engine`` points at (and its documents into the empty
    folder ``store`` writes to), then bring its schema up to date; one line saying what was done."""
    with archive.opened(source) as (manifest, tar):
        _check_fits(engine, store, manifest)
        with tempfile.TemporaryDirectory(prefix=".lif-restore-") as work:
            database = Path(work) / "database"
            archive.extract(tar, archive.database_member(manifest.database), database)
            staged = _stage_documents(tar, store, manifest)
            try:
                databases.load(engine, database)
            except BaseException:
                if staged is not None:
                    shutil.rmtree(staged, ignore_errors=True)
                raise
            if staged is not None and isinstance(store, DirectoryStore):
                _move_into_place(staged, store.root)
    _check_counts(engine, manifest)
    upgraded = upgrade_schema(engine)
    return (f"restored the backup of {manifest.created_at} ({sum(manifest.row_counts.values())} rows, "
            f"{manifest.document_files} document files) into {masked_url(str(engine.url))}; {upgraded}")


def _check_fits(engine: Engine, store: BlobStore, manifest: archive.Manifest) -> None:
    """Every reason to refuse, before anything is written."""
    if manifest.database != engine.dialect.name:
        raise InvalidData(f"this is a backup of a {_kind(manifest.database)} database; it can be restored only "
                          f"into {_kind(manifest.database)}, not {_kind(engine.dialect.name)}")
    _, known = known_revisions()
    if manifest.schema_revision not in known:
        raise InvalidData(f"this backup's schema (revision {manifest.schema_revision}) is newer than this version "
                          f"of LIF knows; restore it with the version of LIF that made it, or a newer one")
    here = "dir" if isinstance(store, DirectoryStore) else "db"
    if manifest.document_store != here:
        raise InvalidData(f"this backup's documents were kept in {_store(manifest.document_store)}; set "
                          f"LIF_DOCUMENT_STORE the same way before restoring (it is set to {_store(here)})")
    found = databases.tables(engine)
    if found:
        raise Conflict(f"the database at {masked_url(str(engine.url))} is not empty ({len(found)} tables); "
                       f"restore only into a new, empty database")
    if isinstance(store, DirectoryStore) and store.root.exists() and any(store.root.iterdir()):
        raise Conflict(f"the document folder {store.root} is not empty; restore only into an empty folder")


def _kind(name: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(name, name)


def _store(kind: str) -> str:
    return "a folder (LIF_DOCUMENT_STORE=dir:/path)" if kind == "dir" else "the database (LIF_DOCUMENT_STORE=db)"


def _stage_documents(tar: tarfile.TarFile, store: BlobStore, manifest: archive.Manifest) -> Path | None:
    """The backup's document files in a folder beside the store's, moved into place once the database is in."""
    if not isinstance(store, DirectoryStore):
        return None
    store.root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{store.root.name}-restoring-", dir=store.root.parent))
    try:
        for name in manifest.members:
            if name.startswith(archive.DOCUMENTS):
                path = DirectoryStore(staged).path_of(name[len(archive.DOCUMENTS):])
                path.parent.mkdir(mode=0o700, exist_ok=True)
                archive.extract(tar, name, path)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def _move_into_place(staged: Path, root: Path) -> None:
    if root.exists():
        root.rmdir()  # checked empty before anything was written
    staged.chmod(0o700)
    staged.rename(root)


def _check_counts(engine: Engine, manifest: archive.Manifest) -> None:
    with engine.connect() as connection:
        found = databases.read_snapshot(connection).row_counts
    if found != manifest.row_counts:
        wrong = sorted(t for t in set(found) | set(manifest.row_counts)
                       if found.get(t) != manifest.row_counts.get(t))
        raise Conflict("the restored database does not hold what the backup's manifest lists", wrong)
