"""A request id for every request: the caller's well-formed ``X-Request-Id`` (at most 64 letters, digits and
``-_.:``), else a new one. Every answer carries it back in ``X-Request-Id``, and every log line written while the
request runs carries it (``logs.RequestIdFilter`` reads ``current()``), so one line in a complaint finds the rest."""
from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from flask import Flask, request

HEADER = "X-Request-Id"
ENVIRON_ID, ENVIRON_STARTED = "lif.request_id", "lif.started"
ENVIRON_LOG_PATH = "lif.log_path"  # the path as the logs may show it (``path_for_logs``), set once Flask has routed
PRIVATE_ARGS = frozenset({"username"})  # URL parts that name a person (a username may be an email address)
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_current: ContextVar[str | None] = ContextVar("lif_request_id", default=None)


def current() -> str | None:
    """The id of the request this thread is answering, if any."""
    return _current.get()


def accepted(offered: str | None) -> str | None:
    """The caller's id when it is well formed; None otherwise (a new one is made)."""
    return offered if offered is not None and _WELL_FORMED.fullmatch(offered) else None


class RequestIds:
    """WSGI middleware, outermost, so even an answer Flask never saw (a crash in another middleware) has the id."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_id = accepted(environ.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex
        environ[ENVIRON_ID], environ[ENVIRON_STARTED] = request_id, time.perf_counter()
        token = _current.set(request_id)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [(name, value) for name, value in headers if name.lower() != HEADER.lower()]
            return start_response(status, [*headers, (HEADER, request_id)], exc_info)

        try:
            return self.app(environ, start)  # Flask has dispatched by now: what streams after has no id
        finally:
            _current.reset(token)


def path_for_logs(path: str, view_args: dict[str, Any] | None) -> str:
    """``path`` with each part that names a person (``/admin/users/<username>``) replaced by its name in the route:
    an access line or an error's line may show which page, never whose."""
    names = {str(value): name for name, value in (view_args or {}).items() if name in PRIVATE_ARGS}
    if not names:
        return path
    return "/".join(f"<{names[part]}>" if part in names else part for part in path.split("/"))


def _note_log_path(response: Any) -> Any:
    if PRIVATE_ARGS & set(request.view_args or ()):  # else the access line keeps the raw path, still percent-encoded
        request.environ[ENVIRON_LOG_PATH] = path_for_logs(request.path, request.view_args)
    return response


def install(app: Flask) -> None:
    app.wsgi_app = RequestIds(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(_note_log_path)  # for gunicorn's access line (``gunicorn_logs``), errors and 500s included

    def log_exception(exc_info: Any) -> None:  # Flask's own line for a 500, less a username in the path
        app.logger.error("Exception on %s [%s]", path_for_logs(request.path, request.view_args), request.method,
                         exc_info=exc_info)
    app.log_exception = log_exception  # type: ignore[method-assign]
