"""Page speed with 10,000 cases on SQLite: the inbox, the dashboard's first page and a case page.

Seeds a partnership and 200 CDOP cases started and driven through the engine (half at the notification, half
at their agency reports), then bulk-copies their rows (instances, tasks, audit events) with SQLAlchemy core up
to 10,000 cases, some overdue. Each page is then requested through the Flask test client; the figure is the
median server-side time over repeated requests (targets: under 100 ms each).

    python bench/pages.py [--cases 10000] [--repeat 30]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir  # noqa: E402
from engine.cases import instances
from engine.config import Config  # noqa: E402
from engine.people import accounts  # noqa: E402
from engine.records import Actor  # noqa: E402
from engine.store.db import transaction  # noqa: E402
from engine.store.models import AuditEvent, HumanTask, ProcessInstance  # noqa: E402
from engine.work import tasks
from web.boot import boot  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
AGENCIES = ["police", "csc", "health", "education", "probation"]
PASSWORD = "bench-password"
COORDINATOR = Actor("cora", frozenset({"coordinator"}))
NOTIFICATION = {"notification_date": "2026-11-30", "urn": "CDOP-1", "pseudonym": "Child A", "child_initials": "CA",
                "child_dob": "2020-05-01", "child_sex": "female", "nhs_number_status": "not_currently_available",
                "child_local_authority": "csc", "place_of_residence": "Northtown", "date_of_death": "2026-11-28",
                "location_of_death": "hospital", "expected_death": "unexpected", "post_mortem": "coronial",
                "coroner_informed": True, "notified_agencies": ["police", "health"],
                "circumstances": "Sudden collapse at home.", "abuse_neglect_suspected_at_notification": False,
                "designated_doctor_confirmed": True, "jar_criteria": [], "inquest": "opened"}


def seed_people(factory) -> None:
    with transaction(factory) as s:
        for key in AGENCIES:
            accounts.add_agency(s, key, key.capitalize(), actor=None, now=NOW)
        for key, kind in (("csc", "la"), ("health", "icb"), ("police", "police")):  # a CDOP case needs its partners
            accounts.set_partner_kind(s, key, kind, actor=None, now=NOW)
        accounts.add_user(s, "cora", roles=["coordinator"], password=PASSWORD, actor=None, now=NOW)
        accounts.add_user(s, "pat", roles=["reviewer"], agency_key="police", password=PASSWORD, actor=None, now=NOW)
        definitions.deploy_bundle(s, "cdop", read_bundle_dir(REPO / "workflows" / "cdop"), actor=None, now=NOW)


def start_templates(factory, count: int) -> list[str]:
    """``count`` cases through the engine; every other one driven to its agency reports."""
    rng = random.Random(7)
    ids = []
    for n in range(count):
        with transaction(factory) as s:
            instance_id = instances.start_instance(s, "cdop", actor=COORDINATOR, now=NOW).id
        ids.append(instance_id)
        if n % 2:
            continue
        for name, data in (("notification", {**NOTIFICATION, "urn": f"CDOP-{n}"}),
                           ("identify_agencies", {"agencies_involved": sorted(rng.sample(AGENCIES, 3)),
                                                  "lead_agency": "police"})):
            with transaction(factory) as s:
                task_id = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                              HumanTask.name == name, HumanTask.state == "ready"))
                tasks.complete_task(s, task_id, data, actor=COORDINATOR, now=NOW)
    return ids


def copy_rows(engine, template_ids: list[str], total: int) -> None:
    """Bulk-copy the template cases' rows until there are ``total`` cases (core inserts, in batches)."""
    rng = random.Random(11)
    with engine.connect() as conn:
        cases = [dict(r._mapping) for r in conn.execute(select(ProcessInstance.__table__)
                                                         .where(ProcessInstance.id.in_(template_ids)))]
        task_rows = [dict(r._mapping) for r in conn.execute(select(HumanTask.__table__))]
        audit_rows = [dict(r._mapping) for r in conn.execute(select(AuditEvent.__table__)
                                                             .where(AuditEvent.instance_id.is_not(None)))]
    by_case: dict[str, list] = {}
    for row in task_rows:
        by_case.setdefault(row["instance_id"], []).append(row)
    audit_by_case: dict[str, list] = {}
    for row in audit_rows:
        audit_by_case.setdefault(row["instance_id"], []).append(row)
    made = len(cases)
    with engine.begin() as conn:
        while made < total:
            batch_cases, batch_tasks, batch_audit = [], [], []
            for template in cases:
                if made >= total:
                    break
                made += 1
                new_id, shift = str(uuid.uuid4()), timedelta(days=rng.randint(-60, 0))
                batch_cases.append({**template, "id": new_id, "business_key": f"CDOP-2026-{made:05d}",
                                    "title": f"CDOP CDOP-{made}: Child {made}", "pseudonym": f"Child {made}",
                                    "created_at": template["created_at"] + shift, "revision": uuid.uuid4().hex})
                ids = {t["id"]: str(uuid.uuid4()) for t in by_case.get(template["id"], [])}
                for t in by_case.get(template["id"], []):
                    due = t["due_at"] + shift if t["due_at"] else None
                    batch_tasks.append({**t, "id": ids[t["id"]], "instance_id": new_id, "due_at": due,
                                        "created_at": t["created_at"] + shift})
                for a in audit_by_case.get(template["id"], []):
                    batch_audit.append({**{k: v for k, v in a.items() if k != "id"}, "instance_id": new_id,
                                        "task_id": ids.get(a["task_id"], a["task_id"]), "at": a["at"] + shift})
            conn.execute(insert(ProcessInstance.__table__), batch_cases)
            if batch_tasks:
                conn.execute(insert(HumanTask.__table__), batch_tasks)
            if batch_audit:
                conn.execute(insert(AuditEvent.__table__), batch_audit)


