"""Code from a diagram can neither stall the server nor exhaust its memory (issue 9, item 1).

Reproduction (the outside probe): a script task ``x = math.factorial(1000000) % 7`` made the start answer after
8 s while every other request waited 7.7 s; ``pow(3, 10**7) % 7`` froze the server for 3 s;
``x = len('a'.ljust(2000000000))`` took its memory from 156 MB to 2 GB; ``random.choices([1,2], k=4*10**7)`` and
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

from engine.sandbox import bounded
from engine.sandbox.scripting import ScriptLimitExceeded
from engine.spiff.scripting import RestrictedEnvironment

from .sandbox_kit import LIMIT_S, STALL_S, app, deploy, in_threads, pinging, rss_mb, server, start  # noqa: F401  (fixtures)

pytestmark = pytest.mark.timing  # measured on the wall clock: run alone, after the parallel suite (Makefile)

MARGIN_S = 1.0

RUNAWAY = {
    "factorial": "math.factorial(10**6) % 7",
    "pow": "pow(3, 10**8) % 7",
    "comb": "math.comb(10**7, 10**6) % 7",
    "perm": "math.perm(10**7, 10**6) % 7",
    "ljust": "len('a'.ljust(2000000000))",
    "rjust": "len('a'.rjust(2000000000))",
    "center": "len('a'.center(2000000000))",
    "zfill": "len('1'.zfill(2000000000))",
    "expandtabs": "len(('\\t' * 99).expandtabs(10**8))",
    "replace": "len(('a' * 1000).replace('a', 'b' * 10**6))",
    "join": "len(('x' * 10**6).join(['y'] * 10**4))",
    "percent_width": "len('%0999999999d' % 1)",
    "fstring_width": "len(f'{1:>999999999}')",
    "big_powers": "sum(pow(i, 10**5) % 7 for i in range(999))",
    "shared_references": "len(str([[0] * 10**6] * 10**3))",
    "random_choices": "len(random.choices([1, 2], k=4 * 10**7))",
    # add_working_days('2026-01-01', 3 * 10**6) is refused at once now (over 10,000 days): test_bundle_limits.py
    "working_days_loop": "[add_working_days('2026-01-01', 9999) for i in range(999)]",
    "nested_loops": "len([1 for a in range(999) for b in range(999) for c in range(999)])",
    "sorted_generated": "len(sorted(random.random() for i in range(999) for j in range(999) for k in range(99)))",
}


@pytest.mark.parametrize("mode", ["condition", "script"])
@pytest.mark.parametrize("expression", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_runaway_expression_is_stopped_within_the_limit_without_growing_the_server(expression, mode):
    environment = RestrictedEnvironment(timeout_s=LIMIT_S)
    before = rss_mb()
    started = time.monotonic()
    with pytest.raises(ScriptLimitExceeded, match="longer than|memory|larger than|to store") as raised:
        if mode == "condition":
            environment.evaluate(expression, {"case_ref": "SCR-1"})
        else:
            environment.execute(f"x = {expression}", {"case_ref": "SCR-1"})
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT_S + MARGIN_S, (elapsed, raised.value)
    assert rss_mb() - before < 64, "the server's own memory grew"


SHARED = {  # small in the worker and in a pickle; huge once the server writes the case's state as JSON
    "one_string_many_times": "s = 'a' * 10_000_000\nx = [s] * 3000",
    "many_empty_lists": "x = [[]] * 5_000_000",
    "nested_sharing": "a = [0] * 1000\nb = [a] * 1000\nx = [b] * 1000",
}


@pytest.mark.parametrize("script", SHARED.values(), ids=SHARED.keys())
def test_a_result_that_would_grow_when_stored_is_refused_in_the_worker(script):
    before = rss_mb()
    started = time.monotonic()
    # the count itself takes time on a busy machine
    with pytest.raises(ScriptLimitExceeded, match="to store|longer than"):
        RestrictedEnvironment(timeout_s=LIMIT_S * 4).execute(script, {})
    assert time.monotonic() - started < LIMIT_S * 4 + MARGIN_S
    assert rss_mb() - before < 64


def test_a_bounded_expression_over_big_case_data_runs_in_the_worker():
    """``len(s + s + ... + s)`` is linear in ``s``, and 24 times a 3 MB string is still 72 MB: the server runs a
    bounded expression itself only over small values."""
    expression = "len(" + " + ".join(["s"] * 24) + ") > 0"
    assert bounded.is_bounded(expression)
    before = rss_mb()
    assert RestrictedEnvironment(timeout_s=5).evaluate(expression, {"s": "x" * 3_000_000}) is True
    assert rss_mb() - before < 64


@pytest.mark.parametrize("part", ["script", "condition"])
def test_runaway_code_puts_the_case_in_error_and_holds_up_no_other_request(server, part):
    code = {"script": "prepared = math.factorial(10**6) % 7", "condition": "pow(3, 10**8) % 7 == 1"}[part]
    deploy(server, **{part: code})
    coordinator = server.token("cora", "coordinator-pass")
    before = rss_mb()
    with pinging(server, coordinator) as waits:
        elapsed, status, body = start(server, coordinator)
    assert status == 201, body
    assert body["status"] == "error"
    assert "longer than 0.5 s" in body["error"]["message"], body["error"]
    assert elapsed < LIMIT_S + MARGIN_S
    assert len(waits) >= 5 and max(waits) < STALL_S, sorted(waits)[-3:]
    assert rss_mb() - before < 256


def test_writes_by_others_wait_for_a_runaway_step_only_on_sqlite(server, db_url, request):
    """A write by someone else (here a comment on another case) during a runaway step. On PostgreSQL the step
    locks only its own case's row, so the comment never waits. On SQLite every writing unit of work holds the
    database's one write lock from its start (BEGIN IMMEDIATE), so the comment queues behind the step for at
    most the script limit: a known limit of the embedded database, recorded here as an expected failure so that
    the day it is lifted this test says so."""
    if db_url.startswith("sqlite"):
        request.applymarker(pytest.mark.xfail(strict=True, reason="SQLite has one writer at a time"))
    deploy(server, script="prepared = True")
    coordinator = server.token("cora", "coordinator-pass")
    _, _, other = start(server, coordinator)
    deploy(server, script="prepared = math.factorial(10**6) % 7")
    comment = {"body": "Checked the chronology."}
    (task,) = [t for t in other["tasks"] if t["state"] == "ready"]
    with pinging(server, coordinator, f"/api/v1/tasks/{task['id']}/comments", method="POST", body=comment) as waits:
        _, status, body = start(server, coordinator)
    assert status == 201 and body["status"] == "error", body
    assert len(waits) >= 5 and max(waits) < STALL_S, sorted(waits)[-3:]


def test_memory_hungry_script_puts_the_case_in_error_with_the_reason(server):
    deploy(server, script="prepared = len('a'.ljust(2000000000)) > 0")
    coordinator = server.token("cora", "coordinator-pass")
    before = rss_mb()
    elapsed, status, body = start(server, coordinator)
    assert status == 201 and body["status"] == "error", body
    assert rss_mb() - before < 256
    assert elapsed < LIMIT_S + MARGIN_S
    status, instance = server.call("GET", f"/api/v1/process-instances/{body['id']}", coordinator)
    assert status == 200 and instance["status"] == "error"


def test_several_runaway_cases_at_once_wait_for_workers_within_their_own_limit(server, db_url):
    """Four at once on a pool of two: each waits for a worker within its own limit. On SQLite, steps also queue
    on the database's single write lock, so the last may wait for the three before it; reads never wait."""
    deploy(server, script="prepared = math.factorial(10**6) % 7")
    coordinator = server.token("cora", "coordinator-pass")
    with pinging(server, coordinator) as waits:
        results = in_threads([lambda: start(server, coordinator) for _ in range(4)])
    steps_queue = 4 if db_url.startswith("sqlite") else 2
    for elapsed, status, body in results:
        assert status == 201 and body["status"] == "error", body
        assert elapsed < steps_queue * LIMIT_S + MARGIN_S
    assert max(waits) < STALL_S, sorted(waits)[-3:]


def test_ordinary_code_still_runs_after_runaway_code_was_stopped(server):
    deploy(server, script="prepared = math.factorial(10**6) % 7")
    coordinator = server.token("cora", "coordinator-pass")
    start(server, coordinator)
    deploy(server, script="prepared = len([v for v in range(10)]) == 10", condition="prepared")
    _, status, body = start(server, coordinator)
    assert status == 201 and body["status"] == "active", body
    assert [t["name"] for t in body["tasks"] if t["state"] == "ready"] == ["yes"]
