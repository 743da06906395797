"""LIF's web room: the Flask application factory, the JSON API and the pages. Views stay thin: they read
input, call one engine service inside a unit of work, and render or redirect."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask

from engine.config import Config

from .boot import boot
from .context import lif  # noqa: F401  (the app handle, kept importable as web.lif)

MAX_BODY_BYTES = 8 * 1024 * 1024  # any request's body: a bundle (engine.bundles.parsing) or JSON


def create_app(config: Config | None = None, *, create_tables: bool = False) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,  # past it: 413 before the body is read (uploads may send more)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.https,
        SESSION_COOKIE_NAME="__Host-lif_session" if config.https else "lif_session",
        SESSION_REFRESH_EACH_REQUEST=True,
        # the cookie outlives no session; the server ends sessions earlier (idle timeout, sign-out)
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_max_hours),
        # long forms take a while to write, and one posted to a timed-out session is still kept as a draft
        WTF_CSRF_TIME_LIMIT=(config.session_max_hours + 1) * 3600,
    )
    from .inputs import install as install_input_rules
    install_input_rules(app)  # request JSON's limits, bounded ids in URLs (before any route is added)
    app.extensions["lif"] = boot(config, create_tables=create_tables)
    from .documents import install_upload_limit
    install_upload_limit(app)  # a document may be larger than other bodies (before the pages' CSRF reads a form)

    from .api import bp as api_bp
    from .pages import register_pages
    from .security import install_security_headers

    app.register_blueprint(api_bp)
    register_pages(app)  # the pages' blueprints, CSRF on every form (not the API), the signed-in user
    install_security_headers(app)
    from .ops import install as install_operations
    install_operations(app)  # request ids, request metrics, /healthz, /readyz, /metrics
    logging.getLogger(__name__).debug("LIF app created for %s", _safe_url(config.database_url))
    return app


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url

