"""Logs (issue 16): ``LIF_LOG_FORMAT=json`` gives one JSON object a line, every line written during a request carries
that request's id (also sent back as ``X-Request-Id``), and nothing personal reaches the log.

The class test runs a working day at DEBUG through the app (sign in, a token, a case started with a child's name, a
completion with free-text answers, a search, a failing step, an email through the console backend, a 500 whose
exception names the child) and reads every captured line for every secret and every piece of personal data used."""
from __future__ import annotations

import io
import json
import logging
import re
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert

from engine.store.models import Notification
from tests.conftest import NOW, PASSWORDS
from tests.ops.observe_kit import HEAD, Driver, make_app, stamp
from web.ops import logs

CHILD = "Jasmine Featherstonehaugh"
AUNT_EMAIL = "philippa.quarrington@example.org"
ANSWER = "Disclosed to her aunt Philippa Quarrington on Tuesday"
SEARCH = "Featherstonehaugh"
WRONG_PASSWORD = "Wrong-Horse-Battery-77"


@pytest.fixture
def captured(monkeypatch):
    """The root logger as ``lif -v`` sets it up with ``LIF_LOG_FORMAT=json``, writing into a buffer."""
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    root = logging.getLogger()
    level = root.level
    logs.configure(verbose=True, log_format="json", force=True)
    yield buffer
    for handler in [h for h in root.handlers if getattr(h, "_lif", False)]:
        root.removeHandler(handler)
    root.setLevel(level)


