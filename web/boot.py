"""The composition root: everything a process runs with, built from one ``Config`` in one place.

``create_app`` and every ``lif`` command call ``boot``. It sizes the process's sandbox pool, wires the notifications
room to the engine's events and makes the database engine and the session factory. The factory's sessions carry
the step settings (the script time and size limits), so whichever entry point runs a step, it runs under the
configured limits: no module global holds them.
"""
from __future__ import annotations

import notifications
from engine.config import Config
from engine.documents.settings import settings_from, use_document_settings
from engine.sandbox import pool as sandbox_pool
from engine.store.db import make_engine, make_session_factory
from engine.store.schema import create_schema

from .context import LifContext


def boot(config: Config, *, create_tables: bool = False) -> LifContext:
    """The configuration, the database engine and the session factory of this process, wired from ``config``."""
    # The pool is a process-wide resource (worker processes); one per process, sized here and nowhere else.
    sandbox_pool.configure(workers=config.script_workers, memory_mb=config.script_memory_mb)
    notifications.install(config)
    from .ops.metrics import connect_steps  # here, not at the top: `lif serve` imports this before metrics are set up
    connect_steps()  # every case step of this process is timed for /metrics
    engine = make_engine(config.database_url)
    if create_tables:
        create_schema(engine)
    factory = make_session_factory(engine, config.step_settings)
    use_document_settings(factory, settings_from(config))  # documents' limit, store and scanner, for every session
    return LifContext(config=config, engine=engine, factory=factory)
