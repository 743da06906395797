#!/usr/bin/env python3
"""lif-healthcheck: the container's health check. ``lif-healthcheck [PATH]`` asks this container's server for
PATH (default ``/healthz``: the process answers; compose's web service asks ``/readyz``: the database answers and
the schema is current) and exits 0 on a 200, else 1 with one line saying what came back.
``lif-healthcheck --database`` (the scheduler's container, which serves nothing) checks the settings and that the
database answers, as the scheduler's next sweep would need."""
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


def database() -> str | None:
    from sqlalchemy import text

    from engine.config import Config
    from engine.errors import LifError
    from engine.store.db import make_engine, unreachable, unreachable_reason

    try:
        config = Config.from_env()
        with make_engine(config.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except LifError as exc:
        return exc.message
    except Exception as exc:
        if unreachable(exc):
            return unreachable_reason(config.database_url, exc)
        raise
    return None


if __name__ == "__main__":
    wanted = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    problem = database() if wanted == "--database" else ask(wanted)
    if problem:
        print(problem, file=sys.stderr)
    sys.exit(1 if problem else 0)
