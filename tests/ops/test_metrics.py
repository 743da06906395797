"""``/metrics`` (issue 16): Prometheus's text format as prometheus-client's own parser reads it, every name beginning
``lif_``, each metric the issue names present and equal to what happened (requests by endpoint name, never a path;
steps; sign-in failures; what waits in the database, read at the scrape). Served to loopback or with the token,
else the ordinary 404. Under ``lif serve`` every worker writes its counts to one folder and any worker's scrape
adds them all up: proved with separate processes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, select

from engine.store.models import DueItem, Notification
from tests.conftest import NOW, REPO
from tests.ops.observe_kit import HEAD, Driver, make_app, stamp

NAMED = {"lif_http_request_duration_seconds", "lif_step_duration_seconds", "lif_due_items_waiting",
         "lif_due_item_oldest_age_seconds", "lif_outbox_pending", "lif_outbox_failed",
         "lif_scheduler_last_sweep_age_seconds", "lif_sign_in_failures", "lif_database_up"}
CLOSED_PORT = "postgresql+psycopg://lif:s3cret-pw@127.0.0.1:1/lif"


def scrape(client, **kwargs):
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    return {family.name: family for family in text_string_to_metric_families(answer.get_data(as_text=True))}


def value(families, sample_name, **labels):
    """The sum of the samples of that name whose labels include ``labels``."""
    family = next(f for f in families.values() if any(s.name == sample_name for s in f.samples))
    return sum(s.value for s in family.samples
               if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items()))


def counts_before(client):
    """Counters are process-wide (one registry a process, as under gunicorn): tests compare differences."""
    families = scrape(client)
    return lambda name, **labels: value(families, name, **labels) if any(
        s.name == name for f in families.values() for s in f.samples) else 0.0


@pytest.fixture
def story(db_url, db, tmp_path, partnership):
    """An app on a current schema where things happened: sign-ins refused, a case started and a step taken, a case
    with deadlines long past, email waiting and email given up on, and a sweep an hour ago."""
    stamp(db, HEAD)
    with time_machine.travel(NOW, tick=False) as clock:
        app = make_app(db_url, tmp_path)
        client = app.test_client()
        before = counts_before(client)
        for _ in range(2):
            assert client.post("/api/v1/auth/token", json={"username": "pat", "password": "wrong"}).status_code == 401
        assert client.post("/sign-in", data={"username": "pat", "password": "wrong-again"}).status_code == 401
        driver = Driver(client)
        for name in ("simple_review", "deadlines"):
            driver.deploy(name)
        review = driver.start("simple_review", {"case_ref": "C-1"})
        driver.post(f"/tasks/{review['tasks'][0]['id']}/complete", "pat",
                    {"data": {"summary": "A summary of the case", "agency": "police"}})
        driver.start("deadlines", {"notified_on": "2026-10-01"})
        with db.begin() as connection:
            rows = [dict(idempotency_key=f"k{i}", kind="reminder", channel="email", recipient="pat", subject="s",
                         body="b", state=state, attempts=0, created_at=NOW) for i, state in
                    enumerate(["pending", "pending", "failed", "sent"])]
            connection.execute(insert(Notification), rows)
        lif = app.extensions["lif"]
        from notifications.sweep import sweep
        sweep(lif.factory, lif.config, NOW - timedelta(hours=1))
        client.get("/no/such/page", query_string={"q": "a search term"})
        clock.shift(timedelta(days=30))
        yield app, client, before, db


def test_metrics_parse_and_hold_every_named_metric_equal_to_what_happened(story):
    app, client, before, db = story
    families = scrape(client)
    assert NAMED <= set(families), sorted(NAMED - set(families))
    assert all(name.startswith("lif_") for name in families), sorted(families)

    def grew(name, **labels):
        return value(families, name, **labels) - before(name, **labels)

    assert grew("lif_sign_in_failures_total", via="api", reason="wrong") == 2
    assert grew("lif_sign_in_failures_total", via="pages", reason="wrong") == 1
    assert grew("lif_step_duration_seconds_count", process="simple_review", kind="start", outcome="ok") == 1
    assert grew("lif_step_duration_seconds_count", process="simple_review", kind="step", outcome="ok") == 1
    assert grew("lif_step_duration_seconds_count", process="deadlines", kind="start", outcome="ok") == 1
    assert grew("lif_http_request_duration_seconds_count", endpoint="api.issue_token", method="POST",
                status="4xx") == 2
    assert grew("lif_http_request_duration_seconds_count", endpoint="unmatched", method="GET", status="4xx") == 1
    endpoints = {s.labels["endpoint"] for s in families["lif_http_request_duration_seconds"].samples
                 if s.name.endswith("_count") and grew(s.name, endpoint=s.labels["endpoint"])}
    assert {"auth.sign_in", "api.complete_task", "unmatched"} <= endpoints
    assert endpoints <= set(app.view_functions) | {"unmatched"}, endpoints  # names, never a path or an id

    now = NOW + timedelta(days=30)
    with db.connect() as connection:  # every open due row, its time read in Python
        open_rows = connection.execute(select(DueItem.due_at).where(DueItem.done_at.is_(None))).scalars().all()
    waiting_at = sorted(at for at in open_rows if at <= now)
    assert waiting_at, "the deadlines case has rungs due by now"
    assert value(families, "lif_due_items_waiting") == len(waiting_at)
    assert value(families, "lif_due_item_oldest_age_seconds") == (now - waiting_at[0]).total_seconds()
    assert value(families, "lif_outbox_pending") == 2 and value(families, "lif_outbox_failed") == 1
    assert value(families, "lif_scheduler_last_sweep_age_seconds") == (timedelta(days=30, hours=1)).total_seconds()
    assert value(families, "lif_database_up") == 1


def test_metrics_are_for_loopback_or_the_token_and_otherwise_look_like_any_missing_page(db_url, db, tmp_path):
    stamp(db, HEAD)
    app = make_app(db_url, tmp_path, metrics_token="a-long-metrics-token-0123456789")
    client = app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    missing = client.get("/no-such-page", environ_base=outside)
    for headers, environ in [({}, outside), ({"Authorization": "Bearer wrong"}, outside),
                             ({"X-Forwarded-For": "203.0.113.7"}, {}), ({"Forwarded": "for=203.0.113.7"}, {})]:
        answer = client.get("/metrics", headers=headers, environ_base=environ)
        assert answer.status_code == 404 and answer.get_data() == missing.get_data(), (headers, environ)
    bearer = {"Authorization": "Bearer a-long-metrics-token-0123456789"}
    assert client.get("/metrics", headers=bearer, environ_base=outside).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1


def test_metrics_answer_while_the_database_is_away_saying_so(tmp_path):
    families = scrape(make_app(CLOSED_PORT, tmp_path).test_client())
    assert value(families, "lif_database_up") == 0 and "lif_outbox_pending" not in families


@pytest.mark.slow  # a Python process importing the command line (about 1.5 s)
def test_lif_serves_arbiter_imports_no_prometheus_client_before_prepare():
    """gunicorn's arbiter imports these before ``prepare`` picks the mode; prometheus_client must not come with them."""
    probe = ("import sys, web.cli, web.ops.multiprocess, web.ops.logs, web.production; "
             "print('prometheus_client' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


_WORKER = textwrap.dedent("""
    import sys
    from engine.timings import StepTimed, _tell
    from web.ops import metrics
    metrics.connect_steps()
    for _ in range(int(sys.argv[1])):
        _tell(StepTimed("simple_review", "step", "ok", 0.02))
        metrics.SIGN_IN_FAILURES.labels("api", "wrong").inc()
""")
_SCRAPER = textwrap.dedent("""
    import sys
    from engine.config import Config
    from web import create_app
    app = create_app(Config.from_env(database_url=sys.argv[1], secret_key="k" * 32))
    sys.stdout.write(app.test_client().get("/metrics").get_data(as_text=True))
""")


@pytest.mark.slow  # four Python processes (about 6 s)
def test_each_process_writes_its_counts_and_any_process_scrapes_the_sum(tmp_path):
    from web.ops import multiprocess

    folder = tmp_path / "metrics"
    env = {**os.environ, "PYTHONPATH": str(REPO), "LIF_INSTANCE_DIR": str(tmp_path / "instance")}
    probe = ("import os, json; from web.ops import multiprocess; folder = multiprocess.prepare(os.environ['TARGET']); "
             "print(json.dumps([str(folder), os.environ['PROMETHEUS_MULTIPROC_DIR']]))")
    (folder / "stale.db").parent.mkdir()
    (folder / "stale.db").write_text("a dead server's counts")
    prepared = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env={**env, "TARGET": str(folder)},
                              capture_output=True, text=True, timeout=60)
    assert json.loads(prepared.stdout) == [str(folder), str(folder)] and not list(folder.iterdir()), prepared.stderr
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(n)], cwd=REPO, env=env) for n in (3, 4)]
    assert [w.wait(timeout=60) for w in workers] == [0, 0]
    for worker in workers:
        multiprocess.worker_exited(worker.pid)  # as gunicorn's child_exit hook does; counts stay
    url = f"sqlite:///{tmp_path / 'lif.sqlite3'}"
    scraped = subprocess.run([sys.executable, "-c", _SCRAPER, url], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=60)
    assert scraped.returncode == 0, scraped.stderr
    families = {f.name: f for f in text_string_to_metric_families(scraped.stdout)}
    assert value(families, "lif_step_duration_seconds_count", process="simple_review") == 7
    assert value(families, "lif_step_duration_seconds_sum") == pytest.approx(0.14)
    assert value(families, "lif_sign_in_failures_total", via="api") == 7
    assert all(name.startswith("lif_") for name in families)


