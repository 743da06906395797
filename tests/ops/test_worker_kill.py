"""A web worker killed outright (kill -9: the kernel's OOM killer, an operator) in the middle of a burst of task
completions over HTTP: every completion the server acknowledged is in the database, none is there twice (one
``task.completed`` audit row, one next task, for each case), a client that lost its answer and tries again is told
the task is already completed, gunicorn starts another worker and the service carries on; and the killed worker's
sandbox processes end with it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from queue import Empty, Queue

import pytest
from sqlalchemy import text

from engine import clock
from engine.cases.instances import start_instance
from engine.store.db import transaction
from tests.conftest import REPO
from tests.ops.ops_kit import group_processes, instance_env, lif_serve, wait_for, web_workers
from tests.ops.test_production_server import call, token_for

pytestmark = pytest.mark.slow  # a real server process: make test-ci

CASES = 60
CLIENTS = 6
KILL_AFTER = CASES // 4  # acknowledged completions before the kill
ANSWER = {"data": {"summary": "A summary of the case", "agency": "police"}}


def _burst(base: str, token: str, tasks: list[str], outcomes: dict[str, int | str], acked: threading.Event) -> None:
    """CLIENTS threads complete the tasks, one request each on its own connection; ``outcomes`` gets each task's
    status, or "no answer" when the connection broke; ``acked`` is set after KILL_AFTER acknowledgements."""
    queue: Queue[str] = Queue()
    for task_id in tasks:
        queue.put(task_id)
    lock = threading.Lock()

    def client() -> None:
        while True:
            try:
                task_id = queue.get_nowait()
            except Empty:
                return
            try:
                outcome: int | str = call(base, "POST", f"/api/v1/tasks/{task_id}/complete", ANSWER, token)[0]
            except (ConnectionError, OSError) as exc:  # the worker died under the request
                outcome = f"no answer ({type(exc).__name__})"
            with lock:
                outcomes[task_id] = outcome
                if sum(1 for o in outcomes.values() if o == 200) >= KILL_AFTER:
                    acked.set()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def test_a_worker_killed_mid_burst_loses_and_doubles_no_completion(tmp_path, db_url, factory, partnership, deploy):
    deploy("simple_review")
    tasks = _ready_submits(factory, partnership)
    assert len(tasks) == CASES
    with lif_serve(instance_env(tmp_path, db_url), "--workers", "2", "--threads", "4", "--no-scheduler",
                   log_path=tmp_path / "serve.log") as served:
        token = token_for(served.base, "pat")
        outcomes: dict[str, int | str] = {}
        acked = threading.Event()
        burst = threading.Thread(target=_burst, args=(served.base, token, tasks, outcomes, acked))
        burst.start()
        assert acked.wait(60), f"no {KILL_AFTER} completions acknowledged: {Counter(outcomes.values())}"
        victim = web_workers(served)[0]
        sandboxes = [p.pid for p in group_processes(served.process.pid) if p.ppid == victim.pid]
        os.kill(victim.pid, signal.SIGKILL)
        burst.join(120)
        assert not burst.is_alive()

        # the killed worker's sandbox processes ended with it; gunicorn started another worker
        assert sandboxes, "the victim ran no sandbox processes (its completions ran the bundle's script there)"
        wait_for(lambda: not set(sandboxes) & {p.pid for p in group_processes(served.process.pid)}, 5,
                 "the killed worker's sandbox processes ending")
        wait_for(lambda: len(web_workers(served)) == 2 and victim.pid not in {p.pid for p in web_workers(served)},
                 30, "gunicorn replacing the killed worker")

        acknowledged = {task for task, outcome in outcomes.items() if outcome == 200}
        assert set(outcomes) == set(tasks), "every task was tried"
        assert not acknowledged - _completed_tasks(factory), "an acknowledged completion was lost"
        # a client that got no answer tries again: done already (its answer was lost) or done now, never twice
        retried = {task: call(served.base, "POST", f"/api/v1/tasks/{task}/complete", ANSWER, token)
                   for task, outcome in outcomes.items() if outcome != 200}
        for task, (status, _, body) in retried.items():
            assert status in (200, 409), (task, outcomes[task], status, body[:300])
            if status == 409:
                assert json.loads(body)["error"]["message"] == "the task is already completed"
        assert call(served.base, "GET", "/api/v1/tasks", token=token)[0] == 200
    assert served.process.returncode == 0, served.log()[-3000:]

    with factory() as session:
        completions = Counter(session.execute(text(
            "SELECT task_id FROM audit_event WHERE action = 'task.completed'")).scalars())
        approvals = Counter(session.execute(text(
            "SELECT instance_id FROM human_task WHERE name = 'approve'")).scalars())
    assert set(completions) == set(tasks) and set(completions.values()) == {1}, completions.most_common(3)
    assert len(approvals) == CASES and set(approvals.values()) == {1}, approvals.most_common(3)
    print(f"outcomes of the burst: {dict(Counter(map(str, outcomes.values())))}; "
          f"retries: {dict(Counter(status for status, _, _ in retried.values()))}")


def _completed_tasks(factory) -> set[str]:
    with factory() as session:
        return set(session.execute(text("SELECT id FROM human_task WHERE name = 'submit' AND state = 'completed'"))
                   .scalars())


def _ready_submits(factory, partnership) -> list[str]:
    """CASES simple reviews, each waiting for its summary (a reviewer's task)."""
    with transaction(factory) as session:
        for n in range(CASES):
            start_instance(session, "simple_review", data={"case_ref": f"K-{n}"}, actor=partnership["coordinator"],
                           now=clock.now())
    with factory() as session:
        return list(session.execute(text("SELECT id FROM human_task WHERE name = 'submit' AND state = 'ready'"))
                    .scalars())


_BUSY_SERVER = """
import sys
from datetime import UTC, datetime
from engine.sandbox.pool import SandboxPool
pool = SandboxPool(workers=1)
pool.wait_until_full(30)
print(pool.worker_pids()[0], flush=True)
pool.run(("exec", 60, datetime.now(UTC), "while True:\\n    pass", {}, {}, 10_000_000), 60)
"""


def _state(pid: int) -> str | None:
    """The process's state letter ("R" running, "Z" ended), or None when it is gone."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2]


def test_a_sandbox_worker_busy_with_code_ends_with_its_killed_server_process():
    """An idle sandbox worker sees its socket close; one running a designer's endless loop would run on to its CPU
    limit (here a minute) without its watch on its parent."""
    server = subprocess.Popen([sys.executable, "-c", _BUSY_SERVER], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        worker = int(server.stdout.readline())
        wait_for(lambda: _state(worker) == "R", 10, "the sandbox worker running the loop")
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        wait_for(lambda: _state(worker) in (None, "Z"), 10, "the busy sandbox worker ending with its server")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if _state(worker) not in (None, "Z"):
            os.kill(worker, signal.SIGKILL)
