"""``GET /metrics``: Prometheus's text format, every name beginning ``lif_``, for a scraper on this machine or one
that sends ``Authorization: Bearer <LIF_METRICS_TOKEN>``; anyone else gets the ordinary 404 (it is not advertised).

Counted as things happen: request latency (by Flask's endpoint name, never the path, with the method and the
status class), each case step's duration (``engine.timings``), sign-in failures. Read from the database at each
scrape: due rows waiting and the age of the oldest, the email outbox pending and failed, the time since the last
sweep. Under ``lif serve`` every worker writes its counts to files (``multiprocess``) and the scrape adds them up."""
from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask import Blueprint, Flask, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from engine import clock, timings
from engine.cases import sweeps
from engine.errors import RateLimited, Unauthorized

from ..context import LifContext, lif
from . import multiprocess
from .request_ids import ENVIRON_STARTED

log = logging.getLogger(__name__)
bp = Blueprint("ops_metrics", __name__)
REGISTRY = CollectorRegistry(auto_describe=True)  # ours alone: the default one adds names without lif_
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # others count as "other"

REQUEST_SECONDS = Histogram(
    "lif_http_request_duration_seconds", "Time to answer a request, by Flask endpoint, method and status class.",
    ["endpoint", "method", "status"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
STEP_SECONDS = Histogram(
    "lif_step_duration_seconds", "Time a case step took (start: created and run to its first wait), by process, "
    "kind and outcome (ok, error: the case went to error, refused: nothing kept).",
    ["process", "kind", "outcome"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
SIGN_IN_FAILURES = Counter(
    "lif_sign_in_failures", "Sign-ins refused, by where (api: a token request; pages) and why (wrong: the username "
    "or password; throttled: too many tries).", ["via", "reason"], registry=REGISTRY)


def install(app: Flask) -> None:
    app.after_request(_count_request)


def connect_steps() -> None:
    """The composition root's call (``web.boot``): every step of this process is timed into ``STEP_SECONDS``."""
    timings.observe_steps(_count_step)


def _count_step(timed: timings.StepTimed) -> None:
    STEP_SECONDS.labels(timed.process_key, timed.kind, timed.outcome).observe(timed.seconds)


def _count_request(response: Response) -> Response:
    started = request.environ.get(ENVIRON_STARTED)
    if started is not None:
        method = request.method if request.method in _METHODS else "other"
        try:
            REQUEST_SECONDS.labels(request.endpoint or "unmatched", method, f"{response.status_code // 100}xx") \
                .observe(_elapsed(started))
        except OSError:  # the metrics folder went away: the answer matters more than its count
            log.exception("request not counted")
    return response


def _elapsed(started: float) -> float:
    return max(0.0, time.perf_counter() - started)


@contextmanager
def counting_sign_in_failures(via: str) -> Iterator[None]:
    """Count a refused sign-in (``Unauthorized`` or ``RateLimited`` leaving the block) and let it go on."""
    try:
        yield
    except Unauthorized:
        SIGN_IN_FAILURES.labels(via, "wrong").inc()
        raise
    except RateLimited:
        SIGN_IN_FAILURES.labels(via, "throttled").inc()
        raise


@bp.get("/metrics")
def scrape() -> Response:
    context = lif()
    if not _may_scrape(context.config.metrics_token):
        abort(404)
    return Response(generate_latest(scrape_registry(context)), mimetype=CONTENT_TYPE_LATEST)


def _may_scrape(token: str | None) -> bool:
    """A bearer token equal to ``LIF_METRICS_TOKEN``, or a loopback client that no proxy forwarded (behind a reverse
    proxy on this machine every client would look like loopback)."""
    offered = request.headers.get("Authorization", "")
    if token and offered.startswith("Bearer ") and hmac.compare_digest(offered[7:].strip().encode(), token.encode()):
        return True
    if any(name in request.headers for name in ("Forwarded", "X-Forwarded-For", "X-Real-Ip")):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def scrape_registry(context: LifContext) -> CollectorRegistry:
    """This scrape's metrics: every worker's counts (multi-process) or this process's, and the database's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess.active():
        from prometheus_client import multiprocess as shared

        shared.MultiProcessCollector(registry)
    else:
        registry.register(_Counted())
    registry.register(DatabaseGauges(context))
    return registry


class _Counted(Collector):
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


class DatabaseGauges(Collector):
    """Read at each scrape, so every worker answers the same: whether the database answered, what waits for the
    scheduler, and how long ago it last swept (absent until it first has)."""

    def __init__(self, context: LifContext) -> None:
        self.context = context

    def collect(self) -> Iterable[Metric]:
        now = clock.now()
        try:
            with self.context.reading() as session:
                backlog, last = sweeps.backlog(session, now), sweeps.last_sweep(session, now)
        except Exception as exc:  # the scrape still answers, saying the database did not
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            yield GaugeMetricFamily("lif_database_up", "1 when the database answered this scrape.", value=0)
            return
        yield GaugeMetricFamily("lif_database_up", "1 when the database answered this scrape.", value=1)
        yield GaugeMetricFamily("lif_due_items_waiting", "Due timers, reminders and starts whose time has come.",
                                value=backlog.due_waiting)
        oldest = (now - backlog.oldest_due_at).total_seconds() if backlog.oldest_due_at else 0.0
        yield GaugeMetricFamily("lif_due_item_oldest_age_seconds", "How long the oldest waiting due item has waited "
                                "(0 when none waits).", value=max(0.0, oldest))
        yield GaugeMetricFamily("lif_outbox_pending", "Email waiting to be sent or retried.",
                                value=backlog.outbox_pending)
        yield GaugeMetricFamily("lif_outbox_failed", "Email given up on after its retries.",
                                value=backlog.outbox_failed)
        if last is not None:
            yield GaugeMetricFamily("lif_scheduler_last_sweep_age_seconds", "Seconds since the newest finished sweep.",
                                    value=max(0.0, (now - last.swept_at).total_seconds()))
