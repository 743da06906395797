"""The WSGI entry point for those who run gunicorn (or another server) themselves: ``gunicorn web.wsgi:app``.

The app is built from the ``LIF_*`` environment once per process. It runs no scheduler: run ``lif scheduler``
beside it (``lif serve`` runs exactly one for you)."""
from __future__ import annotations

from . import create_app

app = create_app()
