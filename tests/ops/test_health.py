"""``/healthz`` and ``/readyz`` (issue 16), and the scheduler's record they read (``engine.cases.sweeps``).

``/healthz`` says the process answers and touches no database; ``/readyz`` is 200 only when the database answers,
its schema is the code's alembic head and, on a server that runs the scheduler, a sweep finished within three sweep
intervals (after a grace period from the start); otherwise 503 naming what is wrong. Time moves with time-machine.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engine.cases import sweeps
from engine.config import Config
from engine.store.db import make_session_factory, transaction
from engine.store.models import AuditEvent, SchedulerSweep
from notifications.sweep import sweep
from tests.conftest import NOW
from tests.ops.observe_kit import HEAD, make_app, ready_app, stamp  # noqa: F401  (a fixture)
from web.ops.health import LATE_AFTER

CLOSED_PORT = "postgresql+psycopg://lif:s3cret-pw@127.0.0.1:1/lif"


def _audit_rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(AuditEvent)).scalar()


def test_healthz_answers_ok_without_touching_the_database(tmp_path):
    app = make_app(CLOSED_PORT, tmp_path)  # nothing listens there: any database read would fail
    client = app.test_client()
    client.set_cookie("lif_session", "a-stale-session-cookie")
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in answer.headers and answer.headers["X-Request-Id"]


def test_readyz_is_ready_on_a_current_schema_and_needs_no_sign_in_csrf_or_audit(ready_app, db):
    before = _audit_rows(db)
    answer = ready_app.test_client().get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["database"] == "ok" and body["schema"] == "current"
    assert body["scheduler"] == {"embedded": False, "status": "not run by this server", "last_sweep_at": None,
                                 "age_seconds": None, "late_after_seconds": 180}
    assert _audit_rows(db) == before and "Set-Cookie" not in answer.headers


def test_readyz_is_503_naming_the_database_when_it_cannot_be_reached(tmp_path):
    answer = make_app(CLOSED_PORT, tmp_path).test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["database"] == "unreachable" and set(body) == {"database", "schema", "scheduler"}
    assert "s3cret" not in answer.get_data(as_text=True) and "127.0.0.1" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("revision,words", [
    (None, "not created: run lif init"), ("0016_process_drafts", "behind: at revision 0016_process_drafts"),
    ("0099_from_the_future", "unknown revision 0099_from_the_future")])
def test_readyz_is_503_when_the_schema_is_not_the_codes(db_url, db, tmp_path, revision, words):
    stamp(db, revision)
    answer = make_app(db_url, tmp_path).test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["database"] == "ok" and body["schema"].startswith(words) and HEAD in body["schema"]


def _sweep(app, when):
    lif = app.extensions["lif"]
    with time_machine.travel(when, tick=False):
        sweep(lif.factory, lif.config, when)


def test_an_embedded_scheduler_is_late_after_three_missed_sweeps(db_url, db, tmp_path, monkeypatch):
    monkeypatch.setenv("LIF_SCHEDULER_EMBEDDED", "1")
    stamp(db, HEAD)
    with time_machine.travel(NOW, tick=False) as clock:
        app = make_app(db_url, tmp_path)
        client = app.test_client()

        def ready():
            answer = client.get("/readyz")
            return answer.status_code, answer.get_json()["scheduler"]

        assert ready() == (200, {"embedded": True, "status": "waiting for the first sweep", "last_sweep_at": None,
                                 "age_seconds": None, "late_after_seconds": 180})
        clock.shift(LATE_AFTER + timedelta(seconds=1))  # no sweep since the start
        status, scheduler = ready()
        assert (status, scheduler["status"]) == (503, "late")
        _sweep(app, NOW + LATE_AFTER + timedelta(seconds=1))
        clock.shift(timedelta(seconds=30))
        status, scheduler = ready()
        assert (status, scheduler["status"], scheduler["age_seconds"]) == (200, "ok", 30.0)
        clock.shift(LATE_AFTER - timedelta(seconds=30))  # exactly three intervals: still on time
        assert ready()[0] == 200
        clock.shift(timedelta(seconds=1))
        status, scheduler = ready()
        assert (status, scheduler["status"], scheduler["age_seconds"]) == (503, "late", 181.0)


def test_a_server_without_the_scheduler_reports_the_last_sweeps_age_and_stays_ready(ready_app):
    _sweep(ready_app, NOW)
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        answer = ready_app.test_client().get("/readyz")
    assert answer.status_code == 200
    scheduler = answer.get_json()["scheduler"]
    assert scheduler["status"] == "not run by this server" and scheduler["age_seconds"] == 5 * 3600.0
    assert scheduler["last_sweep_at"] == NOW.isoformat()


def test_the_sweep_record_keeps_a_week_ignores_the_future_and_holds_no_case_data(db):
    factory = make_session_factory(db)
    for days in (10, 3, 0):
        with transaction(factory) as session:
            sweeps.record_sweep(session, now=NOW - timedelta(days=days), worker="host:1:abc", duration_s=0.0125,
                                counts={"timer": days})
    with transaction(factory) as session:  # a `lif tick --now` a day ahead
        sweeps.record_sweep(session, now=NOW + timedelta(days=1), worker="tick", duration_s=0, counts={})
    with transaction(factory) as session:
        kept = session.scalars(select(SchedulerSweep.swept_at).order_by(SchedulerSweep.swept_at)).all()
        last = sweeps.last_sweep(session, NOW)
    assert kept == [NOW - timedelta(days=3), NOW, NOW + timedelta(days=1)]  # ten days ago: pruned
    assert last == sweeps.Sweep(NOW, "host:1:abc", 12, {"timer": 0})
    assert set(SchedulerSweep.__table__.columns.keys()) == {"id", "swept_at", "worker", "duration_ms", "counts"}


def test_a_real_sweep_records_itself(db_url, db, tmp_path):
    config = Config.from_env(database_url=db_url, secret_key="k" * 32, workflows_dir=tmp_path / "none")
    factory = make_session_factory(db)
    result = sweep(factory, config, NOW)
    with transaction(factory) as session:
        last = sweeps.last_sweep(session, NOW)
    assert last is not None and last.swept_at == NOW and last.counts == result and last.duration_ms >= 0
