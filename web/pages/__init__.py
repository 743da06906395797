"""The pages people use: one small blueprint per feature (sign-in, tasks, dashboard, instances, notifications,
admin, starting a case, the designer's list), with the GOV.UK Frontend look. ``register_pages`` wires them
into the app with CSRF protection on every form (the bearer-token API is exempt), and the signed-in user
loaded for each request from the server-side session (``engine.user_sessions``)."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from ..inputs import refuse_bad_forms
from . import (
    actions,
    admin,
    annual,
    assets,
    auth,
    chasing,
    dashboard,
    designer,
    designer_bundles,
    designer_check,
    designer_editor,
    designer_forms,
    designer_migration,
    errors,
    exports,
    files,
    instances,
    learning,
    notices,
    plan_changes,
    reports,
    retention,
    start,
    tasks,
)
from .filters import install_filters


def register_pages(app: Flask) -> None:
    assert app.jinja_loader is not None  # the app's own templates folder
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PrefixLoader(
        {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    install_filters(app)

    from ..api import bp as api_bp
    csrf = CSRFProtect(app)
    csrf.exempt(api_bp)

    for module in (auth, assets, tasks, files, dashboard, exports, chasing, instances, notices, admin, start, designer,
                   designer_editor, designer_forms, designer_check, designer_bundles, designer_migration,
                   retention, plan_changes, actions, learning, reports, annual):
        app.register_blueprint(module.bp)
    app.before_request(refuse_bad_forms)
    app.before_request(auth.load_signed_in_user)
    app.context_processor(auth.navigation)
    errors.install(app)
