"""``GET /healthz`` (the process answers; touches no database) and ``GET /readyz`` (this server can do its work: the
database answers, its schema is the one this code needs, and the scheduler has swept lately when this server runs
one). Neither needs a session or a sign-in, and neither is audited; readiness names what is wrong and nothing more
(no address of the database, no error text)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from engine import clock
from engine.cases import sweeps
from engine.store.db import unreachable
from engine.store.schema import current_revision, known_revisions
from notifications.scheduler import SWEEP_SECONDS

from ..context import LifContext, lif

bp = Blueprint("ops", __name__)
LATE_AFTER = timedelta(seconds=3 * SWEEP_SECONDS)  # three sweeps missed: the scheduler is late
EMBEDDED = "LIF_SCHEDULER_EMBEDDED"  # set by ``lif serve`` for its workers when it runs the scheduler itself
_STARTED = "lif.ops.started_at"


def install(app: Flask) -> None:
    app.extensions[_STARTED] = clock.now()  # the scheduler gets LATE_AFTER from here to make its first sweep


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    report, ready = readiness(lif(), clock.now(), started_at=current_app.extensions.get(_STARTED, clock.now()),
                              embedded=os.environ.get(EMBEDDED) == "1")
    return jsonify(report), 200 if ready else 503


def readiness(context: LifContext, now: datetime, *, started_at: datetime, embedded: bool) -> tuple[dict[str, Any],
                                                                                                     bool]:
    """The report ``/readyz`` answers, and whether it is ready."""
    report: dict[str, Any] = {"database": "ok", "schema": "unknown", "scheduler": {"embedded": embedded}}
    try:
        with context.reading() as session:
            revision = current_revision(session.connection())
            report["schema"] = schema_words(revision)
            last = sweeps.last_sweep(session, now) if report["schema"] == "current" else None
    except Exception as exc:
        if not unreachable(exc):
            raise
        report["database"] = "unreachable"
        report["scheduler"]["status"] = "unknown while the database is unreachable"
        return report, False
    if report["schema"] != "current":
        report["scheduler"]["status"] = "unknown until the schema is current"
        return report, False
    scheduler, on_time = scheduler_report(last, now, started_at=started_at, embedded=embedded)
    report["scheduler"].update(scheduler)
    return report, on_time


def schema_words(revision: str | None) -> str:
    """``current``, or what is wrong with the database's schema revision, in words."""
    head, known = known_revisions()
    if revision == head:
        return "current"
    if revision is None:
        return f"not created: run lif init (this version needs revision {head})"
    if revision in known:
        return f"behind: at revision {revision}, this version needs {head}; run lif init"
    return f"unknown revision {revision} (from a newer version of LIF?); this version needs {head}"


def scheduler_report(last: sweeps.Sweep | None, now: datetime, *, started_at: datetime,
                     embedded: bool) -> tuple[dict[str, Any], bool]:
    """The newest sweep's time and age; when this server runs the scheduler, whether it is late (no sweep within
    ``LATE_AFTER`` of the later of the newest sweep and this process's start)."""
    age = max(0.0, (now - last.swept_at).total_seconds()) if last is not None else None
    found: dict[str, Any] = {"last_sweep_at": last.swept_at.isoformat() if last else None,
                             "age_seconds": round(age, 1) if age is not None else None,
                             "late_after_seconds": int(LATE_AFTER.total_seconds())}
    if not embedded:
        return {**found, "status": "not run by this server"}, True
    since = max(last.swept_at, started_at) if last is not None else started_at
    if now - since > LATE_AFTER:
        return {**found, "status": "late"}, False
    recent = age is not None and age <= LATE_AFTER.total_seconds()
    return {**found, "status": "ok" if recent else "waiting for the first sweep"}, True
