"""Code from a diagram can neither stall the server nor exhaust its memory (issue 9, item 1).

Reproduction (the outside probe): a script task ``x = math.factorial(1000000) % 7`` made the start answer after 8 s
while every other request waited 7.7 s; ``pow(3, 10**7) % 7`` froze the server for 3 s; ``x = len('a'.ljust(2000000000))``
took its memory from 156 MB to 2 GB; ``random.choices([1,2], k=4*10**7)`` and
``add_working_days('2026-01-01', 3*10**6)`` overran the limit. The line tracer could not stop C built-ins that
hold the GIL, and the size guard covered ``*``, ``**`` and ``<<`` only.

The class: every built-in written in C that can run long or allocate without bound (big-number arithmetic,
padding and formatting widths, replace, join, expandtabs), pure-Python helpers with a size argument, nested
loops; in a script task and in a gateway condition (the same environment evaluates DMN cells, timers, payloads
and correlations). Each one ends within the configured limit plus a margin, in the sandbox, with the case in
``error`` and a clear reason; the server's memory does not move; other requests are not held up.
"""
from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from engine import accounts
from engine.config import Config
from engine.sandbox import bounded
from engine.sandbox.environment import RestrictedEnvironment
from web import create_app

from .sandboxkit import PROCESS, Server, bundle, in_threads, pinging

LIMIT_S = 0.5
MARGIN_S = 1.0
STALL_S = 0.25

RUNAWAY = {
    "factorial": "math.factorial(10**6) % 7",
    "pow": "pow(3, 10**8) % 7",
    "comb": "math.comb(10**7, 10**6) % 7",
    "perm": "math.perm(10**7, 10**6) % 7",
    "ljust": "len('a'.ljust(2 * 10**9))",
    "rjust": "len('a'.rjust(2 * 10**9))",
    "center": "len('a'.center(2 * 10**9))",
    "zfill": "len('1'.zfill(2 * 10**9))",
    "expandtabs": "len(('\\t' * 99).expandtabs(10**8))",
    "replace": "len(('a' * 1000).replace('a', 'b' * 10**6))",
    "join": "len(('x' * 10**6).join(['y'] * 10**4))",
    "percent_width": "len('%0999999999d' % 1)",
    "fstring_width": "len(f'{1:>999999999}')",
    "str_format_width": "len('{:>999999999}'.format(1))",
    "random_choices": "len(random.choices([1, 2], k=4 * 10**7))",
    "working_days": "add_working_days('2026-01-01', 3 * 10**6)",
    "nested_loops": "len([1 for a in range(999) for b in range(999) for c in range(999)])",
    "sorted_generated": "len(sorted(random.random() for i in range(999) for j in range(999) for k in range(99)))",
}


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app(db_url, db, tmp_path):
    config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none",
                             script_timeout_s=LIMIT_S)
    return create_app(config)


@pytest.fixture
def server(app, partnership):
    with Server(app) as running:
        yield running


def _deploy(server: Server, **parts: str) -> None:
    designer = server.token("dee", "designer-pass")
    status, body = server.call("POST", "/api/v1/process-definitions", designer,
                               {"key": PROCESS, "files": bundle(**parts)})
    assert status in (200, 201), body


def _start(server: Server, token: str) -> tuple[float, int, dict]:
    started = time.monotonic()
    status, body = server.call("POST", "/api/v1/process-instances", token, {"process_key": PROCESS})
    return time.monotonic() - started, status, body


