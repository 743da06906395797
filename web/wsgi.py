"""The WSGI entry point for those who run gunicorn (or another server) themselves: ``gunicorn web.wsgi:app``.

The app is built from the ``LIF_*`` environment once per process. It runs no scheduler: run ``lif scheduler``
beside it (``lif serve`` runs exactly one for you). Under gunicorn its answers carry no ``Server`` header, as
``lif serve``'s do; access logs and timeouts are gunicorn's own settings then (see ``web.production.options``)."""
from __future__ import annotations

from . import create_app
from .ops import logs
from .production import drop_server_header

# LIF's log format on a host with no logging of its own (gunicorn sets up only its own loggers): else Python's last
# resort would print an unexpected error's traceback with its message, which may name a child
logs.configure(verbose=False)
drop_server_header()  # in each gunicorn worker that imports this module (a no-op under another server)
app = create_app()
