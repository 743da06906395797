"""The learning log's query with 10,000 cases and 30,000 lessons, on SQLite (and PostgreSQL with ``--url``): the
first page for the coordinator, for a police reviewer (the need-to-know rule: their agency's lessons and their
cases'), and with a search, a theme, an agency and dates. Prints the median of repeated runs (target: under 200
ms, as the other registers).

Seeds 200 cases of the test suite's ``lesson_log`` bundle through the engine (each with a task for one agency's
reviewers), bulk-copies their rows up to 10,000 cases as ``bench/pages.py`` does, then writes three lessons per case
with SQLAlchemy core.

    python bench/learning_log.py [--cases 10000] [--repeat 30] [--url postgresql+psycopg://...]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import AGENCIES, COORDINATOR, NOW, PASSWORD, copy_rows  # noqa: E402
from engine.bundles import definitions  # noqa: E402
from engine.bundles.parsing import read_bundle_dir  # noqa: E402
from engine.cases import instances  # noqa: E402
from engine.people import accounts  # noqa: E402
from engine.records import Actor  # noqa: E402
from engine.reports import lessons  # noqa: E402
from engine.store.db import make_engine, make_session_factory, transaction  # noqa: E402
from engine.store.models import DEFAULT_LEARNING_THEMES, Lesson, ProcessInstance  # noqa: E402
from engine.store.schema import create_schema  # noqa: E402

REVIEWER = Actor("pat", frozenset({"reviewer"}), "police")
QUERIES = {"coordinator, first page": (COORDINATOR, {}),
           "police reviewer, first page": (REVIEWER, {}),
           "coordinator, search": (COORDINATOR, {"q": "chronology"}),
           "coordinator, theme and dates": (COORDINATOR, {"theme": "neglect", "recorded_from": date(2026, 10, 1),
                                                          "recorded_to": date(2026, 11, 30)}),
           "police reviewer, agency and search": (REVIEWER, {"agency": "health", "q": "school"})}


BUNDLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "bundles" / "lesson_log"


def seed_people(factory) -> None:
    with transaction(factory) as s:
        for key in AGENCIES:
            accounts.add_agency(s, key, key.capitalize(), actor=None, now=NOW)
        accounts.add_user(s, "cora", roles=["coordinator"], password=PASSWORD, actor=None, now=NOW)
        accounts.add_user(s, "pat", roles=["reviewer"], agency_key="police", password=PASSWORD, actor=None, now=NOW)
        definitions.deploy_bundle(s, "lesson_log", read_bundle_dir(BUNDLE), actor=None, now=NOW)


def start_templates(factory, count: int) -> list[str]:
    ids = []
    for n in range(count):
        with transaction(factory) as s:
            ids.append(instances.start_instance(s, "lesson_log", data={"lead_agency": AGENCIES[n % len(AGENCIES)]},
                                                actor=COORDINATOR, now=NOW - timedelta(days=n)).id)
    return ids


def seed_lessons(engine, per_case: int) -> int:
    rng = random.Random(5)
    themes = [key for key, _ in DEFAULT_LEARNING_THEMES]
    with engine.connect() as conn:
        cases = conn.execute(select(ProcessInstance.id, ProcessInstance.business_key,
                                    ProcessInstance.created_at)).all()
    rows = [{"instance_id": case_id, "position": n, "process_key": "lesson_log", "business_key": key,
             "theme": rng.choice(themes), "lesson": f"Lesson {n} of {key}: concerns were not shared with the school.",
             "good_practice": rng.choice(["None identified", "The health visitor kept a clear chronology."]),
             "agencies": sorted(rng.sample(AGENCIES, rng.randint(1, 3))),
             "recorded_at": created + timedelta(days=rng.randint(0, 300)), "recorded_by": "cora"}
            for case_id, key, created in cases for n in range(per_case)]
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Lesson.__table__), rows[start:start + 5000])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--lessons-per-case", type=int, default=3)
    parser.add_argument("--templates", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--url", help="a database URL (an empty database); default a new SQLite file")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='lif-bench-')) / 'bench.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    seed_people(factory)
    copy_rows(engine, start_templates(factory, args.templates), args.cases)
    total = seed_lessons(engine, args.lessons_per_case)
    with engine.begin() as conn:  # the planner's statistics, as a live database keeps them
        conn.exec_driver_sql("ANALYZE")
    print(f"{engine.dialect.name}: seeded {args.cases} cases and {total} lessons in "
          f"{time.perf_counter() - started:.1f} s")
    for label, (actor, filters) in QUERIES.items():
        times, found = [], 0
        for _ in range(args.repeat):
            with transaction(factory) as s:
                began = time.perf_counter()
                found = lessons.learning_log(s, actor=actor, now=NOW, limit=25, offset=0, **filters).total
                times.append((time.perf_counter() - began) * 1000)
        print(f"  {label:40} {statistics.median(times):7.1f} ms median, {max(times):7.1f} ms max "
              f"({found} lessons match)")


if __name__ == "__main__":
    main()
