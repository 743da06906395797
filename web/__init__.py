"""LIF's web room: the Flask application factory, the JSON API and the pages. Views stay thin: they read
input, call one engine service inside a unit of work, and render or redirect."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask

import notifications
from engine import runtime
from engine.config import Config
from engine.db import make_engine, make_session_factory
from engine.schema import create_schema

from .context import LifContext


def create_app(config: Config | None = None, *, create_tables: bool = False) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=config.max_upload_bytes * 4,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.https,
        SESSION_COOKIE_NAME="__Host-lif_session" if config.https else "lif_session",
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    from .inputs import install as install_input_rules
    install_input_rules(app)  # request JSON's limits, bounded ids in URLs (before any route is added)
    engine = make_engine(config.database_url)
    if create_tables:
        create_schema(engine)
    runtime.SCRIPT_TIMEOUT_S = config.script_timeout_s
    notifications.install(config)
    app.extensions["lif"] = LifContext(config=config, engine=engine, factory=make_session_factory(engine))

    from .api import bp as api_bp
    from .pages import register_pages
    from .security import install_security_headers

    app.register_blueprint(api_bp)
    register_pages(app)  # the pages' blueprints, CSRF on every form (not the API), the sign-in limit
    install_security_headers(app)
    logging.getLogger(__name__).debug("LIF app created for %s", _safe_url(config.database_url))
    return app


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def lif(app: Flask | Any = None) -> LifContext:
    from flask import current_app
    return (app or current_app).extensions["lif"]