def test_a_throttled_sign_in_counts_apart_from_a_wrong_one(db_url, db, tmp_path, partnership):
    stamp(db, HEAD)
    client = make_app(db_url, tmp_path, login_max_failures=1).test_client()
    before = counts_before(client)
    tries = [client.post("/api/v1/auth/token", json={"username": "sam", "password": "wrong"}).status_code
             for _ in range(3)]
    assert tries == [401, 429, 429]
    families = scrape(client)
    for reason, expected in (("wrong", 1), ("throttled", 2)):
        name = "lif_sign_in_failures_total"
        assert value(families, name, via="api", reason=reason) - before(name, via="api", reason=reason) == expected


@pytest.mark.slow  # lif serve with two workers and its scheduler (about 15 s)
def test_lif_serve_with_two_workers_counts_every_request_in_every_scrape_and_is_ready(tmp_path):
    """The real server: requests spread over two workers, and whichever worker answers a scrape counts them all;
    the embedded scheduler's first sweep makes /readyz report it; the JSON access lines carry ids, not queries."""
    import time
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from tests.ops.ops_kit import instance_env, lif_serve, run_lif

    env = instance_env(tmp_path, f"sqlite:///{tmp_path / 'lif.sqlite3'}", LIF_LOG_FORMAT="json")
    assert run_lif(env, "init").returncode == 0
    with lif_serve(env, "--workers", "2", "--threads", "2", log_path=tmp_path / "serve.log") as served:
        def get(path):
            with urllib.request.urlopen(served.base + path, timeout=10) as answer:
                return answer.status, answer.headers["X-Request-Id"], answer.read().decode()

        with ThreadPoolExecutor(8) as pool:
            assert {status for status, _, _ in pool.map(get, ["/healthz"] * 40)} == {200}
        get(f"/sign-in?q={SECRET_TERM}")
        scrapes = [text_string_to_metric_families(get("/metrics")[2]) for _ in range(8)]
        healthz = [value({f.name: f for f in families}, "lif_http_request_duration_seconds_count",
                         endpoint="ops.healthz") for families in scrapes]
        assert healthz == [40] * 8, healthz
        deadline, scheduler = time.monotonic() + 30, {}
        while time.monotonic() < deadline and scheduler.get("status") != "ok":
            status, _, body = get("/readyz")
            scheduler = json.loads(body)["scheduler"]
            time.sleep(0.2)
        assert status == 200 and scheduler["embedded"] is True and scheduler["status"] == "ok", scheduler
    lines = [json.loads(line) for line in served.log().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert len(access) >= 50 and all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in access)
    assert SECRET_TERM not in served.log() and any(line["path"] == "/sign-in" for line in access)


SECRET_TERM = "Featherstonehaugh"