@pytest.mark.parametrize("expression", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_runaway_expression_never_runs_in_the_server_process(expression):
    assert not bounded.is_bounded(expression)


@pytest.mark.parametrize("mode", ["condition", "script"])
@pytest.mark.parametrize("expression", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_runaway_expression_is_stopped_within_the_limit_without_growing_the_server(expression, mode):
    environment = RestrictedEnvironment(timeout_s=LIMIT_S)
    before = _rss_mb()
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        if mode == "condition":
            environment.evaluate(expression, {"case_ref": "SCR-1"})
        else:
            environment.execute(f"x = {expression}", {"case_ref": "SCR-1"})
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT_S + MARGIN_S, (elapsed, raised.value)
    assert _rss_mb() - before < 64, "the server's own memory grew"
    assert str(raised.value)


@pytest.mark.parametrize("part", ["script", "condition"])
def test_runaway_code_puts_the_case_in_error_and_holds_up_no_other_request(server, part):
    code = {"script": "prepared = math.factorial(10**6) % 7", "condition": "pow(3, 10**8) % 7 == 1"}[part]
    _deploy(server, **{part: code})
    coordinator = server.token("cora", "coordinator-pass")
    before = _rss_mb()
    with pinging(server, coordinator) as waits:
        elapsed, status, body = _start(server, coordinator)
    assert status == 201, body
    assert body["status"] == "error"
    assert "longer than 0.5 s" in body["error"]["message"], body["error"]
    assert elapsed < LIMIT_S + MARGIN_S
    assert len(waits) >= 5 and max(waits) < STALL_S, sorted(waits)[-3:]
    assert _rss_mb() - before < 256


def test_memory_hungry_script_puts_the_case_in_error_with_the_reason(server):
    _deploy(server, script="prepared = len('a'.ljust(2000000000)) > 0")
    coordinator = server.token("cora", "coordinator-pass")
    before = _rss_mb()
    elapsed, status, body = _start(server, coordinator)
    assert status == 201 and body["status"] == "error", body
    assert _rss_mb() - before < 256
    assert elapsed < LIMIT_S + MARGIN_S
    status, instance = server.call("GET", f"/api/v1/process-instances/{body['id']}", coordinator)
    assert status == 200 and instance["status"] == "error"


def test_several_runaway_cases_at_once_wait_for_workers_within_their_own_limit(server, db_url):
    """Four at once on a pool of two: each waits for a worker within its own limit. On SQLite, steps also queue
    on the database's single write lock, so the last may wait for the three before it; reads never wait."""
    _deploy(server, script="prepared = math.factorial(10**6) % 7")
    coordinator = server.token("cora", "coordinator-pass")
    with pinging(server, coordinator) as waits:
        results = in_threads([lambda: _start(server, coordinator) for _ in range(4)])
    steps_queue = 4 if db_url.startswith("sqlite") else 2
    for elapsed, status, body in results:
        assert status == 201 and body["status"] == "error", body
        assert elapsed < steps_queue * LIMIT_S + MARGIN_S
    assert max(waits) < STALL_S, sorted(waits)[-3:]


def test_ordinary_code_still_runs_after_runaway_code_was_stopped(server):
    _deploy(server, script="prepared = math.factorial(10**6) % 7")
    coordinator = server.token("cora", "coordinator-pass")
    _start(server, coordinator)
    _deploy(server, script="prepared = len([v for v in range(10)]) == 10", condition="prepared")
    _, status, body = _start(server, coordinator)
    assert status == 201 and body["status"] == "active", body
    assert [t["name"] for t in body["tasks"] if t["state"] == "ready"] == ["yes"]


# --- what runs in the server's own process ----------------------------------------------------------------

ORDINARY = ["review_type == 'NONE'", "len(actions) > 0", "action.get('sign_off_by') == 'chair'",
            "panel_outcome == 'revise' and revision_count < max_revisions", "(child_outcome) == (\"died\")",
            "agency_count > 1", "'P21D'", "{'case_id': case_id, 'agency': agency}", "not notification_required"]


@pytest.mark.parametrize("expression", ORDINARY)
def test_ordinary_conditions_dmn_cells_timers_and_payloads_run_in_process(expression):
    assert bounded.is_bounded(expression)


def test_every_condition_of_the_shipped_processes_runs_in_process():
    import re
    from pathlib import Path
    from xml.sax.saxutils import unescape
    workflows = Path(__file__).resolve().parents[2] / "workflows"
    found = [unescape(m) for path in workflows.glob("*/*.bpmn")
             for m in re.findall(r"<bpmn:conditionExpression[^>]*>([^<]*)<", path.read_text())]
    assert len(found) > 10
    assert [c for c in found if not bounded.is_bounded(c)] == []
