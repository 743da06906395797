#!/usr/bin/env python3
"""lif-healthcheck: the container's health check. ``lif-healthcheck [PATH]`` asks this container's server for
PATH (default ``/healthz``: the process answers; compose's web service asks ``/readyz``: the database answers and
the schema is current) and exits 0 on a 200, else 1 with one line saying what came back.
``lif-healthcheck --database`` checks the settings and that the database answers; ``lif-healthcheck --scheduler``
(the scheduler's container, which serves nothing) also that a sweep has finished within the last three minutes
(three sweep intervals; compose's start period covers the first)."""
from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def ask(path: str) -> str | None:
    url = f"http://127.0.0.1:{os.environ.get('LIF_PORT', '8000')}{path}"
    try:
        with urllib.request.urlopen(url, timeout=4) as answer:  # noqa: S310 (a fixed loopback address)
            return None if answer.status == 200 else f"{url} answered {answer.status}"
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}: {exc.read(200).decode(errors='replace').strip()}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{url} did not answer: {getattr(exc, 'reason', exc)}"


SWEEP_LATE_S = 180


def database(*, sweeps: bool = False) -> str | None:
    from sqlalchemy import text

    from engine.config import Config
    from engine.errors import LifError
    from engine.store.db import make_engine, unreachable, unreachable_reason

    try:
        config = Config.from_env()
        with make_engine(config.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
        if sweeps:
            return late_sweep(config.database_url)
    except LifError as exc:
        return exc.message
    except Exception as exc:
        if unreachable(exc):
            return unreachable_reason(config.database_url, exc)
        raise
    return None


def late_sweep(database_url: str) -> str | None:
    from engine import clock
    from engine.cases.sweeps import last_sweep
    from engine.store.db import make_engine, make_session_factory, reading

    now = clock.now()
    with reading(make_session_factory(make_engine(database_url))) as session:
        sweep = last_sweep(session, now)
    if sweep is None:
        return "no scheduler sweep has finished yet"
    age = (now - sweep.swept_at).total_seconds()
    return f"the last scheduler sweep finished {age:.0f} s ago" if age > SWEEP_LATE_S else None


if __name__ == "__main__":
    wanted = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    if wanted in ("--database", "--scheduler"):
        problem = database(sweeps=wanted == "--scheduler")
    else:
        problem = ask(wanted)
    if problem:
        print(problem, file=sys.stderr)
    sys.exit(1 if problem else 0)
