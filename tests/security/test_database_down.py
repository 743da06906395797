"""Item 13: the database unreachable.

Reproduction: ``LIF_DATABASE_URL=postgresql+psycopg://lif:pw@127.0.0.1:5999/lif lif init`` printed a 125-line
traceback; ``lif serve`` started and answered 500 to every call. Every command must print one clear line with the
password masked and exit non-zero; the app must answer 503 (the API's JSON error, an HTML page for pages) and
recover by itself once the database is back.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import make_url

from engine.config import Config
from engine.people import accounts
from engine.store.db import make_engine, make_session_factory, transaction
from engine.store.schema import create_schema
from tests.conftest import NOW, REPO
from tests.ops.tcp_proxy import TcpProxy
from web import create_app

LIF = (sys.executable, "-c", "from web.cli import main; main()")
CLOSED_PORT = "postgresql+psycopg://lif:s3cret-pw@127.0.0.1:1/lif"
COMMANDS = (("init",), ("tick",), ("user", "add", "bob", "--role", "admin"), ("agency", "add", "a", "A"),
            ("deploy", str(REPO / "workflows" / "cdop")), ("demo",))


def _sqlite_in_the_way(tmp_path) -> str:
    """A SQLite URL whose folder can never be made: a regular file stands where it should be (this holds for
    root too, whom an unwritable folder does not stop)."""
    (tmp_path / "in-the-way").write_text("not a folder")
    return f"sqlite:///{tmp_path / 'in-the-way' / 'db' / 'lif.sqlite3'}"


@pytest.mark.slow  # every command in its own process, twice (~8 s)
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_command_says_it_cannot_reach_the_database_in_one_line(tmp_path, kind):
    url = _sqlite_in_the_way(tmp_path) if kind == "sqlite" else CLOSED_PORT
    env = dict(os.environ, LIF_DATABASE_URL=url, LIF_SECRET_KEY="x", LIF_INSTANCE_DIR=str(tmp_path / "instance"))
    runs = [(c, subprocess.Popen([*LIF, *c], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)) for c in COMMANDS]
    for command, process in runs:
        out, err = process.communicate(timeout=60)
        lines = err.strip().splitlines()
        assert process.returncode == 1, (command, out, err)
        assert len(lines) == 1 and "Traceback" not in out + err, (command, err)
        assert lines[0].startswith("lif: cannot reach the database at "), (command, err)
        if kind == "postgresql":
            assert "s3cret-pw" not in out + err and "lif:***@127.0.0.1:1/lif (connection refused)" in lines[0]
        else:
            assert lines[0].endswith("(unable to open database file)"), lines[0]


def _down_app(url: str, tmp_path):
    app = create_app(Config.from_env(database_url=url, secret_key="test-secret", workflows_dir=tmp_path / "none"))
    app.config.update(WTF_CSRF_ENABLED=False)
    return app


def _assert_unavailable(app) -> None:
    client = app.test_client()
    for response in (client.post("/api/v1/auth/token", json={"username": "cora", "password": "coordinator-pass"}),
                     client.get("/api/v1/tasks", headers={"Authorization": "Bearer abc"})):
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert set(response.get_json()["error"]) == {"code", "message", "details"}
    response = client.post("/sign-in", data={"username": "cora", "password": "coordinator-pass"})
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)


def test_a_closed_postgresql_port_answers_503(tmp_path):
    _assert_unavailable(_down_app(CLOSED_PORT, tmp_path))


def test_the_app_answers_503_while_the_database_is_away_and_recovers_without_a_restart(tmp_path):
    url = _sqlite_in_the_way(tmp_path)
    app = _down_app(url, tmp_path)
    _assert_unavailable(app)
    # the database comes back: the folder is there now, with the schema and a user
    (tmp_path / "in-the-way").unlink()
    (tmp_path / "in-the-way" / "db").mkdir(parents=True)
    engine = make_engine(url)
    create_schema(engine)
    with transaction(make_session_factory(engine)) as session:
        accounts.add_user(session, "cora", roles=["coordinator"], password="coordinator-pass", actor=None, now=NOW)
    engine.dispose()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "cora", "password": "coordinator-pass"})
    assert token.status_code == 200, token.get_json()
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    assert tasks.status_code == 200
    assert client.post("/sign-in", data={"username": "cora", "password": "coordinator-pass"}).status_code == 302


def test_postgresql_going_away_answers_503_and_the_app_recovers_without_a_restart(db_url, db, partnership, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("needs LIF_TEST_POSTGRES_URL")
    real = make_url(db_url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    proxy.restore()
    app = _down_app(real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), tmp_path)
    client = app.test_client()
    credentials = {"username": "cora", "password": "coordinator-pass"}
    token = client.post("/api/v1/auth/token", json=credentials).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    proxy.cut()
    try:
        _assert_unavailable(app)
        assert client.get("/api/v1/tasks", headers=headers).status_code == 503
    finally:
        proxy.restore()
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/token", json=credentials).status_code == 200
    proxy.cut()


def test_a_schema_older_than_the_code_is_not_called_unreachable(tmp_path):
    """SQLite reports a missing table as an OperationalError, like a missing file: only the second is a 503."""
    from sqlalchemy import text as sql
    from sqlalchemy.exc import OperationalError

    from engine.store.db import make_engine, unreachable
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with pytest.raises(OperationalError) as missing_table, engine.connect() as conn:
        conn.execute(sql("SELECT * FROM sign_in_known"))
    assert not unreachable(missing_table.value)
    gone = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'lif.sqlite3'}")
    with pytest.raises(OperationalError) as no_file, gone.connect():
        pass
    assert unreachable(no_file.value)
