"""``lif serve`` for real, on each database: gunicorn's workers serve the API and the pages, one scheduler runs
beside them (and sweeps: a timer due before the start fires), the access log carries paths but never query
strings, and TERM stops everything (requests in flight answered first), leaving no process behind; nor does
SIGKILL to the server itself; a scheduler that dies is started again, and ``--no-scheduler`` runs none."""
from __future__ import annotations

import json
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from engine import clock
from engine.cases.instances import start_instance
from engine.store.db import transaction
from tests.conftest import PASSWORDS
from tests.ops.ops_kit import group_processes, instance_env, lif_serve, wait_for, web_workers
from tests.security import sandbox_kit

pytestmark = pytest.mark.slow  # real server processes: make test-ci

BUSY_SCRIPT = "n = 0\nfor i in range(12_000_000):\n    n += i\nprepared = n > 0"  # a second or so of CPU
SECRET_SEARCH = "Jasmine-Okonkwo-2019"  # a child's name typed into a search: it must reach no log


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None
         ) -> tuple[int, dict[str, str], bytes]:
    """One request on its own connection: the status, the headers (lower-case names) and the body."""
    conn = HTTPConnection(urlsplit(base).netloc, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data


def token_for(base: str, username: str) -> str:
    status, _, data = call(base, "POST", "/api/v1/auth/token", {"username": username,
                                                                "password": PASSWORDS[username]})
    assert status == 200, data[:300]
    return str(json.loads(data)["token"])


def test_lif_serve_serves_the_api_and_pages_with_one_scheduler_and_stops_cleanly(
        tmp_path, db_url, factory, partnership, deploy):
    deploy("simple_review")
    deploy("intermediate_timer")
    started = datetime.now(UTC) - timedelta(days=3)  # its two-day timer is due before the server starts
    with clock.frozen_at(started), transaction(factory) as session:
        waiting = start_instance(session, "intermediate_timer", actor=partnership["coordinator"], now=started).id
    with lif_serve(instance_env(tmp_path, db_url), "--workers", "2", "--threads", "2",
                   log_path=tmp_path / "serve.log") as served:
        kinds = [p.kind for p in group_processes(served.process.pid)]
        assert kinds.count("scheduler") == 1 and kinds.count("server") == 3, kinds  # the arbiter and 2 workers
        # the API: a token, a case started, its task listed and completed
        token = token_for(served.base, "cora")
        status, _, data = call(served.base, "POST", "/api/v1/process-instances",
                               {"process_key": "simple_review", "data": {"case_ref": "C-7"}}, token)
        assert status == 201, data[:300]
        pat = token_for(served.base, "pat")
        [submit] = json.loads(data)["tasks"]
        status, _, data = call(served.base, "POST", f"/api/v1/tasks/{submit['id']}/complete",
                               {"data": {"summary": "A summary of the case", "agency": "police"}}, pat)
        assert status == 200, data[:300]
        status, _, data = call(served.base, "GET", f"/api/v1/tasks?q={SECRET_SEARCH}", token=pat)
        assert status == 200, data[:300]
        # the pages: the sign-in page (HEAD as GET, without the body), a page behind it, a static file
        status, headers, page = call(served.base, "GET", "/sign-in")
        assert status == 200 and b"Sign in" in page and "server" not in headers
        status, headers, nothing = call(served.base, "HEAD", "/sign-in")
        assert (status, nothing, headers["content-length"]) == (200, b"", str(len(page)))
        status, headers, _ = call(served.base, "GET", f"/tasks?search={SECRET_SEARCH}")
        assert status == 302 and headers["location"].startswith("/sign-in")
        assert call(served.base, "GET", "/static/lif.css")[0] == 200
        # the scheduler's first sweep, at its start, fired the timer once
        wait_for(lambda: _ready_tasks(factory, waiting) == ["follow_up"], 30, "the scheduler's first sweep")
    assert served.process.returncode == 0, served.log()
    log = served.log()
    assert '"GET /api/v1/tasks HTTP/1.1" 200' in log and '"HEAD /sign-in HTTP/1.1" 200' in log, log[-2000:]
    assert SECRET_SEARCH not in log and "?" not in "".join(line for line in log.splitlines() if "HTTP/1.1" in line)
    assert "LIF scheduler stopped" in log  # it finished its loop, it was not killed
    with factory() as session:  # fired once: no timer waits any more, one follow-up task
        waits = session.execute(text("SELECT count(*) FROM due_item WHERE instance_id = :i AND done_at IS NULL"),
                                {"i": waiting}).scalar_one()
        made = session.execute(text("SELECT count(*) FROM human_task WHERE instance_id = :i"), {"i": waiting})
    assert (waits, made.scalar_one()) == (0, 1)


def _ready_tasks(factory, instance_id: str) -> list[str]:
    with factory() as session:
        return list(session.execute(text("SELECT name FROM human_task WHERE instance_id = :i AND state = 'ready'"),
                                    {"i": instance_id}).scalars())


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the same on PostgreSQL: once is enough


@SQLITE_ONLY
def test_nothing_outlives_a_server_killed_outright(tmp_path, db_url, partnership, deploy):
    """SIGKILL to the arbiter (the OOM killer, kill -9): its workers, their sandbox processes and the scheduler
    all notice and end by themselves."""
    deploy("simple_review")
    env = instance_env(tmp_path, db_url)
    with lif_serve(env, "--workers", "2", log_path=tmp_path / "serve.log") as served:
        token = token_for(served.base, "cora")
        for n in range(3):  # a few starts, so that workers render the schemas in their sandbox pools
            assert call(served.base, "POST", "/api/v1/process-instances",
                        {"process_key": "simple_review", "data": {"case_ref": f"C-{n}"}}, token)[0] == 201
        kinds = {p.kind for p in group_processes(served.process.pid)}
        assert {"server", "scheduler", "sandbox"} <= kinds, kinds
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait()
        wait_for(lambda: not group_processes(served.process.pid), 15, "every process of the server ending")


@SQLITE_ONLY
def test_term_lets_the_requests_in_flight_finish(tmp_path, db_url, partnership, deploy):
    """TERM while two cases are starting, each running a second or so of a designer's code in a sandbox worker:
    both are answered (201) before the server stops, and it stops cleanly. (Without a scheduler: it runs none.)"""
    folder = tmp_path / "runaway"
    folder.mkdir()
    for name, content in sandbox_kit.bundle(script=BUSY_SCRIPT).items():
        (folder / name).write_text(content)
    deploy(folder, sandbox_kit.PROCESS)
    answers: list[int] = []
    with lif_serve(instance_env(tmp_path, db_url, LIF_SCRIPT_TIMEOUT="20"), "--workers", "1", "--threads", "2",
                   "--no-scheduler", log_path=tmp_path / "serve.log") as served:
        assert [p.kind for p in group_processes(served.process.pid)].count("scheduler") == 0
        token = token_for(served.base, "cora")

        def start() -> None:
            answers.append(call(served.base, "POST", "/api/v1/process-instances",
                                {"process_key": sandbox_kit.PROCESS}, token)[0])
        starts = [threading.Thread(target=start) for _ in range(2)]
        for thread in starts:
            thread.start()
        # in flight: both sandbox workers are running the code
        wait_for(lambda: sum(p.kind == "sandbox" and p.state == "R" for p in group_processes(served.process.pid))
                 == 2, 10, "both starts running their code")
        served.process.send_signal(signal.SIGTERM)
        for thread in starts:
            thread.join(30)
        served.process.wait(40)
    assert answers == [201, 201] and served.process.returncode == 0, served.log()[-3000:]


@SQLITE_ONLY
def test_a_scheduler_that_dies_is_started_again(tmp_path, db_url, db):
    env = instance_env(tmp_path, db_url)
    with lif_serve(env, "--workers", "1", log_path=tmp_path / "serve.log") as served:
        [first] = [p for p in group_processes(served.process.pid) if p.kind == "scheduler"]
        os.kill(first.pid, signal.SIGKILL)

        def replaced() -> bool:
            schedulers = [p for p in group_processes(served.process.pid) if p.kind == "scheduler"]
            return len(schedulers) == 1 and schedulers[0].pid != first.pid
        wait_for(replaced, 20, "a new scheduler")
        assert len(web_workers(served)) == 1
    assert "stopped unexpectedly; starting it again" in served.log()
