"""The production server ``lif serve`` runs: gunicorn, with N worker processes (each with M threads), request
timeouts, graceful restarts and access logs. The app is built in each worker after the fork (never in the
arbiter), so no worker shares a database connection or a sandbox pool with another."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """A sensible number of worker processes for this machine: two a core, plus one, at most eight."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class LifServer(BaseApplication):  # type: ignore[misc]  (gunicorn ships no type hints)
    """gunicorn's arbiter around ``build_app``, configured from ``options`` (gunicorn's own setting names)."""

    def __init__(self, build_app: Callable[[], Any], options: dict[str, Any]) -> None:
        self._build_app = build_app
        self._options = options
        super().__init__(prog="lif serve")

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return self._build_app()


def options(host: str, port: int, *, workers: int, threads: int, timeout_s: int = 60) -> dict[str, Any]:
    """gunicorn's settings for ``lif serve``."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout_s,  # a worker silent this long is killed and replaced
        "graceful_timeout": 30,  # on TERM or HUP, requests in flight have this long to finish
        "accesslog": "-",
        "errorlog": "-",
        "control_socket_disable": True,  # no socket file in the user's home
        "preload_app": False,
    }


def serve(build_app: Callable[[], Any], host: str, port: int, *, workers: int, threads: int) -> None:
    LifServer(build_app, options(host, port, workers=workers, threads=threads)).run()