class Recorder:
    """Each request's answer, and the log lines written while it was answered."""

    def __init__(self, buffer: io.StringIO) -> None:
        self.buffer = buffer

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.buffer.getvalue().splitlines()]  # each line is one JSON object

    def during(self, call):
        start = len(self.lines())
        answer = call()
        written = self.lines()[start:]
        request_id = answer.headers["X-Request-Id"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
        assert all(line["request_id"] == request_id for line in written), written
        return answer, written


@pytest.mark.slow  # a working day through the app at DEBUG (about 4 s)
def test_a_working_day_at_debug_logs_no_personal_data_token_or_password(db_url, db, tmp_path, partnership, captured):
    stamp(db, HEAD)
    app = make_app(db_url, tmp_path, mail_backend="console")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-only/fails")
    def fails():
        raise RuntimeError(f"could not file the referral for {CHILD} <{AUNT_EMAIL}>")

    client, record = app.test_client(), Recorder(captured)
    driver = Driver(client)
    for name in ("simple_review", "api_flaky"):
        driver.deploy(name)
    answer, _ = record.during(lambda: client.post("/sign-in", data={"username": "cora",
                                                                     "password": PASSWORDS["cora"]}))
    assert answer.status_code == 302
    session_cookie = client.get_cookie("lif_session").value
    record.during(lambda: client.post("/sign-in", data={"username": "pat", "password": WRONG_PASSWORD}))
    answer, _ = record.during(lambda: client.post("/api/v1/auth/token", json={"username": "pat",
                                                                               "password": PASSWORDS["pat"]}))
    token = answer.get_json()["token"]
    review = driver.start("simple_review", {"case_ref": CHILD})
    answer, _ = record.during(lambda: client.post(
        f"/api/v1/tasks/{review['tasks'][0]['id']}/complete", json={"data": {"summary": ANSWER, "agency": "police"}},
        headers={"Authorization": f"Bearer {token}"}))
    assert answer.status_code == 200, answer.get_json()
    answer, _ = record.during(lambda: client.get("/cases", query_string={"q": SEARCH}))
    assert answer.status_code == 200 and SEARCH in answer.get_data(as_text=True)  # the page repeats the term
    failed = driver.start("api_flaky", {})
    assert failed["status"] == "error"
    answer, written = record.during(lambda: client.get("/test-only/fails", query_string={"child": CHILD}))
    assert answer.status_code == 500 and any(line["level"] == "ERROR" and "exception" in line for line in written)
    with db.begin() as connection:
        connection.execute(insert(Notification), [dict(
            idempotency_key="k1", kind="reminder", channel="email", recipient="pat", address=AUNT_EMAIL,
            subject=f"About {CHILD}", body=f"{ANSWER}. {CHILD}", state="pending", attempts=0, created_at=NOW,
            next_attempt_at=NOW)])
    lif = app.extensions["lif"]
    from notifications.sweep import sweep
    assert sweep(lif.factory, lif.config, NOW + timedelta(days=1))["sent"] == 1

    text = captured.getvalue()
    assert len(record.lines()) > 20 and any(line["level"] == "DEBUG" for line in record.lines())
    secrets = {"a password": [*PASSWORDS.values(), WRONG_PASSWORD], "a token": [token, session_cookie],
               "the child's name": [CHILD, *CHILD.split()], "an email address": [AUNT_EMAIL, "example.org"],
               "a form answer": [ANSWER, "Philippa", "Quarrington"], "a search term": [SEARCH, "q="]}
    for what, values in secrets.items():
        for secret in values:
            assert secret.lower() not in text.lower(), f"{what} reached the log: {secret!r}"
    assert re.search(r"email \d+ \(reminder\) not sent", text)  # the console backend did write its line


OFFERED = {"3f2c9a1e-7b7d-4c1e-9f0a-2b6f5e1d0c9a": True, "edge.proxy:42_A-b": True, "x" * 64: True, "x" * 65: False,
           "has spaces": False, "line\nbreak": False, "": False, "naïve": False, "a;drop": False, "%0d%0a": False}


def test_a_well_formed_request_id_is_kept_and_any_other_replaced(db_url, db, tmp_path):
    client = make_app(db_url, tmp_path).test_client()
    for offered, kept in OFFERED.items():
        for path in ("/healthz", "/no-such-page", "/api/v1/tasks"):  # an answer of each kind: 200, 404, 401
            answer = client.get(path, environ_base={"HTTP_X_REQUEST_ID": offered})
            [given] = answer.headers.getlist("X-Request-Id")
            assert given == offered if kept else re.fullmatch(r"[0-9a-f]{32}", given), (offered, path, given)
    assert len({client.get("/healthz").headers["X-Request-Id"] for _ in range(3)}) == 3


def test_text_lines_carry_the_request_id_and_the_dev_servers_request_line_loses_its_query(db_url, db, tmp_path,
                                                                                          monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    root, level = logging.getLogger(), logging.getLogger().level
    logs.configure(verbose=False, log_format="text", force=True)
    try:
        app = make_app(db_url, tmp_path)

        @app.get("/test-only/says")
        def says():
            logging.getLogger("web.test").info("inside the request")
            return "ok"

        answer = app.test_client().get("/test-only/says")
        logging.getLogger("werkzeug").info('127.0.0.1 - - [07/Dec/2026 10:00:00] "GET /cases?q=%s HTTP/1.1" 200 -',
                                           SEARCH)
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_lif", False)]:
            root.removeHandler(handler)
        root.setLevel(level)
    lines = buffer.getvalue().splitlines()
    inside = next(line for line in lines if "inside the request" in line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO web\.test \[([0-9a-f]{32})\]: inside the request",
                        inside).group(1) == answer.headers["X-Request-Id"]
    request_line = next(line for line in lines if "werkzeug" in line)
    assert '"GET /cases HTTP/1.1" 200' in request_line and SEARCH not in request_line
    assert "[-]:" in request_line  # outside a request


def test_gunicorns_access_line_is_method_path_status_and_time_with_the_request_id(monkeypatch):
    """gunicorn's logger class as ``lif serve`` uses it (``gunicorn_options``), given what gunicorn gives it."""
    from gunicorn.config import Config as GunicornConfig

    monkeypatch.setenv("LIF_LOG_FORMAT", "json")
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)  # gunicorn writes its access log to stdout
    config = GunicornConfig()
    for name, value in {"accesslog": "-", **logs.gunicorn_options()}.items():
        config.set(name, value)
    logger = config.logger_class(config)
    try:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/cases", "QUERY_STRING": f"q={SEARCH}",
                   "HTTP_REFERER": f"http://x/cases?q={SEARCH}", "REMOTE_ADDR": "203.0.113.9",
                   "HTTP_USER_AGENT": "Mozilla/5.0", "lif.request_id": "0123456789abcdef0123456789abcdef"}
        request = SimpleNamespace(path="/cases", query=f"q={SEARCH}", method="GET", uri=f"/cases?q={SEARCH}",
                                  version=(1, 1), headers=[])
        logger.access(SimpleNamespace(status="200 OK", sent=10, headers=[]), request, environ,
                      timedelta(milliseconds=12.34))
    finally:
        for handler in [*logger.access_log.handlers, *logger.error_log.handlers]:
            handler.close()
    [line] = buffer.getvalue().splitlines()
    record = json.loads(line)
    assert {k: record[k] for k in ("logger", "method", "path", "status", "duration_ms", "request_id")} == {
        "logger": "gunicorn.access", "method": "GET", "path": "/cases", "status": 200, "duration_ms": 12.3,
        "request_id": "0123456789abcdef0123456789abcdef"}
    assert SEARCH not in line and "203.0.113.9" not in line and "Mozilla" not in line


