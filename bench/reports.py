"""The action register, the learning log and the compliance report at a national partnership's scale: 10,000 cases
and 50,000 actions, on SQLite (a temporary file) or PostgreSQL (``--database-url``, an empty database).

The rows are real ones: the demo partnership is played through the engine, and then its cases (with their tasks,
lessons and actions) are copied, each copy moved back by a whole number of weeks within the last two years, until
there are ``--cases`` cases; more copies of the actions are spread over the plans until there are ``--actions``. The
Section 11 cycles are the demo's own (a partnership runs one every two years, whatever its caseload); ``--copy-cycles``
copies them too, the stress case of about 170 cycles a year. Then
each read runs ``--rounds`` times and the script prints the median and the slowest, in milliseconds. The target
(issue 14) is a median under 200 ms for each.

    python bench/reports.py [--cases 10000] [--actions 50000] [--rounds 7] [--database-url URL] [--copy-cycles]

The clock is the engine's own (``clock.frozen_at``); nothing sleeps.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Date, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from demo import load_demo  # noqa: E402
from engine import clock  # noqa: E402
from engine.config import Config  # noqa: E402
from engine.people import accounts  # noqa: E402
from engine.store.db import UTCDateTime, transaction  # noqa: E402
from engine.store.models import Base, HumanTask, Lesson, PlanAction, ProcessInstance  # noqa: E402
from web.boot import boot  # noqa: E402

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
CHUNK = 2_000
CYCLES = ("section11",)  # processes a partnership runs on a fixed cycle, not per case


def _moved(row: dict[str, Any], table: Any, weeks: int) -> dict[str, Any]:
    """``row`` with every date and time column moved back ``weeks`` weeks (a whole week keeps working days)."""
    shift = timedelta(weeks=weeks)
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and isinstance(column.type, (UTCDateTime, Date)):
            row[column.name] = value - shift
    return row


def _rows(session: Session, table: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in session.execute(select(table))]


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start:start + CHUNK])


def grow(factory: Any, cases: int, actions: int, seed: int = 14, copy_cycles: bool = False) -> dict[str, int]:
    """Copy the demo's cases until there are ``cases`` top-level cases, then its actions until ``actions``. The
    Section 11 cycles are not copied unless ``copy_cycles`` (the stress case: a cycle for every thirty cases)."""
    rng = random.Random(seed)
    instances, tasks_t, actions_t, lessons_t = (ProcessInstance.__table__, HumanTask.__table__, PlanAction.__table__,
                                                Lesson.__table__)
    with transaction(factory) as s:
        base_cases = _rows(s, instances)
        base_tasks = _rows(s, tasks_t)
        base_actions = _rows(s, actions_t)
        base_lessons = _rows(s, lessons_t)
    if not copy_cycles:  # a partnership runs one Section 11 cycle every two years, however many cases it has
        kept = {r["id"] for r in base_cases if r["process_key"] not in CYCLES}
        base_cases = [r for r in base_cases if r["id"] in kept]
        base_tasks = [r for r in base_tasks if r["instance_id"] in kept]
        base_actions = [r for r in base_actions if r["plan_id"] in kept]
        base_lessons = [r for r in base_lessons if r["instance_id"] in kept]
    top = sum(1 for r in base_cases if r.get("parent_id") is None)
    copy = 0
    while top * (copy + 1) < cases:
        copy += 1
        weeks = rng.randrange(1, 104)
        ids = {r["id"]: str(uuid.uuid4()) for r in base_cases}
        new_cases = [_moved({**r, "id": ids[r["id"]], "business_key": f"{r['business_key']}-{copy}",
                             "parent_id": ids.get(r["parent_id"]) if r.get("parent_id") else None}, instances, weeks)
                     for r in base_cases]
        new_tasks = [_moved({**r, "id": str(uuid.uuid4()), "instance_id": ids[r["instance_id"]]}, tasks_t, weeks)
                     for r in base_tasks]
        new_lessons = [_moved({**{k: v for k, v in r.items() if k != "id"}, "instance_id": ids[r["instance_id"]],
                               "business_key": f"{r['business_key']}-{copy}"}, lessons_t, weeks)
                       for r in base_lessons]
        new_actions = [_moved({**{k: v for k, v in r.items() if k != "id"}, "action_key": f"{r['action_key']}-{copy}",
                               "plan_id": ids[r["plan_id"]], "item_id": ids.get(r["item_id"])}, actions_t, weeks)
                       for r in base_actions]
        with transaction(factory) as s:
            # parents before their parts: a part's parent_id must already be there
            _insert(s, instances, [r for r in new_cases if r["parent_id"] is None])
            _insert(s, instances, [r for r in new_cases if r["parent_id"] is not None])
            _insert(s, tasks_t, new_tasks)
            _insert(s, lessons_t, new_lessons)
            _insert(s, actions_t, new_actions)
    with transaction(factory) as s:
        have = s.scalar(select(func.count()).select_from(actions_t)) or 0
        plans = list(s.scalars(select(PlanAction.plan_id).distinct()))
    extra = 0
    while have < actions and base_actions and plans:
        batch = []
        for _ in range(min(CHUNK * 5, actions - have)):
            extra += 1
            source = rng.choice(base_actions)
            batch.append(_moved({**{k: v for k, v in source.items() if k != "id"},
                                 "action_key": f"{source['action_key']}-x{extra}", "plan_id": rng.choice(plans),
                                 "number": 100 + extra % 900}, actions_t, rng.randrange(0, 104)))
        with transaction(factory) as s:
            _insert(s, actions_t, batch)
        have += len(batch)
    with transaction(factory) as s:
        return {"cases": s.scalar(select(func.count()).select_from(instances).where(
                    ProcessInstance.parent_id.is_(None))) or 0,
                "instances": s.scalar(select(func.count()).select_from(instances)) or 0,
                "tasks": s.scalar(select(func.count()).select_from(tasks_t)) or 0,
                "actions": s.scalar(select(func.count()).select_from(actions_t)) or 0,
                "lessons": s.scalar(select(func.count()).select_from(lessons_t)) or 0}


def timed(factory: Any, read: Callable[[Session], Any], rounds: int) -> tuple[list[float], list[float]]:
    """Each round's wall-clock seconds, and this process's CPU seconds (on SQLite the whole read; steadier than the
    wall clock on a busy machine, but blind to a database server's own work)."""
    wall, cpu = [], []
    for _ in range(rounds):
        with transaction(factory) as s:
            started, started_cpu = time.perf_counter(), time.process_time()
            read(s)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def reads(factory: Any, register_only: bool = False) -> dict[str, Callable[[Session], Any]]:
    """The reads to time, by label, as a coordinator and as an agency lead would ask (``register_only``: the
    action register's alone, before the learning log and the compliance report exist)."""
    from engine.reports.actions import action_register, plan_actions

    with transaction(factory) as s:
        coordinator = accounts.actor_for(accounts.find_user(s, "coordinator"))
        lead = accounts.actor_for(accounts.find_user(s, "police.lead"))
        busiest = s.execute(select(PlanAction.plan_id).group_by(PlanAction.plan_id)
                            .order_by(func.count().desc()).limit(1)).scalar_one()
    year_ago = NOW.date() - timedelta(days=365)
    register = {
        "action register, first page (coordinator)":
            lambda s: action_register(s, actor=coordinator, now=NOW, limit=50, offset=0),
        "action register, overdue, one agency":
            lambda s: action_register(s, actor=coordinator, now=NOW, overdue=True, agency="police", limit=50,
                                      offset=0),
        "action register, open, due this year, searched":
            lambda s: action_register(s, actor=coordinator, now=NOW, status="open", due_from=date(2026, 1, 1),
                                      due_to=date(2026, 12, 31), q="training", limit=50, offset=0),
        "action register, an agency lead's view":
            lambda s: action_register(s, actor=lead, now=NOW, limit=50, offset=0),
        "action register, red, raised by reviews, page 20":
            lambda s: action_register(s, actor=coordinator, now=NOW, rag="red", process_key="scr", limit=50,
                                      offset=950),
        "a plan's actions (its case page), the busiest plan":
            lambda s: plan_actions(s, busiest, actor=coordinator, now=NOW),
    }
    if register_only:
        return register
    from engine.reports.compliance import compliance_report
    from engine.reports.lessons import learning_log
    return {
        **register,
        "learning log, first page (coordinator)":
            lambda s: learning_log(s, actor=coordinator, now=NOW, limit=50, offset=0),
        "compliance report, last 12 months":
            lambda s: compliance_report(s, actor=coordinator, start=year_ago, end=NOW.date(), now=NOW),
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--copy-cycles", action="store_true",
                        help="copy the Section 11 cycles with the cases too (about 170 cycles a year: a stress case)")
    parser.add_argument("--register-only", action="store_true", help="time the action register's reads alone")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'reports.sqlite3'}"
        wired = boot(Config.from_env(secret_key="bench", database_url=url), create_tables=True)
        factory = wired.factory
        try:
            began = time.perf_counter()
            with clock.frozen_at(NOW - timedelta(days=1)):
                load_demo(factory, now=NOW - timedelta(days=1))
            counts = grow(factory, args.cases, args.actions, copy_cycles=args.copy_cycles)
            print(f"{wired.engine.dialect.name}: {counts['cases']} cases ({counts['instances']} instances with their "
                  f"parts), {counts['tasks']} tasks, {counts['actions']} actions, {counts['lessons']} lessons; "
                  f"Section 11 cycles {'copied with the cases' if args.copy_cycles else 'as in the demo'}; "
                  f"built in {time.perf_counter() - began:.0f} s")
            print(f"{'read':52}{'median':>12}{'slowest':>12}{'CPU median':>14}")
            with clock.frozen_at(NOW):
                for label, read in reads(factory, args.register_only).items():
                    times, cpu = timed(factory, read, args.rounds)
                    print(f"{label:52}{statistics.median(times) * 1000:>9.1f} ms{max(times) * 1000:>9.1f} ms"
                          f"{statistics.median(cpu) * 1000:>11.1f} ms")
        finally:
            if args.database_url:
                Base.metadata.drop_all(wired.engine)
            wired.engine.dispose()


if __name__ == "__main__":
    main()
