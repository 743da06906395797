"""Signing in and out, and changing one's password. Sessions are signed cookies (HttpOnly, SameSite=Lax, and
Secure when LIF_HTTPS=1) that name the user and a fingerprint of their password hash, so a password change
signs out every other session. Sign-in attempts are limited per IP address here, and per account by
``engine.tokens.authenticate``."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from werkzeug.wrappers import Response

from engine import accounts, tokens
from engine.errors import InvalidData, NotFound, RateLimited, Unauthorized

from ..context import LifContext
from .common import done, now, safe_next, signed_in

LOGIN_RATE_LIMIT = "10 per minute"

bp = Blueprint("auth", __name__)


def _lif() -> LifContext:
    return current_app.extensions["lif"]


def limit_sign_in(limiter: Limiter) -> None:
    """Posts to this blueprint (sign-in and password change) are limited per IP address."""
    limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])(bp)


def fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def load_signed_in_user() -> None:
    g.actor = None
    if request.blueprint in ("api", "assets") or request.endpoint == "static" or "user" not in session:
        return
    from notifications.inbox import notifications_for

    with _lif().unit_of_work() as db:
        try:
            user = accounts.find_user(db, session["user"])
        except NotFound:
            user = None
        if user is None or not user.active or session.get("pw") != fingerprint(user.password_hash):
            session.clear()
            return
        g.actor, g.full_name = accounts.actor_for(user), user.full_name
        g.unread = notifications_for(db, user.username, unread_only=True, limit=1).total


def navigation() -> dict[str, Any]:
    actor = g.get("actor")
    if actor is None:
        return {"nav": []}
    items = [("tasks.inbox", "My tasks"), ("dashboard.cases", "Cases")]
    if actor.has("coordinator", "chair", "reviewer", "admin"):
        items.append(("start.processes", "Start a case"))
    if actor.has("designer", "admin"):
        items.append(("designer.processes", "Processes"))
    unread = g.get("unread", 0)
    items.append(("notices.inbox", f"Notifications ({unread})" if unread else "Notifications"))
    if actor.has("admin"):
        items.append(("admin.people", "Admin"))
    items.append(("auth.account", "Your account"))
    current = request.blueprint
    return {"nav": [{"href": url_for(e), "text": t, "active": e.split(".")[0] == current} for e, t in items]}


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    target = safe_next(request.values.get("next"), url_for("tasks.inbox"))
    if g.get("actor") is not None and request.method == "GET":
        return redirect(target)
    if request.method == "GET":
        return render_template("auth/sign_in.html", next=target, errors={}, username="")
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")[:256]
    errors = {}
    if not username:
        errors["username"] = "Enter your username"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return render_template("auth/sign_in.html", next=target, errors=errors, username=username), 400
    config = _lif().config
    try:
        with _lif().unit_of_work() as db:
            try:
                user = tokens.authenticate(db, username, password, now=now(), max_failures=config.login_max_failures,
                                           window=timedelta(minutes=config.login_window_minutes))
            except Unauthorized:
                db.commit()  # keep the failure on record for the per-account limit
                raise
            pw = fingerprint(user.password_hash)
    except Unauthorized:
        errors["password"] = "The username or password is not right"
        return render_template("auth/sign_in.html", next=target, errors=errors, username=username), 401
    except RateLimited:
        errors["username"] = "There have been too many failed sign-ins for this account. Try again in " \
                             f"{config.login_window_minutes} minutes"
        return render_template("auth/sign_in.html", next=target, errors=errors, username=username), 429
    session.clear()  # a fresh session on sign-in, so an old cookie cannot be fixed on someone
    session.permanent = True
    session["user"], session["pw"] = username, pw
    return redirect(target)


@bp.post("/sign-out")
def sign_out() -> Response:
    session.clear()
    return done("You have signed out", "auth.sign_in")


@bp.get("/account")
@signed_in
def account() -> str:
    with _lif().unit_of_work() as db:
        digest = accounts.find_user(db, g.actor.username).daily_digest
    return render_template("auth/account.html", errors={}, daily_digest=digest)


@bp.post("/account/notifications")
@signed_in
def notification_preference() -> Any:
    choice = request.form.get("delivery")
    if choice not in ("single", "digest"):
        with _lif().unit_of_work() as db:
            digest = accounts.find_user(db, g.actor.username).daily_digest
        return render_template("auth/account.html", errors={"delivery": "Choose how you get e-mails"},
                               daily_digest=digest), 400
    with _lif().unit_of_work() as db:
        accounts.set_daily_digest(db, g.actor.username, choice == "digest", actor=g.actor.username, now=now())
    return done("Your e-mail choice has been saved", "auth.account")


@bp.post("/account/password")
@signed_in
def change_password() -> Any:
    actor = g.actor
    current, new, again = (request.form.get(k, "")[:256] for k in ("current", "new", "again"))
    errors = {}
    if new != again:
        errors["again"] = "The new passwords do not match"
    if not current:
        errors["current"] = "Enter your current password"
    if not errors:
        config = _lif().config
        try:
            with _lif().unit_of_work() as db:
                try:
                    tokens.authenticate(db, actor.username, current, now=now(),
                                        max_failures=config.login_max_failures,
                                        window=timedelta(minutes=config.login_window_minutes))
                except (Unauthorized, RateLimited):
                    db.commit()
                    raise
                accounts.set_password(db, actor.username, new, actor=actor.username, now=now())
                session["pw"] = fingerprint(accounts.find_user(db, actor.username).password_hash)
        except (Unauthorized, RateLimited):
            errors["current"] = "Your current password is not right"
        except InvalidData as exc:
            errors["new"] = "Your new password " + (exc.details[0]["message"] if exc.details else "is not valid")
    if errors:
        with _lif().unit_of_work() as db:
            digest = accounts.find_user(db, actor.username).daily_digest
        return render_template("auth/account.html", errors=errors, daily_digest=digest), 400
    return done("Your password has been changed", "auth.account")
