"""Logging, set up once per process: ``configure`` for every ``lif`` command (``lif serve`` too, before gunicorn forks,
so its workers inherit it), and ``gunicorn_options`` for gunicorn's own error and access logs.

``LIF_LOG_FORMAT=text`` (the default) writes ``time level logger [request id]: message``; ``json`` writes one JSON
object a line: ``time``, ``level``, ``logger``, ``message``, ``request_id``, and for access lines ``method``,
``path`` (never the query string: search terms are personal data), ``status`` and ``duration_ms``. Log lines hold
ids, codes and counts, never personal data: the tests read every line of a working day for a name, an email
address, a password, a token, a search term or a form answer."""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from . import request_ids

FORMATS = ("text", "json")
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# the engine sets spiff.workflow to INFO, which would print every case; APScheduler logs every minute's run
_QUIET = ("spiff", "spiff.workflow", "apscheduler")


class RequestIdFilter(logging.Filter):
    """Gives each record the id of the request being answered (``-`` outside a request); keeps one already set."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_ids.current() or "-"
        return True


# the development server's request line: "GET /cases?q=term HTTP/1.1" (gunicorn's access line is our own)
_REQUEST_LINE = re.compile(r'("[A-Z]+ [^ ?"]*)\?[^ "]*( HTTP/[0-9.]+")')


# gunicorn's own error lines quote a request: "Error handling request GET /cases?q=term", "Invalid request from
# ip=203.0.113.9: Invalid HTTP request line: 'GET /cases?q=term junk'"
_ANY_QUERY = re.compile(r"(/[^\s?'\"]*)\?[^\s'\"]*")
_CLIENT_ADDRESS = re.compile(r"\bip=[^\s:]+")


class QueryStringFilter(logging.Filter):
    """Takes the query string out of a request line another library logs (werkzeug's development server; gunicorn's
    error log, which also loses the client's address)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("werkzeug"):
            message = record.getMessage()
            cleaned = _REQUEST_LINE.sub(r"\1\2", message)
        elif record.name == "gunicorn.error":
            message = record.getMessage()
            cleaned = _CLIENT_ADDRESS.sub("ip=-", _ANY_QUERY.sub(r"\1", message))
        else:
            return True
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "request_id": _request_id(record),
        }
        line.update({name: getattr(record, name) for name in ACCESS_FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)

    def formatException(self, ei: Any) -> str:  # noqa: N802  (logging's name)
        return safe_traceback(ei)


def safe_traceback(exc_info: Any) -> str:
    """Where an exception came from (every frame, and each chained exception's type), never its message: messages
    carry values (a database error its parameters, a schema error the answer it refused, a script error the case's
    data), and the log is no place for a child's name. The reference on the 500 page finds the line."""
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    lines: list[str] = []
    for found in reversed(chain):
        lines += ["Traceback (most recent call last):\n", *traceback.format_tb(found.__traceback__)]
        lines.append(f"{type(found).__module__}.{type(found).__qualname__} (message not logged)\n")
    return "".join(lines).rstrip("\n")


def _request_id(record: logging.LogRecord) -> str | None:
    found = getattr(record, "request_id", None)
    return None if found in (None, "-") else str(found)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatException(self, ei: Any) -> str:  # noqa: N802  (logging's name)
        return safe_traceback(ei)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def log_format_from_env() -> str:
    """``LIF_LOG_FORMAT``, read here as well as in ``Config`` because logging is set up before any command reads its
    settings (which may fail, and that failure is logged); a value that is neither is taken as ``text`` here and
    refused when the settings are read."""
    value = os.environ.get("LIF_LOG_FORMAT", "text").strip().lower()
    return value if value in FORMATS else "text"


def configure(verbose: bool, log_format: str | None = None, *, force: bool = False) -> None:
    """The root logger writes to stderr in ``log_format`` (else ``LIF_LOG_FORMAT``), at DEBUG when ``verbose``. As
    ``logging.basicConfig`` does, a root logger that has handlers already (a host process, pytest) keeps them and
    gets none of ours, unless ``force``."""
    chosen = log_format or log_format_from_env()
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_lif", False)]
    for handler in ours:
        root.removeHandler(handler)
    if force or ours or not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler._lif = True  # type: ignore[attr-defined]
        prepare_handler(handler, chosen)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)


def prepare_handler(handler: logging.Handler, log_format: str) -> None:
    """Our format, the request id and no query strings, on any handler (gunicorn's included)."""
    handler.setFormatter(formatter(log_format))
    for kind in (RequestIdFilter, QueryStringFilter):
        if not any(isinstance(f, kind) for f in handler.filters):
            handler.addFilter(kind())


def gunicorn_options() -> dict[str, Any]:
    """gunicorn settings for its logs: our logger class (``gunicorn_logs.LifGunicornLogger``), whose access lines
    are ``"METHOD /path HTTP/1.1" STATUS N ms`` with the request id, in the chosen format."""
    from .gunicorn_logs import LifGunicornLogger

    return {"logger_class": LifGunicornLogger}
