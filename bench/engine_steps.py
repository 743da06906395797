"""Per-step cost over a chain of 60 user tasks: raw SpiffWorkflow in memory against LIF's service layer on
SQLite (``complete_task`` in its own committed transaction), side by side in one run.

Targets (issue 2): the 60th step costs at most 1.5x the 1st; a service step costs at most 5x (a raw in-memory
step plus one SQLite commit).

Also measured (issue 9): the same chain with an exclusive gateway of three conditions after each task (bounded
expressions, evaluated in the server's process), and with a script task after each gateway (run in a sandbox
worker process).

    python bench/engine_steps.py [--tasks 60] [--runs 5] [--no-cache]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chain import chain_bundle  # noqa: E402
from sqlalchemy import text  # noqa: E402

from engine.bundles import definitions
from engine.bundles.parsing import parse_bundle  # noqa: E402
from engine.cases import instances, runtime
from engine.config import Config
from engine.people import accounts  # noqa: E402
from engine.reads import queries
from engine.records import Actor  # noqa: E402
from engine.spiff.scripting import make_script_engine  # noqa: E402
from engine.spiff.state import SpecCache  # noqa: E402
from engine.store.db import make_engine, make_session_factory, transaction  # noqa: E402
from engine.store.schema import create_schema
from engine.work import tasks

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
FORM = {"note": "checked the records", "score": 2}


def raw_steps(n: int) -> list[float]:
    """Raw SpiffWorkflow in memory: a plain ``BpmnWorkflow`` (with LIF's restricted script engine, and none of
    LIF's own changes), task.run() + do_engine_steps() per step."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    parsed = parse_bundle("chain", chain_bundle(n))
    specs = SpecCache().get(1, lambda: parsed.spec_json)
    wf = BpmnWorkflow(specs.specs["chain"], specs.subprocess_specs)
    wf.script_engine = make_script_engine(timeout_s=5.0)
    wf.do_engine_steps()
    times = []
    for _ in range(n):
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        started = time.perf_counter()
        task.data.update(FORM)
        task.run()
        wf.do_engine_steps()
        times.append(time.perf_counter() - started)
    assert wf.is_completed()
    return times


def commit_cost(factory, samples: int = 200) -> float:
    """One small UPDATE and commit on the same SQLite configuration."""
    with transaction(factory) as s:
        s.execute(text("CREATE TABLE IF NOT EXISTS bench_probe (id INTEGER PRIMARY KEY, v INTEGER)"))
        s.execute(text("INSERT OR REPLACE INTO bench_probe VALUES (1, 0)"))
    times = []
    for i in range(samples):
        started = time.perf_counter()
        with transaction(factory) as s:
            s.execute(text("UPDATE bench_probe SET v = :v WHERE id = 1"), {"v": i})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def service_steps(factory, n: int, actor: Actor, key: str = "chain") -> list[float]:
    with transaction(factory) as s:
        instance = instances.start_instance(s, key, actor=Actor("cora", frozenset({"coordinator"})), now=NOW)
        instance_id = instance.id
    times = []
    for _ in range(n):
        with transaction(factory) as s:
            task_id = queries.tasks_for(s, actor, NOW, instance_id=instance_id, limit=1).items[0].id
        started = time.perf_counter()
        with transaction(factory) as s:
            tasks.complete_task(s, task_id, dict(FORM), actor=actor, now=NOW)
        times.append(time.perf_counter() - started)
    return times


def api_client(db_url: str) -> tuple[Any, dict[str, str], dict[str, str]]:
    """One app for every run, as one long-running server; a coordinator's and a reviewer's bearer headers."""
    from engine.config import Config
    from web import create_app

    app = create_app(Config.from_env(database_url=db_url, secret_key="bench", mail_backend="console"))
    client = app.test_client()
    headers = []
    for username in ("cora", "pat"):
        token = client.post("/api/v1/auth/token", json={"username": username, "password": "bench-password"})
        headers.append({"Authorization": "Bearer " + token.json["token"]})
    return client, headers[0], headers[1]


def api_steps(api: tuple[Any, dict[str, str], dict[str, str]], n: int) -> list[float]:
    """The same completions through the JSON API (Flask test client, bearer token), timed per request."""
    client, coordinator, reviewer = api
    instance = client.post("/api/v1/process-instances", json={"process_key": "chain"}, headers=coordinator).json
    task_id = instance["tasks"][0]["id"]
    times = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": FORM}, headers=reviewer)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.json
        ready = [t for t in answer.json["instance"]["tasks"] if t["state"] == "ready"]
        task_id = ready[0]["id"] if ready else None
    return times


def summarise(label: str, runs: list[list[float]]) -> dict[str, float]:
    per_step = [statistics.median(step) for step in zip(*runs, strict=True)]  # every run times the same steps
    first, last = per_step[0], per_step[-1]
    median = statistics.median(per_step)
    print(f"{label:<28} median {median * 1000:7.3f} ms   1st {first * 1000:7.3f} ms   "
          f"last {last * 1000:7.3f} ms   last/1st {last / first:5.2f}   slowest {max(per_step) * 1000:7.3f} ms   "
          f"whole case {sum(per_step) * 1000:8.1f} ms")
    return {"median": median, "first": first, "last": last, "slowest": max(per_step)}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-cache", action="store_true", help="restore every step from the stored JSON")
    return parser.parse_args()


def _set_up(factory: Any, n: int) -> None:
    """The agency, cora and pat, and the three chains: plain, with gateways, with gateways and scripts."""
    with transaction(factory) as s:
        accounts.add_agency(s, "police", "Police", actor=None, now=NOW)
        accounts.add_user(s, "cora", roles=["coordinator"], password="bench-password", actor=None, now=NOW)
        accounts.add_user(s, "pat", roles=["reviewer"], agency_key="police", password="bench-password",
                          actor=None, now=NOW)
        definitions.deploy_bundle(s, "chain", chain_bundle(n), actor="bench", now=NOW)
        definitions.deploy_bundle(s, "gates", chain_bundle(n, "gates", gateways=True), actor="bench", now=NOW)
        definitions.deploy_bundle(s, "scripted", chain_bundle(n, "scripted", gateways=True, scripts=True),
                                  actor="bench", now=NOW)


def _measure(factory: Any, database_url: str, n: int, runs: int) -> dict[str, Any]:
    """Every side's step times over ``runs`` runs, after a warm-up, and the median cost of one commit."""
    actor = Actor("pat", frozenset({"reviewer"}), "police")
    raw_steps(n)  # warm up imports and caches
    service_steps(factory, n, actor)
    service_steps(factory, n, actor, "scripted")  # starts the sandbox pool
    sides: dict[str, Any] = {"raw": [], "service": [], "gates": [], "scripted": [], "commits": []}
    for _ in range(runs):  # interleaved, so a slow spell on the machine falls on every side alike
        sides["raw"].append(raw_steps(n))
        sides["service"].append(service_steps(factory, n, actor))
        sides["gates"].append(service_steps(factory, n, actor, "gates"))
        sides["scripted"].append(service_steps(factory, n, actor, "scripted"))
        sides["commits"].append(commit_cost(factory, samples=60))
    # last: the app installs the notification subscribers, which then stay for the rest of the process
    api_app = api_client(database_url)
    api_steps(api_app, n)  # the first requests of a new process compile templates and schemas
    sides["api"] = [api_steps(api_app, n) for _ in range(runs)]
    return sides


def _report(sides: dict[str, Any]) -> None:
    """Each side's figures, the cost of a gateway and of a script task, and the targets, met or missed."""
    commit = statistics.median(sides["commits"])
    r = summarise("(a) SpiffWorkflow in memory", sides["raw"])
    s = summarise("(b) LIF complete_task, SQLite", sides["service"])
    a = summarise("(c) LIF JSON API, SQLite", sides["api"])
    g = summarise("(d) (b) + gateway, 3 conditions", sides["gates"])
    w = summarise("(e) (d) + script task (sandbox)", sides["scripted"])
    print(f"gateway of 3 conditions (in process): {(g['median'] - s['median']) * 1000:+.3f} ms a step; "
          f"script task in a sandbox worker: {(w['median'] - g['median']) * 1000:+.3f} ms a step")
    print(f"one SQLite commit (small UPDATE): {commit * 1000:.3f} ms")
    budget = 5 * (r["median"] + commit)
    print(f"target 1: last/1st = {s['last'] / s['first']:.2f} (<= 1.5)   "
          f"{'MET' if s['last'] / s['first'] <= 1.5 else 'MISSED'}")
    print(f"target 2: service step {s['median'] * 1000:.3f} ms <= 5 x (raw {r['median'] * 1000:.3f} + commit "
          f"{commit * 1000:.3f}) = {budget * 1000:.3f} ms   {'MET' if s['median'] <= budget else 'MISSED'}")
    print(f"SPEC aim: an API completion under 10 ms at every step: slowest {a['slowest'] * 1000:.3f} ms   "
          f"{'MET' if a['slowest'] < 0.010 else 'MISSED'}")


def main() -> None:
    args = _arguments()
    runtime.WORKFLOWS.enabled = not args.no_cache
    with tempfile.TemporaryDirectory() as folder:
        config = Config.from_env(secret_key="bench", database_url=f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        # the engine alone, without the notifications room (row (c) measures the app): LIF_SCRIPT_* and
        # LIF_SPIFF_FAST_PATHS still reach the steps through the sessions' settings
        engine = make_engine(config.database_url)
        create_schema(engine)
        factory = make_session_factory(engine, config.step_settings)
        _set_up(factory, args.tasks)
        sides = _measure(factory, str(engine.url), args.tasks, args.runs)
    print(f"chain of {args.tasks} user tasks, {args.runs} runs, medians per step; workflow cache "
          f"{'off (restore every step)' if args.no_cache else 'on'}")
    _report(sides)


if __name__ == "__main__":
    main()