def test_a_username_in_the_path_reaches_no_log_line(db_url, db, tmp_path, monkeypatch, caplog):
    """A username may be an email address: the admin pages' paths name the user, so the path the access line and
    the 500 line show has the route's name for that part instead (``/admin/users/<username>``)."""
    from gunicorn.config import Config as GunicornConfig
    from werkzeug.test import EnvironBuilder

    app = make_app(db_url, tmp_path)

    @app.get("/test-only/users/<username>")
    def fails(username):
        raise RuntimeError("boom")

    def logged_path(path: str, method: str = "GET") -> str:
        environ = EnvironBuilder(path=path, method=method).get_environ()
        b"".join(app(environ, lambda status, headers, exc_info=None: None))
        return environ.get("lif.log_path", path)

    assert logged_path(f"/admin/users/{AUNT_EMAIL}") == "/admin/users/<username>"
    assert logged_path(f"/admin/users/{AUNT_EMAIL}/password", "POST") == "/admin/users/<username>/password"
    assert logged_path("/cases/12%0A") == "/cases/12%0A"  # others: gunicorn's raw path, ids kept

    with caplog.at_level("DEBUG"):
        assert app.test_client().get(f"/test-only/users/{AUNT_EMAIL}").status_code == 500
    said = [r.getMessage() for r in caplog.records]
    assert any("/test-only/users/<username>" in line for line in said) and not any(AUNT_EMAIL in s for s in said)

    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)
    config = GunicornConfig()
    for name, value in {"accesslog": "-", **logs.gunicorn_options()}.items():
        config.set(name, value)
    logger = config.logger_class(config)
    try:
        environ = {"REQUEST_METHOD": "GET", "lif.log_path": "/admin/users/<username>"}
        request = SimpleNamespace(path=f"/admin/users/{AUNT_EMAIL}", query="", method="GET",
                                  uri=f"/admin/users/{AUNT_EMAIL}", version=(1, 1), headers=[])
        logger.access(SimpleNamespace(status="200 OK", sent=10, headers=[]), request, environ, timedelta(0))
    finally:
        for handler in [*logger.access_log.handlers, *logger.error_log.handlers]:
            handler.close()
    assert "/admin/users/<username>" in buffer.getvalue() and AUNT_EMAIL not in buffer.getvalue()


@pytest.mark.slow  # a subprocess that builds the app
def test_the_wsgi_entry_point_logs_in_lifs_format_without_an_exceptions_message(tmp_path):
    """``gunicorn web.wsgi:app`` sets up gunicorn's loggers only: the app's lines (a 500's traceback) go through
    LIF's formatter, which never writes an exception's message, not through Python's last resort, which does."""
    import subprocess

    from tests.conftest import REPO
    from tests.ops.ops_kit import instance_env

    probe = (f"import logging\nfrom web.wsgi import app\ntry:\n    raise ValueError({CHILD!r})\n"
             "except ValueError as exc:\n    logging.getLogger('web.pages.errors')"
             ".error('unexpected', exc_info=exc)\n")
    env = instance_env(tmp_path, f"sqlite:///{tmp_path / 'lif.sqlite3'}", LIF_LOG_FORMAT="json")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    [line] = [json.loads(line) for line in done.stderr.splitlines() if '"unexpected"' in line]
    assert "ValueError (message not logged)" in line["exception"] and CHILD not in done.stderr


def test_gunicorns_error_lines_lose_the_query_string_and_the_client_address(monkeypatch):
    """gunicorn quotes the request when the app raises or the request is malformed: the filter on its handlers
    takes out the query string (a search for a child) and the client's address."""
    from gunicorn.config import Config as GunicornConfig

    monkeypatch.setenv("LIF_LOG_FORMAT", "text")
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)  # gunicorn writes its error log to stderr
    config = GunicornConfig()
    for name, value in {"errorlog": "-", **logs.gunicorn_options()}.items():
        config.set(name, value)
    logger = config.logger_class(config)
    try:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("Error handling request %s %s", "GET", f"/tasks?search={SEARCH}")
        logger.warning("Invalid request from ip=203.0.113.9: Invalid HTTP request line: "
                       f"'GET /cases?q={SEARCH}&x=1 junk'")
    finally:
        for handler in [*logger.access_log.handlers, *logger.error_log.handlers]:
            handler.close()
    written = buffer.getvalue()
    assert "Error handling request GET /tasks" in written and "line: 'GET /cases junk'" in written, written
    assert SEARCH not in written and "203.0.113.9" not in written
