"""Running LIF for an IT team: health and readiness (``/healthz``, ``/readyz``), Prometheus metrics (``/metrics``),
logs (text or JSON, a request id on every line) and the request id itself (``X-Request-Id``).

This package's ``__init__`` imports nothing heavy: ``lif serve`` imports ``multiprocess`` and ``logs`` in gunicorn's
arbiter, where prometheus_client must not be imported before ``multiprocess.prepare`` has chosen its mode."""
from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    """The request id on every answer, request metrics, the step-duration observer and the three endpoints."""
    from . import health, metrics, request_ids

    request_ids.install(app)
    metrics.install(app)
    health.install(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
