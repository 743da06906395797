"""Item 4: the database goes away and comes back. Browsers get the styled 503 page, drawn without the database
(nothing in the layout may need it, even for a user signed in before it went); the API its 503 JSON error. Under
``lif serve --workers 2``, PostgreSQL is cut in the middle of a burst by a loopback proxy the test controls: every
answer while it is away is a 503, none is a 500, and the same workers serve again once it is back."""
from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from engine.config import Config
from engine.errors import DatabaseUnavailable
from engine.people import accounts
from engine.store.db import UNAVAILABLE, make_engine, make_session_factory, transaction
from engine.store.schema import create_schema
from tests.conftest import NOW
from tests.ops.ops_kit import instance_env, lif_serve, run_lif
from tests.ops.tcp_proxy import TcpProxy
from web import create_app
from web.context import lif

PG = os.environ.get("LIF_TEST_POSTGRES_URL")
PASSWORD = "coordinator-pass"


def _assert_styled_503(status: int, html: str) -> None:
    assert status == 503, html[:500]
    assert '<html lang="en" class="govuk-template">' in html and "govuk-frontend.min.css" in html
    assert "<h1 class=\"govuk-heading-l\">Sorry, the service is unavailable</h1>" in html
    assert "Sign out" not in html and "My tasks" not in html  # drawn as for nobody: the navigation reads nothing


# The page, in process

def test_the_503_page_draws_without_the_database_for_a_user_signed_in_before_it_went(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'lif.sqlite3'}")
    create_schema(engine)
    with transaction(make_session_factory(engine)) as session:
        accounts.add_user(session, "cora", roles=["coordinator"], password=PASSWORD, actor=None, now=NOW)
    engine.dispose()
    app = create_app(Config.from_env(database_url=str(engine.url), secret_key="test-secret",
                                     workflows_dir=tmp_path / "none"))
    app.config.update(WTF_CSRF_ENABLED=False)

    def _database_goes() -> None:  # after the signed-in user was loaded, before the page is drawn
        lif(app).engine.dispose()
        folder.rename(tmp_path / "away")

    @app.get("/away-then-refused")
    def _refused() -> str:
        _database_goes()
        raise DatabaseUnavailable(UNAVAILABLE)

    @app.get("/away-mid-query")
    def _mid_query() -> str:  # a raw driver error, past the checks of ``reading`` and ``transaction``
        _database_goes()
        with lif(app).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "unreachable"

    client = app.test_client()
    assert client.post("/sign-in", data={"username": "cora", "password": PASSWORD}).status_code == 302
    for path in ("/away-then-refused", "/away-mid-query"):
        response = client.get(path)
        _assert_styled_503(response.status_code, response.get_data(as_text=True))
        (tmp_path / "away").rename(folder)  # back again: the same session is served
        assert client.get("/").status_code == 200


# PostgreSQL cut under the production server

@dataclass(frozen=True)
class Answer:
    kind: str  # "api" or "page"
    started: float
    ended: float
    status: int  # 0: no HTTP answer at all
    body: str


class Burst:
    """Threads asking for the task list, half through the API with a token and half as a page with a session
    cookie, as fast as they are answered, until stopped; every answer kept."""

    def __init__(self, base: str, token: str, cookie: str, threads: int = 6) -> None:
        self.base, self.token, self.cookie = base, token, cookie
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=("api" if n % 2 else "page",)) for n in range(threads)]

    def __enter__(self) -> Burst:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, kind: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if kind == "api" else {"Cookie": self.cookie}
        url = self.base + ("/api/v1/tasks" if kind == "api" else "/")
        while not self._stop.is_set():
            started = time.monotonic()
            status, body = _get(url, headers)
            self.answers.append(Answer(kind, started, time.monotonic(), status, body))

    def since(self, moment: float) -> list[Answer]:
        return [a for a in list(self.answers) if a.started >= moment]


def _get(url: str, headers: dict[str, str]) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as failed:
        return 0, repr(failed)


def _post(url: str, body: bytes, headers: dict[str, str]) -> urllib.request.addinfourl:
    class _Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None  # the sign-in's 302 is the answer wanted, with its cookie

    try:
        return urllib.request.build_opener(_Keep).open(urllib.request.Request(url, data=body, headers=headers),
                                                       timeout=30)
    except urllib.error.HTTPError as answer:
        return answer


