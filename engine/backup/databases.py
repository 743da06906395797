"""The two kinds of database, copied whole and loaded back: SQLite through its online backup API (a consistent
copy while the service runs), PostgreSQL through ``pg_dump``'s custom format and ``pg_restore`` in one
transaction. The row counts and the documents' keys are read from the same snapshot the copy is made from."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import Connection, Engine, create_engine, inspect, make_url, select, text

from ..errors import InvalidData, LifError
from ..store.models import DocumentVersion
from ..store.schema import current_revision

PG_TIMEOUT_S = 6 * 3600  # a dump or restore of a large database may take hours; never forever


@dataclass(frozen=True)
class Snapshot:
    schema_revision: str
    row_counts: dict[str, int]
    blob_keys: tuple[str, ...]  # every document version's key, in the copy


def dump(engine: Engine, target: Path) -> Snapshot:
    if engine.dialect.name == "sqlite":
        return _dump_sqlite(engine, target)
    return _dump_postgresql(engine, target)


def load(engine: Engine, source: Path) -> None:
    if engine.dialect.name == "sqlite":
        _load_sqlite(engine, source)
    else:
        _load_postgresql(engine, source)


def tables(engine: Engine) -> list[str]:
    if engine.dialect.name == "sqlite" and not sqlite_file(engine).exists():
        return []  # looking would create the file
    return inspect(engine).get_table_names()


def read_snapshot(connection: Connection) -> Snapshot:
    revision = current_revision(connection)
    if revision is None:
        raise InvalidData("the database has no LIF schema; there is nothing to back up (run `lif init` first)")
    names = sorted(inspect(connection).get_table_names())
    counts = {t: int(connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in names}
    keys = tuple(connection.execute(select(DocumentVersion.blob_key).order_by(DocumentVersion.blob_key)).scalars()) \
        if DocumentVersion.__tablename__ in names else ()  # a schema from before documents
    return Snapshot(schema_revision=revision, row_counts=counts, blob_keys=keys)


# SQLite

def sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidData("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _dump_sqlite(engine: Engine, target: Path) -> Snapshot:
    source_path = sqlite_file(engine)
    if not source_path.is_file():
        raise InvalidData(f"there is no database at {source_path}; there is nothing to back up")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # the online backup API: one consistent copy, writers carry on meanwhile
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    finally:
        copy.close()
        source.close()
    reader = create_engine(f"sqlite:///{target}")
    try:
        with reader.connect() as connection:
            return read_snapshot(connection)
    finally:
        reader.dispose()


def _load_sqlite(engine: Engine, source: Path) -> None:
    engine.dispose()  # no connection of ours holds the file while it is written
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(sqlite_file(engine), timeout=30)
    try:
        copy.backup(target)  # in one step: the target gets all of it or none
    finally:
        target.close()
        copy.close()


# PostgreSQL

def _dump_postgresql(engine: Engine, target: Path) -> Snapshot:
    """``pg_dump`` run on a snapshot exported from our own REPEATABLE READ transaction, so the counts and keys
    we read are those of the dump, whatever the service writes meanwhile."""
    program = _program("pg_dump")
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            snapshot = read_snapshot(connection)
            _run([program, "--format=custom", f"--snapshot={snapshot_id}", "--no-password",
                  f"--file={target}", "--dbname", _libpq_uri(engine)], engine, "pg_dump")
    return snapshot


def _load_postgresql(engine: Engine, source: Path) -> None:
    program = _program("pg_restore")
    engine.dispose()
    _run([program, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--no-password",
          "--dbname", _libpq_uri(engine), str(source)], engine, "pg_restore")


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise LifError(f"{name} is not installed: install PostgreSQL's client programs (the postgresql-client "
                       f"package of the server's major version) to back up or restore a PostgreSQL database")
    return found


def _libpq_uri(engine: Engine) -> str:
    """The database's address for libpq, without the password (that goes in ``PGPASSWORD``, never on a command
    line others can read)."""
    url = make_url(engine.url)
    user = quote(url.username or "", safe="")
    where = f"{url.host or ''}" + (f":{url.port}" if url.port else "")
    query = urlencode({k: v for k, v in url.query.items() if isinstance(v, str)})
    return f"postgresql://{user}@{where}/{quote(url.database or '', safe='')}" + (f"?{query}" if query else "")


def _run(command: list[str], engine: Engine, name: str) -> None:
    env = dict(os.environ)
    password = make_url(engine.url).password
    if password:
        env["PGPASSWORD"] = str(password)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise LifError(f"{name} did not finish within {PG_TIMEOUT_S // 3600} hours") from None
    if done.returncode != 0:
        raise LifError(f"{name} failed: {_first_error(done.stderr)}")


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if "error:" in line), lines[0] if lines else "no message")
    return chosen.split("error:", 1)[-1].strip()
