"""gunicorn's logger, in LIF's format: the error log and the access log through ``logs.prepare_handler`` (text or
JSON, the request id), and an access line of our own, ``"GET /path HTTP/1.1" 200 12.3 ms``: the method, the path
without its query string, the protocol, the status, the time taken and the request id. No client address, user
agent or referrer (they are personal data, and a referrer carries another page's query string)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from . import logs, request_ids

MAX_PATH = 300  # characters of the path kept on an access line


class LifGunicornLogger(Logger):  # type: ignore[misc]  # gunicorn's classes are untyped
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        chosen = logs.log_format_from_env()
        for handler in [*self.error_log.handlers, *self.access_log.handlers]:
            logs.prepare_handler(handler, chosen)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        path = environ.get(request_ids.ENVIRON_LOG_PATH) or req.path or ""  # no username in it (path_for_logs)
        fields = {"method": environ.get("REQUEST_METHOD", "-"), "path": str(path)[:MAX_PATH],
                  "status": int(status) if str(status).isdigit() else status,
                  "duration_ms": round(request_time.total_seconds() * 1000, 1),
                  "request_id": environ.get(request_ids.ENVIRON_ID) or "-"}
        self.access_log.info('"%s %s %s" %s %s ms', fields["method"], fields["path"],
                             environ.get("SERVER_PROTOCOL", "HTTP/1.1"), fields["status"], fields["duration_ms"],
                             extra=fields)
