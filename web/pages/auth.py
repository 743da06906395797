"""Signing in and out, and changing one's password. The session cookie (signed; HttpOnly, SameSite=Lax, and Secure
when LIF_HTTPS=1) carries only the id of a server-side session (``engine.user_sessions``), which ends at sign-out,
after ``LIF_SESSION_IDLE_MINUTES`` without a request and ``LIF_SESSION_MAX_HOURS`` after sign-in, and when the
password changes. Sign-in tries are throttled in the database per address group, per username at an address group
and per username across addresses (``engine.sign_in``), as on the API."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine.errors import InvalidData, RateLimited, Unauthorized
from engine.people import accounts, user_sessions
from engine.people import sign_in as signing_in
from engine.reads import catalogue
from engine.records import Actor

from ..context import LifContext
from ..ops.metrics import counting_sign_in_failures
from .common import done, now, safe_next, signed_in

bp = Blueprint("auth", __name__)


def _lif() -> LifContext:
    context: LifContext = current_app.extensions["lif"]
    return context


def timeouts() -> user_sessions.Timeouts:
    config = _lif().config
    return user_sessions.Timeouts(idle=timedelta(minutes=config.session_idle_minutes),
                                  absolute=timedelta(hours=config.session_max_hours))


def _authenticate(username: str, password: str) -> signing_in.SignedIn:
    """``engine.sign_in.authenticate`` for this request's address, in units of work of its own."""
    with counting_sign_in_failures("pages"):  # lif_sign_in_failures_total
        return signing_in.authenticate(_lif().factory, username, password, address=request.remote_addr or "",
                                       now=now(), limits=signing_in.Limits.from_config(_lif().config))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def load_signed_in_user() -> None:
    """``g.actor`` for a live session (its idle clock restarted at most once a minute); ``g.lapsed`` for one that
    timed out but was not ended, whose cookie is kept so that a form posted to it can be saved as a draft."""
    g.actor = g.lapsed = None
    if request.blueprint in ("api", "assets", "ops", "ops_metrics") or request.endpoint == "static" \
            or "sid" not in session:
        return
    from notifications.inbox import notifications_for

    with _lif().reading() as db:
        found = user_sessions.state(db, session["sid"], now=now(), timeouts=timeouts())
        user = accounts.find_user(db, found.username) if found is not None else None
        if found is None or user is None or not user.active:
            session.clear()
            return
        if not found.live:
            g.lapsed = found if found.rescuable else None
            return
        g.actor, g.full_name = accounts.actor_for(user), user.full_name
        g.unread = notifications_for(db, g.actor, unread_only=True, limit=1).total
    if found.touch_due:
        with _lif().unit_of_work() as db:
            user_sessions.touch(db, found.row_id, now=now())


def navigation() -> dict[str, Any]:
    actor = g.get("actor")
    if actor is None:
        return {"nav": []}
    items = [("tasks.inbox", "My tasks"), ("dashboard.cases", "Cases")] \
        if actor.reads_cases else []  # administrators and designers take part in no case
    items += [("actions.register", "Actions")] if actor.reads_cases else []
    items += [("learning.log", "Learning")] if actor.reads_cases else []
    if actor.reads_cases and _may_start(actor):
        items.append(("start.processes", "Start a case"))
    if actor.has("designer", "admin"):
        items.append(("designer.processes", "Processes"))
    if actor.has("coordinator"):
        items.append(("retention.due", "Retention"))
    if actor.sees_everything or actor.has("partner"):
        items.append(("reports.compliance_page", "Reports"))
    unread = g.get("unread", 0)
    items.append(("notices.inbox", f"Notifications ({unread})" if unread else "Notifications"))
    if actor.has("admin"):
        items.append(("admin.people", "Admin"))
    items.append(("auth.account", "Your account"))
    current = request.blueprint
    return {"nav": [{"href": url_for(e), "text": t, "active": e.split(".")[0] == current} for e, t in items]}


def _may_start(actor: Actor) -> bool:
    """Whether some deployed process may be started by one of the user's case roles; read once per request."""
    roles = g.get("start_roles")
    if roles is None:
        with _lif().reading() as db:
            roles = g.start_roles = catalogue.start_roles(db)
    return bool(actor.case_roles & roles)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    target = safe_next(request.values.get("next"), url_for("tasks.inbox_page"))  # home: it knows each role's page
    if g.get("actor") is not None and request.method in ("GET", "HEAD"):
        return redirect(target)
    if request.method in ("GET", "HEAD"):  # HEAD is a GET without its body (a monitor, curl -I)
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
    try:
        signed = _authenticate(username, password)
    except Unauthorized:
        errors["password"] = "The username or password is not right"
        return render_template("auth/sign_in.html", next=target, errors=errors, username=username), 401
    except RateLimited as exc:
        errors["username"] = _sentence(exc.message)
        response = make_response(render_template("auth/sign_in.html", next=target, errors=errors,
                                                 username=username), 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    with _lif().unit_of_work() as db:
        if "sid" in session:  # a fresh session on sign-in, so an old cookie cannot be fixed on someone
            user_sessions.end(db, session["sid"], now=now(), reason="replaced")
        sid = user_sessions.start(db, signed.user_id, now=now(), timeouts=timeouts())
    session.clear()
    session.permanent = True
    session["sid"] = sid
    return redirect(target)


@bp.post("/sign-out")
def sign_out() -> Response:
    if "sid" in session:
        with _lif().unit_of_work() as db:
            user_sessions.end(db, session["sid"], now=now(), reason="signed_out")
    session.clear()
    return done("You have signed out", "auth.sign_in")


@bp.get("/account")
@signed_in
def account() -> str:
    return _account_page({})


def _account_page(errors: dict[str, str]) -> str:
    with _lif().unit_of_work() as db:
        user = accounts.find_user(db, g.actor.username)
        digest, agency_name = user.daily_digest, user.agency.name if user.agency else None
    return render_template("auth/account.html", errors=errors, daily_digest=digest, agency_name=agency_name)


@bp.post("/account/notifications")
@signed_in
def notification_preference() -> Any:
    choice = request.form.get("delivery")
    if choice not in ("single", "digest"):
        return _account_page({"delivery": "Choose how you get emails"}), 400
    with _lif().unit_of_work() as db:
        accounts.set_daily_digest(db, g.actor.username, choice == "digest", actor=g.actor.username, now=now())
    return done("Your email choice has been saved", "auth.account")


@bp.post("/account/password")
@signed_in
def change_password() -> Any:
    """A new password ends the user's other sessions and revokes their API tokens; this session carries on."""
    actor = g.actor
    current, new, again = (request.form.get(k, "")[:256] for k in ("current", "new", "again"))
    errors = {}
    if new != again:
        errors["again"] = "The new passwords do not match"
    if not current:
        errors["current"] = "Enter your current password"
    if not errors:
        try:
            _authenticate(actor.username, current)
            with _lif().unit_of_work() as db:
                accounts.set_password(db, actor.username, new, actor=actor.username, now=now(),
                                      keep_session=session.get("sid"))
        except Unauthorized:
            errors["current"] = "Your current password is not right"
        except RateLimited as exc:
            errors["current"] = _sentence(exc.message)
        except InvalidData as exc:
            errors["new"] = "Your new password " + (exc.details[0]["message"] if exc.details else "is not valid")
    if errors:
        return _account_page(errors), 400
    return done("Your password has been changed", "auth.account")