def median_ms(client, path: str, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds per request (the CPU figure is the one to trust on a busy
    machine: SQLite runs in this thread, so its work is counted too)."""
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.thread_time()
        client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--templates", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db", help="a database file to seed once and reuse on later runs")
    parser.add_argument("--profile", help="profile this path's requests (cProfile) instead of timing")
    return parser.parse_args()


def _seeded(engine, factory, args: argparse.Namespace, reuse: bool) -> tuple[str, int]:
    """Seed the cases (unless the database is reused); a case at its agency reports, and how many cases."""
    started = time.perf_counter()
    if not reuse:
        seed_people(factory)
        copy_rows(engine, start_templates(factory, args.templates), args.cases)
    with engine.connect() as conn:  # a case driven to its agency reports, with its audit trail
        case_id = conn.execute(select(HumanTask.instance_id).where(HumanTask.name == "agency_report")
                               .order_by(HumanTask.created_at).limit(1)).scalar()
        cases = conn.execute(select(ProcessInstance.id)).all()
        open_tasks = conn.execute(select(HumanTask.id).where(HumanTask.state == "ready")).all()
    print(f"seeded {len(cases)} cases, {len(open_tasks)} open tasks in {time.perf_counter() - started:.1f} s")
    return case_id, len(cases)


def _signed_in(url: str, folder: Path) -> tuple:
    """Test clients signed in as pat (a police reviewer) and cora (the coordinator)."""
    from web import create_app

    app = create_app(Config.from_env(database_url=url, secret_key="bench", workflows_dir=folder))
    app.config["WTF_CSRF_ENABLED"] = False  # the bench signs in through the test client
    reviewer, coordinator = app.test_client(), app.test_client()
    for client, username in ((reviewer, "pat"), (coordinator, "cora")):
        assert client.post("/sign-in", data={"username": username, "password": PASSWORD}).status_code == 302
    return reviewer, coordinator


def _profile(client, path: str) -> None:
    import cProfile

    for _ in range(3):
        client.get(path)
    cProfile.runctx("for _ in range(10): client.get(path)", globals(), locals(),
                    sort=os.environ.get("SORT", "cumulative"))


def main() -> None:
    args = _arguments()
    import time_machine

    folder = Path(tempfile.mkdtemp(prefix="lif-bench-pages-"))
    path = Path(args.db) if args.db else folder / "lif.sqlite3"
    reuse = path.exists()
    url = f"sqlite:///{path}"
    wired = boot(Config.from_env(secret_key="bench", database_url=url), create_tables=True)
    engine, factory = wired.engine, wired.factory
    with time_machine.travel(NOW, tick=True):
        case_id, cases = _seeded(engine, factory, args, reuse)
        reviewer, coordinator = _signed_in(url, folder)
        if args.profile:
            _profile(reviewer if args.profile == "/tasks" else coordinator, args.profile.replace("<id>", case_id))
            return
        results = {
            "inbox (police reviewer, /tasks)": median_ms(reviewer, "/tasks", args.repeat),
            "dashboard first page (coordinator, /cases)": median_ms(coordinator, "/cases", args.repeat),
            "case page (coordinator, /cases/<id>)": median_ms(coordinator, f"/cases/{case_id}", args.repeat),
        }
    print(f"median server-side time over {args.repeat} requests, {cases} cases on SQLite (target < 100 ms):")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<45} {wall:7.1f} ms wall  {cpu:7.1f} ms CPU  {'ok' if wall < 100 else 'SLOW'}")


if __name__ == "__main__":
    main()
