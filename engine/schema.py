"""Creating and upgrading the database schema, including the triggers that keep the audit trail append-only."""
from __future__ import annotations

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

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


def create_schema(engine: Engine) -> None:
    """Create every missing table and the audit triggers. Safe to run on an existing database."""
    Base.metadata.create_all(engine)
    statements = _SQLITE_TRIGGERS if engine.dialect.name == "sqlite" else _POSTGRES_TRIGGERS
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def drop_schema(engine: Engine) -> None:
    Base.metadata.drop_all(engine)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, models.AuditEvent):
            raise ValueError("audit_event is append-only")
