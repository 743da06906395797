"""The designer's check by running (``engine.designer.checking``) on each shipped bundle: the wall-clock time of a
whole check (validation, the scratch database, every run), the runs' steps, and what it found. Prints one line a
bundle, then the slowest; the aim is a few seconds for ``scr`` with 8 seeds on an idle two-core machine (the load
average is printed too, since a busy machine stretches every step).

    python bench/designer_check.py [--seeds 8] [--repeat 1] [bundle ...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.pool import StaticPool  # noqa: E402

from engine.bundles.parsing import read_bundle_dir  # noqa: E402
from engine.designer import check_runs, checking  # noqa: E402
from engine.store.db import make_engine, make_session_factory  # noqa: E402
from engine.store.models import Agency, User, UserRole  # noqa: E402
from engine.store.schema import create_schema  # noqa: E402

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def partnership_session():
    """A database with three partner agencies and one person in each case role (whom the check asks about)."""
    engine = make_engine("sqlite://", poolclass=StaticPool)
    create_schema(engine)
    session = make_session_factory(engine)()
    for key, kind in (("police", "police"), ("csc", "la"), ("health", "icb")):
        session.add(Agency(key=key, name=key.title(), partner_kind=kind, created_at=NOW))
    for number, role in enumerate(check_runs.CASE_ROLES):
        user = User(username=f"user{number}", full_name=f"User {number}", active=True, created_at=NOW)
        user.role_rows = [UserRole(role=role)]
        session.add(user)
    session.commit()
    return session


class StepCounter:
    """Counts the actions of every run (completing a task, firing a timer, delivering a message)."""

    def __init__(self) -> None:
        self.steps = 0
        self._act = check_runs._Run._act

    def __enter__(self) -> StepCounter:
        counter = self

        def counted(run, action):
            counter.steps += 1
            return counter._act(run, action)
        check_runs._Run._act = counted
        return self

    def __exit__(self, *exc) -> None:
        check_runs._Run._act = self._act


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", nargs="*", default=sorted(p.name for p in WORKFLOWS.iterdir()
                                                            if (p / "process_model.json").exists()))
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    session = partnership_session()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.seeds} seeds")
    slowest = ("", 0.0)
    for key in args.bundles:
        files = read_bundle_dir(WORKFLOWS / key)
        times = []
        with StepCounter() as counter:
            for _ in range(args.repeat):
                started = time.perf_counter()
                report = checking.check_bundle(session, key, files, seeds=args.seeds, now=NOW)
                times.append(time.perf_counter() - started)
        median = statistics.median(times)
        steps = counter.steps // args.repeat
        print(f"{key:22} {median:6.2f} s  {report.runs} runs  {steps:4} steps  {median / max(steps, 1) * 1000:5.1f} ms "
              f"a step  {len(report.reached):3} elements reached  {len(report.problems)} problems")
        for problem in report.problems:
            print(f"    {problem.kind} {problem.element}: {problem.message}")
        if median > slowest[1]:
            slowest = (key, median)
    print(f"slowest: {slowest[0]} {slowest[1]:.2f} s")


if __name__ == "__main__":
    main()
