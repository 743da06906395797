"""Creating and upgrading the database schema, including the triggers that keep the audit trail append-only.

``upgrade_schema`` (``lif init``) runs the Alembic migrations in ``engine/store/migrations``; a database made before
there were migrations (tables, no ``alembic_version``) is taken to be at the baseline revision first.
``create_schema`` makes the current tables directly, for tests and benchmarks on throwaway databases.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session

from ..errors import Conflict
from . import models  # noqa: F401  (registers the tables)
from .db import Base

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
_POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE_REVISION = "0001"  # the schema ``lif init`` made before migrations existed


def create_schema(engine: Engine) -> None:
    """Create every missing table and the audit triggers. Safe to run on an existing database."""
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        _ensure_triggers(connection)


def upgrade_schema(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision`` (the newest by default), in one transaction; says what was done.
    A database with tables but no revision is adopted as the baseline only when it has exactly the baseline's
    tables, columns and indexes; anything else is refused (``Conflict``) and left as it was."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # a migration may rebuild a table others point to; the keys are checked before committing
            _sqlite_foreign_keys(connection, "OFF")
        try:
            with connection.begin():
                summary = _upgrade(connection, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise Conflict("the upgrade would leave rows pointing at rows that do not exist; not upgraded")
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, "ON")
    return summary


def _sqlite_foreign_keys(connection: Connection, switch: str) -> None:
    """Through the driver's own connection: SQLite ignores the pragma inside a transaction, which
    SQLAlchemy's ``exec_driver_sql`` would begin."""
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection checked out of the pool holds its driver's connection
    driver.execute(f"PRAGMA foreign_keys={switch}")


def _upgrade(connection: Connection, revision: str) -> str:
    before = current_revision(connection)
    config = _alembic_config(connection)
    tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    adopted = before is None and bool(tables)
    if adopted:
        differences = structure_differences(structure(connection), baseline_structure())
        if differences:
            raise Conflict("the database has tables but no schema revision, and they are not those of LIF's first "
                           "release; not upgraded", differences)
        command.stamp(config, BASELINE_REVISION)
    command.upgrade(config, revision)
    _ensure_triggers(connection)
    after = current_revision(connection)
    if adopted:
        return f"database from before migrations taken as revision {BASELINE_REVISION}, now at revision {after}"
    if before is None:
        return f"database created at revision {after}"
    return f"database upgraded from revision {before} to {after}" if before != after else \
        f"database at revision {after}"


Structure = dict[str, tuple[frozenset[str], frozenset[str]]]  # table -> (column names, index names)


def structure(bind: Any) -> Structure:
    found = inspect(bind)
    return {table: (frozenset(c["name"] for c in found.get_columns(table)),
                    frozenset(i["name"] for i in found.get_indexes(table)
                              if not i.get("duplicates_constraint") and i["name"]))
            for table in found.get_table_names() if table != "alembic_version"}


def baseline_structure() -> Structure:
    """The baseline revision's tables, columns and indexes, built by its migration in a scratch database."""
    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as connection:
            command.upgrade(_alembic_config(connection), BASELINE_REVISION)
            return structure(connection)
    finally:
        scratch.dispose()


def structure_differences(found: Structure, expected: Structure) -> list[str]:
    problems = [f"missing table: {t}" for t in sorted(expected.keys() - found.keys())]
    problems += [f"unknown table: {t}" for t in sorted(found.keys() - expected.keys())]
    for table in sorted(found.keys() & expected.keys()):
        (columns, indexes), (want_columns, want_indexes) = found[table], expected[table]
        problems += [f"{table}: missing column {c}" for c in sorted(want_columns - columns)]
        problems += [f"{table}: unknown column {c}" for c in sorted(columns - want_columns)]
        problems += [f"{table}: missing index {i}" for i in sorted(want_indexes - indexes)]
        problems += [f"{table}: unknown index {i}" for i in sorted(indexes - want_indexes)]
    return problems


@cache
def known_revisions() -> tuple[str, frozenset[str]]:
    """The head revision of this version's migrations, and every revision it knows (an older database's)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None  # the package ships its migrations
    return head, frozenset(rev.revision for rev in script.walk_revisions())


def current_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic_config(connection: Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _ensure_triggers(connection: Connection) -> None:
    statements = _SQLITE_TRIGGERS if connection.dialect.name == "sqlite" else _POSTGRES_TRIGGERS
    for statement in statements:
        connection.execute(text(statement))


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, models.AuditEvent):
            raise ValueError("audit_event is append-only")
