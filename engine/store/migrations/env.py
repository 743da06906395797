"""Alembic's environment: always run from ``engine.schema`` with a connection handed over, never from an ini."""
from __future__ import annotations

from alembic import context

from engine.store import models  # noqa: F401  (registers the tables)
from engine.store.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
