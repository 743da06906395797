"""The sandbox pool keeps serving whatever happens to its workers (issue 9, item 1): a worker killed while idle,
one killed mid-job, or a reply the server will not rebuild."""
from __future__ import annotations

import os
import signal
import time

import pytest

from engine import clock
from engine.sandbox.pool import SandboxPool, WorkerError
from engine.sandbox.scripting import ScriptLimitExceeded


@pytest.fixture
def sandbox():
    running = SandboxPool(workers=1)
    yield running
    running.close()


def _eval(sandbox, source, scope=None, timeout_s=5.0):
    return sandbox.run(("eval", timeout_s, clock.now(), source, scope or {}, 10_000_000), timeout_s)


def _wait_until_dead(pid: int) -> None:
    """Until the kernel has ended the process (a zombie, not yet reaped by the pool, or gone)."""
    for _ in range(500):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ", 1)[1].startswith("Z"):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} is still running")


def test_a_worker_killed_while_idle_is_replaced_and_the_next_job_runs(sandbox):
    (pid,) = sandbox.worker_pids()
    os.kill(pid, signal.SIGKILL)
    _wait_until_dead(pid)
    assert _eval(sandbox, "sorted([3, 1, 2])") == [1, 2, 3]
    assert sandbox.worker_pids() != [pid]


def test_a_worker_that_overran_is_replaced(sandbox):
    (pid,) = sandbox.worker_pids()
    with pytest.raises(ScriptLimitExceeded, match="longer than"):
        _eval(sandbox, "math.factorial(10**6) % 7", timeout_s=0.3)
    assert _eval(sandbox, "len([1, 2])") == 2
    assert sandbox.wait_until_full(10) and sandbox.worker_pids() != [pid]


def test_raising_system_exit_by_name_is_an_error_not_a_dead_worker(sandbox):
    (pid,) = sandbox.worker_pids()
    with pytest.raises(WorkerError) as raised:
        sandbox.run(("exec", 5.0, clock.now(), "raise SystemExit(3)", {}, {}, 10_000_000), 5.0)
    assert raised.value.kind == "SystemExit"
    assert sandbox.worker_pids() == [pid]


def test_the_worker_sees_none_of_the_servers_secrets(sandbox, monkeypatch):
    monkeypatch.setenv("LIF_SECRET_KEY", "never-in-a-worker")
    fresh = SandboxPool(workers=1)
    try:
        (pid,) = fresh.worker_pids()
        with open(f"/proc/{pid}/environ", "rb") as environ:
            assert b"never-in-a-worker" not in environ.read()
    finally:
        fresh.close()


def test_values_come_back_as_data(sandbox):
    moment = clock.now()
    assert _eval(sandbox, "[d, {'a': (1, 2)}, None]", {"d": moment}) == [moment, {"a": (1, 2)}, None]


def test_a_value_the_case_cannot_store_is_an_error(sandbox):
    with pytest.raises(WorkerError, match="cannot be stored"):
        _eval(sandbox, "{1, 2}")


def test_workers_and_their_replacements_run_below_the_servers_priority(sandbox):
    """With every core busy with runaway code, the kernel gives the server's requests the CPU first."""
    server = os.getpriority(os.PRIO_PROCESS, 0)
    (pid,) = sandbox.worker_pids()
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(server + 10, 19)
    with pytest.raises(ScriptLimitExceeded):
        _eval(sandbox, "math.factorial(10**6) % 7", timeout_s=0.3)
    assert sandbox.wait_until_full(10)
    (replacement,) = sandbox.worker_pids()
    assert replacement != pid and os.getpriority(os.PRIO_PROCESS, replacement) == min(server + 10, 19)