def _sign_in(base: str) -> tuple[str, str]:
    """A bearer token, and a signed-in page session's cookie."""
    token = json.loads(_post(base + "/api/v1/auth/token", json.dumps({"username": "cora", "password": PASSWORD})
                             .encode(), {"Content-Type": "application/json"}).read())["token"]
    with urllib.request.urlopen(base + "/sign-in", timeout=30) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode({"username": "cora", "password": PASSWORD, "csrf_token": csrf}).encode()
    signed = _post(base + "/sign-in", form, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert signed.status == 302, signed.read()[:500]
    return token, signed.headers["Set-Cookie"].split(";")[0]


def _workers(pid: int) -> set[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


@pytest.fixture
def throwaway_postgres():
    """A database of its own on the test cluster, dropped at the end."""
    if not PG:
        pytest.skip("needs LIF_TEST_POSTGRES_URL")
    name = f"lif_away_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG).set(database=name)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.slow  # a production server with two workers, and a burst of requests for about ten seconds
def test_postgresql_cut_mid_burst_answers_503_never_500_and_the_same_workers_recover(throwaway_postgres, tmp_path):
    real = throwaway_postgres
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        env = instance_env(tmp_path, url, LIF_WORKFLOWS_DIR=str(tmp_path / "no-workflows"))
        for command in (("init",), ("user", "add", "cora", "--role", "coordinator", "--password", PASSWORD)):
            done = run_lif(env, *command)
            assert done.returncode == 0, done.stderr
        with lif_serve(env, "--workers", "2", "--no-scheduler", log_path=tmp_path / "serve.log") as served:
            token, cookie = _sign_in(served.base)
            workers = _workers(served.process.pid)
            assert len(workers) == 2
            with Burst(served.base, token, cookie) as burst:
                time.sleep(1.5)  # waiting on real processes: the burst runs while the database is there
                cut_at = time.monotonic()
                proxy.cut()
                time.sleep(3)
                styled = _get(served.base + "/static/vendor/govuk/govuk-frontend.min.css", {})
                restored_at = time.monotonic()
                proxy.restore()
                recovered_at = _wait_for_recovery(burst, restored_at)
                time.sleep(1)
            after = _post(served.base + "/api/v1/auth/token", json.dumps({"username": "cora", "password": PASSWORD})
                          .encode(), {"Content-Type": "application/json"})
            assert after.status == 200  # a write, once it is back
            assert _workers(served.process.pid) == workers  # served again without a restart
        log = served.log()
    answers = burst.answers
    assert {a.status for a in answers} <= {200, 503}, sorted({(a.status, a.body[:200]) for a in answers
                                                              if a.status not in (200, 503)})
    assert all(a.status == 200 for a in answers if a.ended < cut_at)
    away = [a for a in answers if a.started > cut_at + 0.5 and a.ended < restored_at]
    assert {a.kind for a in away} == {"api", "page"} and all(a.status == 503 for a in away)
    for answer in away:
        if answer.kind == "api":
            assert json.loads(answer.body)["error"]["code"] == "database_unavailable"
        else:
            _assert_styled_503(answer.status, answer.body)
    assert styled[0] == 200  # the page's stylesheet is served while the database is away
    assert recovered_at - restored_at < 15
    back = burst.since(recovered_at)
    assert len(back) > 10 and all(a.status == 200 for a in back)
    assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]
    print(f"{len(answers)} answers: {len([a for a in answers if a.status == 503])} 503s while away "
          f"(3 s); served again {recovered_at - restored_at:.2f} s after the database came back")


def _wait_for_recovery(burst: Burst, restored_at: float, timeout_s: float = 20) -> float:
    """The moment from which every request started was answered 200 by both kinds, for a second at least."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(0.2)  # waiting on real processes to answer, bounded
        answers = sorted(burst.since(restored_at), key=lambda a: a.started)
        failed = [a.started for a in answers if a.status != 200]
        since = max(failed, default=restored_at)
        good = [a for a in answers if a.started > since]
        if {a.kind for a in good} == {"api", "page"} and good and good[-1].ended - good[0].started > 1:
            return good[0].started
    raise AssertionError("the service did not recover within 20 s of the database coming back")
