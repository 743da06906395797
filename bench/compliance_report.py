"""The compliance report over a year at scale: ``--cases`` cases (10,000) spread over five years, their tasks as
the shipped processes leave them (each with a view and answers of a realistic size), and ``--actions`` actions
(50,000); the median time of ``engine.reports.compliance.compliance_report`` for the last 12 months, on SQLite
and, with ``--postgres URL`` (or ``LIF_BENCH_POSTGRES_URL``), on PostgreSQL. The rows are written straight into
a fresh, migrated database (running 10,000 cases through the engine would take an hour and measure nothing more).

    python bench/compliance_report.py [--cases 10000] [--actions 50000] [--repeat 15] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from engine.records import Actor  # noqa: E402
from engine.reports import compliance  # noqa: E402
from engine.store.db import make_engine, make_session_factory, reading  # noqa: E402
from engine.store.models import Agency, HumanTask, PlanAction, ProcessDefinition, ProcessInstance  # noqa: E402
from engine.store.schema import upgrade_schema  # noqa: E402

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
AGENCIES = ["police", "csc", "health", "education", "probation", "icb", "yjs", "cafcass", "voluntary", "housing"]
FILLER = "Records show timely visits; planning did not keep pace with the concerns. " * 20  # about 1.5 KB
PROCESSES = (("scr", 0.3), ("cdop", 0.4), ("case_audit", 0.1), ("action_plan", 0.2))
COORDINATOR = Actor("bench", frozenset({"coordinator"}))


def seed(url: str, cases: int, actions: int) -> None:
    engine = make_engine(url)
    upgrade_schema(engine)
    rng = random.Random(14)
    with engine.begin() as c:
        c.execute(insert(Agency.__table__), [{"key": k, "name": k.capitalize(), "created_at": NOW} for k in AGENCIES])
        for i, (key, _) in enumerate((*PROCESSES, ("section11", 0))):
            c.execute(insert(ProcessDefinition.__table__).values(
                id=i + 1, key=key, version=1, name=key, description="", content_hash=key, primary_process_id=key,
                primary_file_name=f"{key}.bpmn", process_ids=[key], message_starts={}, model={}, files={},
                spec_json="{}", deployed_at=NOW))
        instances, tasks, plans = [], [], []
        definitions = {key: i + 1 for i, (key, _) in enumerate((*PROCESSES, ("section11", 0)))}
        for n in range(cases):
            key = rng.choices([k for k, _ in PROCESSES], [w for _, w in PROCESSES])[0]
            started = NOW - timedelta(days=rng.uniform(0, 5 * 365))
            instances.append(_instance(n, key, definitions[key], started))
            tasks += _tasks(rng, instances[-1]["id"], key, started)
            if key == "action_plan":
                plans.append((instances[-1]["id"], started))
        for cycle in range(3):  # three Section 11 cycles, two years apart
            started = NOW - timedelta(days=730 * cycle + 30)
            instances.append(_instance(cases + cycle, "section11", definitions["section11"], started))
            tasks += [_task(instances[-1]["id"], "section11", "self_evaluation", started, started + timedelta(days=56),
                            agency=a, answers={f"standard_{s}": {"rating": rng.choice(["green", "amber", "red"]),
                                                                 "evidence": FILLER[:400]} for s in range(1, 9)},
                            done=rng.random() < 0.9) for a in AGENCIES]
        c.execute(insert(ProcessInstance.__table__), instances)
        for start in range(0, len(tasks), 5000):
            c.execute(insert(HumanTask.__table__), tasks[start:start + 5000])
        rows = [_action(rng, n, *plans[n % len(plans)]) for n in range(actions)]
        for start in range(0, len(rows), 5000):
            c.execute(insert(PlanAction.__table__), rows[start:start + 5000])
    if url.startswith("postgresql"):
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    engine.dispose()


def _instance(n: int, key: str, definition_id: int, started: datetime) -> dict[str, Any]:
    return dict(id=str(uuid.UUID(int=n + 1)), definition_id=definition_id, process_key=key, process_id=key,
                business_key=f"{key.upper()}-{n:05d}", title=f"Case {n}", status="active", data={}, state="",
                revision="r", created_at=started, updated_at=started)


def _tasks(rng: random.Random, case: str, key: str, started: datetime) -> list[dict[str, Any]]:
    noise = [_task(case, key, "other_step", started + timedelta(days=i), None, done=True) for i in range(8)]
    if key == "scr":
        notified = started + timedelta(days=rng.randint(1, 9))
        return noise + [
            _task(case, key, "notify_panel", started, started + timedelta(days=7), done=True,
                  answers={"notification_date": notified.date().isoformat(), "notes": FILLER}),
            _task(case, key, "rapid_review", notified, notified + timedelta(days=21), done=rng.random() < 0.9,
                  answers={"rr_sent_date": (notified + timedelta(days=rng.randint(10, 25))).date().isoformat(),
                           "learning_identified": FILLER}),
            _task(case, key, "publish_report", notified, notified + timedelta(days=183), done=rng.random() < 0.5,
                  answers={"publication_date": (notified + timedelta(days=rng.randint(150, 220))).date().isoformat()})]
    if key == "cdop":
        return noise + [_task(case, key, "agency_report", started, started + timedelta(days=21), agency=a,
                              done=rng.random() < 0.8, answers={"summary": FILLER})
                        for a in rng.sample(AGENCIES, 4)]
    if key == "case_audit":
        grades = [{"case_ref": f"C{i}", "grade": rng.choice(["good", "adequate", "inadequate"]),
                   "discussion": FILLER[:300]} for i in range(10)]
        return noise + [_task(case, key, "audit_meeting", started, started + timedelta(days=30), done=True,
                              answers={"case_grades": grades, "findings_summary": FILLER})]
    return noise


def _task(case: str, key: str, name: str, started: datetime, due: datetime | None, *, agency: str | None = None,
          answers: dict[str, Any] | None = None, done: bool = False) -> dict[str, Any]:
    completed = started + timedelta(days=5) if done else None
    return dict(id=str(uuid.uuid4()), instance_id=case, process_key=key, name=name, title=name,
                state="completed" if done else "ready", role="coordinator", agency=agency, priority=3, due_at=due,
                statutory_due_at=due, clock_started_at=started, paused_days=0, properties={},
                data={"summary": FILLER}, answers=answers, created_at=started, completed_at=completed,
                completed_by="bench" if done else None)


def _action(rng: random.Random, n: int, plan: str, started: datetime) -> dict[str, Any]:
    raised = started + timedelta(days=rng.randint(0, 60))
    due = (raised + timedelta(days=rng.randint(30, 400))).date()
    status = rng.choice(["open", "on_track", "at_risk", "signed_off", "withdrawn"])
    return dict(action_key=f"AP-{n:06d}", plan_id=plan, item_id=None, number=n % 20 + 1, source_process="scr",
                source_reference="SCR", recommendation=FILLER[:200], action=FILLER[:200], measure="",
                expected_outcome="",
                owner="bench", agency=rng.choice(AGENCIES), sign_off_by="coordinator", due_date=due,
                original_due_date=due if n % 7 else due - timedelta(days=60), replans=0 if n % 7 else 1, status=status,
                rag="green", latest_update="", latest_update_date=None, updates_count=0, evidence_of_completion="",
                evidence_of_impact="", escalations=0, signed_off_at=None, withdrawn_reason="", closed_at=None,
                raised_at=raised, updated_at=raised)


def time_report(url: str, repeat: int) -> tuple[float, float, tuple[Any, ...]]:
    """The median wall time and the median CPU time of this process (on a shared machine the wall clock also
    counts other programs' turns; SQLite's work is all in this process, PostgreSQL's is not)."""
    factory = make_session_factory(make_engine(url))
    start, end = compliance.default_period(date(2026, 12, 1))
    walls, cpus, measures = [], [], ()
    for _ in range(repeat + 2):  # the first two warm the caches
        began, began_cpu = time.perf_counter(), time.process_time()
        with reading(factory) as s:
            measures = compliance.compliance_report(s, actor=COORDINATOR, start=start, end=end, now=NOW)
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - began_cpu)
    return statistics.median(walls[2:]) * 1000, statistics.median(cpus[2:]) * 1000, measures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", default=os.environ.get("LIF_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    targets = []
    with tempfile.TemporaryDirectory() as folder:
        targets.append(("SQLite", f"sqlite:///{folder}/bench.sqlite3"))
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            if name == "PostgreSQL":
                _empty(url)
            seed(url, args.cases, args.actions)
            median, cpu, measures = time_report(url, args.repeat)
            print(f"{name}: compliance report, last 12 months, {args.cases} cases and {args.actions} actions: "
                  f"median {median:.1f} ms over {args.repeat} runs (target 200 ms); this process's CPU "
                  f"{cpu:.1f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            for m in measures:
                print(f"  {m.key}: {m.numerator} of {m.denominator} ({m.percent}%), {len(m.cases)} cases")


def _empty(url: str) -> None:
    """A PostgreSQL database given for the bench is emptied first (its schema dropped and made again)."""
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
