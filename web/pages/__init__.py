"""The pages people use: one small blueprint per feature (sign-in, tasks, dashboard, instances, notifications,
admin, starting a case, the designer's list), with the GOV.UK Frontend look. ``register_pages`` wires them
into the app with CSRF protection on every form (the bearer-token API is exempt), a per-IP limit on sign-in
attempts, and the signed-in user loaded for each request."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from . import admin, assets, auth, dashboard, designer, errors, instances, notices, start, tasks
from ..inputs import refuse_bad_forms
from .filters import install_filters

SESSION_HOURS = 8


def register_pages(app: Flask) -> None:
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=SESSION_HOURS))
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", SESSION_HOURS * 3600)  # long forms take a while to write
    app.config.setdefault("LOGIN_RATE_LIMIT", auth.LOGIN_RATE_LIMIT)
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PrefixLoader(
        {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    install_filters(app)

    from ..api import bp as api_bp
    csrf = CSRFProtect(app)
    csrf.exempt(api_bp)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", default_limits=[])
    auth.limit_sign_in(limiter)

    for module in (auth, assets, tasks, dashboard, instances, notices, admin, start, designer):
        app.register_blueprint(module.bp)
    app.before_request(refuse_bad_forms)
    app.before_request(auth.load_signed_in_user)
    app.context_processor(auth.navigation)
    errors.install(app)
