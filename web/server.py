"""The development server ``lif serve`` runs: werkzeug's, with a request handler that sends no ``Server`` header,
so no answer (page, API, static file or the server's own error) discloses the server's or Python's version."""
from __future__ import annotations

from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.serving import make_server as _make_server


class LifRequestHandler(WSGIRequestHandler):
    """``send_response`` as ``http.server`` has it, less the ``Server`` header (``Date`` stays)."""

    server_version = "LIF"
    sys_version = ""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "server":  # whoever sets it (the app, a library), it is never sent
            return
        super().send_header(keyword, value)


def make_server(app: Any, host: str, port: int) -> BaseWSGIServer:
    """A threaded server for ``app`` on ``host:port`` (0 picks a free port: read ``server.port``)."""
    return _make_server(host, port, app, threaded=True, request_handler=LifRequestHandler)
