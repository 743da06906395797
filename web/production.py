"""The production server ``lif serve`` runs: gunicorn, with N worker processes (each with M threads), request
timeouts, graceful restarts and access logs, and one scheduler beside the workers (``web.embedded_scheduler``).
The app is built in each worker after the fork (never in the arbiter), so no worker shares a database connection
or a sandbox pool with another."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.http import wsgi as gunicorn_wsgi

from .embedded_scheduler import EmbeddedScheduler
from .ops import logs as ops_logs
from .ops import multiprocess  # imports no prometheus_client: its mode is chosen when the workers first import it

SCHEDULER_ENV = "LIF_SCHEDULER_EMBEDDED"  # "1" in the workers when this server runs the scheduler (/readyz reads it)
# The path, never the query string (search terms are personal data) nor the referrer (another page's query).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def default_workers() -> int:
    """A sensible number of worker processes for this machine: two a core, plus one, at most eight."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class _LifArbiter(Arbiter):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's arbiter, which also keeps the scheduler child running: its loop calls ``manage_workers`` about
    once a second, and after a signal."""

    def manage_workers(self) -> None:
        super().manage_workers()
        scheduler = getattr(self.app, "scheduler", None)
        if scheduler is not None:
            scheduler.keep_running()


class LifServer(BaseApplication):  # type: ignore[misc]
    """gunicorn's arbiter around ``build_app``, configured from ``options`` (gunicorn's own setting names)."""

    def __init__(self, build_app: Callable[[], Any], options: dict[str, Any],
                 scheduler: EmbeddedScheduler | None = None) -> None:
        self._build_app = build_app
        self._options = options
        self.scheduler = scheduler
        super().__init__(prog="lif serve")

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return self._build_app()

    def run(self) -> None:
        _LifArbiter(self).run()


def options(host: str, port: int, *, workers: int, threads: int, timeout_s: int = 60,
            scheduler: EmbeddedScheduler | None = None) -> dict[str, Any]:
    """gunicorn's settings for ``lif serve``, with the logging options of ``web.ops.logs`` over ours."""
    settings: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout_s,  # a worker silent this long (every thread stuck) is killed and replaced
        "graceful_timeout": 30,  # on TERM or HUP, requests in flight have this long to finish
        "keepalive": 5,  # an idle kept-alive connection is closed after this long
        "limit_request_line": 8190, "limit_request_fields": 100, "limit_request_field_size": 8190,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "control_socket_disable": True,  # no socket file in the user's home
        "preload_app": False,
        "raw_env": [f"{SCHEDULER_ENV}={'1' if scheduler else '0'}"],
        "when_ready": lambda arbiter: scheduler.start() if scheduler else None,
        "on_exit": lambda arbiter: scheduler.stop() if scheduler else None,
        "child_exit": _worker_exited,
    }
    settings.update(ops_logs.gunicorn_options())
    return settings


def serve(build_app: Callable[[], Any], host: str, port: int, *, workers: int, threads: int,
          scheduler: bool = True) -> None:
    """Run gunicorn until it is stopped (TERM or INT: requests in flight finish, then the scheduler's sweep)."""
    server_pid = os.getpid()
    metrics_dir = _prepare_metrics()
    embedded = EmbeddedScheduler() if scheduler else None
    drop_server_header()
    try:
        LifServer(build_app, options(host, port, workers=workers, threads=threads, scheduler=embedded),
                  embedded).run()
    finally:
        # a worker leaves gunicorn by SystemExit, through these frames (forked from ours): only the arbiter cleans up
        if os.getpid() == server_pid:
            if embedded is not None:
                embedded.stop()
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _prepare_metrics() -> Path:
    """A fresh folder for prometheus-client's multi-process files, set in the environment before gunicorn starts."""
    return Path(multiprocess.prepare())


def _worker_exited(arbiter: Any, worker: Any) -> None:
    multiprocess.worker_exited(worker.pid)


class _ResponseWithoutServer(gunicorn_wsgi.Response):  # type: ignore[misc]
    """gunicorn's response, less the ``Server: gunicorn`` line it always writes (it has no setting for it)."""

    def default_headers(self) -> list[str]:
        return [line for line in super().default_headers() if not line.lower().startswith("server:")]


def drop_server_header() -> None:
    """gunicorn builds each request's response through its ``wsgi`` module's ``Response``: ours takes its place (in
    the arbiter, before any worker is forked). tests/security/test_server_header.py holds gunicorn to it."""
    gunicorn_wsgi.Response = _ResponseWithoutServer
