"""Administration: users (roles, agency, active, password, API tokens), agencies, and which process may receive
which message. Admins only."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from engine.bundles import message_owners
from engine.errors import Conflict, InvalidData, NotFound
from engine.people import accounts, directory, tokens
from engine.store.models import ROLES

from ..context import lif
from .common import back, current_actor, done, now, requires

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _people_page(errors: dict[str, str] | None = None, form: dict[str, Any] | None = None, status: int = 200) -> Any:
    with lif().unit_of_work() as db:
        people, agencies = directory.users(db), directory.agencies(db)
    page = render_template("admin/people.html", people=people, agencies=agencies, roles=ROLES,
                           errors=errors or {}, form=form or {})
    return (page, status) if status != 200 else page


@bp.get("/")
@requires("admin")
def people() -> Any:
    return _people_page()


def _errors(exc: InvalidData) -> dict[str, str]:
    return {d.get("field", ""): d.get("message", "") for d in exc.details or []} or {"": exc.message}


@bp.post("/users")
@requires("admin")
def add_user() -> Any:
    form = request.form
    try:
        with lif().unit_of_work() as db:
            accounts.add_user(db, form.get("username", "").strip(), roles=form.getlist("roles"),
                              agency_key=form.get("agency") or None, email=form.get("email") or None,
                              password=form.get("password") or None, full_name=form.get("full_name", "").strip(),
                              actor=current_actor().username, now=now())
    except InvalidData as exc:
        return _people_page(_errors(exc), form.to_dict(flat=False), 422)
    except Conflict as exc:
        return _people_page({"username": exc.message}, form.to_dict(flat=False), 409)
    return done(f"User {form.get('username')} has been added", "admin.people")


@bp.post("/agencies")
@requires("admin")
def add_agency() -> Any:
    key, name = request.form.get("key", "").strip(), request.form.get("name", "")
    try:
        with lif().unit_of_work() as db:
            accounts.add_agency(db, key, name, actor=current_actor().username, now=now())
    except InvalidData as exc:
        return _people_page({f"agency_{k}": v for k, v in _errors(exc).items()}, request.form.to_dict(flat=False), 422)
    except Conflict as exc:
        return _people_page({"agency_key": exc.message}, request.form.to_dict(flat=False), 409)
    return done(f"Agency {name.strip()} has been added", "admin.people")


@bp.post("/agencies/<key>/lead")
@requires("admin")
def set_senior_lead(key: str) -> Any:
    username = request.form.get("senior_lead", "").strip() or None
    try:
        with lif().unit_of_work() as db:
            accounts.set_senior_lead(db, key, username, actor=current_actor().username, now=now())
    except InvalidData as exc:
        return _people_page({"senior_lead": _errors(exc).get("senior_lead", exc.message)}, status=422)
    return done("The senior lead has been saved", "admin.people")


@bp.post("/agencies/<key>/partner")
@requires("admin")
def set_partner(key: str) -> Any:
    """Mark an agency as a statutory safeguarding partner (as ``lif agency partner`` does), or clear the mark."""
    kind = request.form.get("partner_kind", "").strip() or None
    try:
        with lif().unit_of_work() as db:
            accounts.set_partner_kind(db, key, kind, actor=current_actor().username, now=now())
    except InvalidData as exc:  # the message goes under the agency it is about
        return _people_page({"partner_kind": _errors(exc).get("kind", exc.message), "partner_agency": key}, status=422)
    except Conflict as exc:
        return _people_page({"partner_kind": exc.message, "partner_agency": key}, status=409)
    return done("The statutory partner has been saved", "admin.people")


@bp.get("/users/<username>")
@requires("admin")
def user(username: str) -> str:
    with lif().unit_of_work() as db:
        found, agencies = directory.user_summary(db, username), accounts.agency_names(db)
    return render_template("admin/user.html", user=found, agencies=agencies, roles=ROLES, errors={})


@bp.post("/users/<username>")
@requires("admin")
def update_user(username: str) -> Any:
    form = request.form
    try:
        with lif().unit_of_work() as db:
            directory.update_user(db, username, roles=form.getlist("roles"), agency_key=form.get("agency") or None,
                                  active=form.get("active") == "yes", full_name=form.get("full_name", ""),
                                  email=form.get("email"), actor=current_actor(), now=now())
    except InvalidData as exc:
        with lif().unit_of_work() as db:
            found, agencies = directory.user_summary(db, username), accounts.agency_names(db)
        return render_template("admin/user.html", user=found, agencies=agencies, roles=ROLES,
                               errors=_errors(exc)), 422
    return done(f"{username}'s details have been saved", "admin.user", username=username)


@bp.post("/users/<username>/password")
@requires("admin")
def reset_password(username: str) -> Response:
    try:
        with lif().unit_of_work() as db:
            accounts.set_password(db, username, request.form.get("password", ""), actor=current_actor().username,
                                  now=now())
    except InvalidData as exc:
        return back("The new password " + _errors(exc).get("password", "is not valid"), "admin.user",
                    username=username)
    return done(f"{username}'s password has been set. Their API tokens have been revoked and they have been "
                "signed out everywhere.", "admin.user", username=username)


@bp.post("/users/<username>/tokens/revoke")
@requires("admin")
def revoke_tokens(username: str) -> Response:
    with lif().unit_of_work() as db:
        count = tokens.revoke_tokens_for(db, username, actor=current_actor(), now=now())
    if not count:
        return back(f"{username} had no API tokens in use", "admin.user", username=username)
    return done(f"{username}'s API tokens have been revoked ({count})", "admin.user", username=username)


def _messages_page(errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200) -> Any:
    with lif().unit_of_work() as db:
        pairings = message_owners.pairings(db)
    page = render_template("admin/messages.html", pairings=pairings, errors=errors or {}, form=form or {})
    return (page, status) if status != 200 else page


@bp.get("/messages")
@requires("admin")
def messages() -> Any:
    return _messages_page()


@bp.post("/messages")
@requires("admin")
def allow_message() -> Any:
    key, name = request.form.get("process_key", "").strip(), request.form.get("message_name", "").strip()
    try:
        with lif().unit_of_work() as db:
            pairing, created = message_owners.allow(db, key, name, actor=current_actor().username, now=now())
    except InvalidData as exc:
        return _messages_page(_errors(exc), request.form.to_dict(), 422)
    label = pairing.process_name or key
    if not created:
        return back(f"{label} was already allowed to receive {name}", "admin.messages")
    return done(f"{label} is allowed to receive {name}", "admin.messages")


@bp.post("/messages/withdraw")
@requires("admin")
def withdraw_message() -> Response:
    key, name = request.form.get("process_key", ""), request.form.get("message_name", "")
    try:
        with lif().unit_of_work() as db:
            withdrawn = message_owners.disallow(db, key, name, actor=current_actor().username, now=now())
    except NotFound:
        return back(f"{key} was not allowed to receive {name}", "admin.messages")
    return done(f"{withdrawn.process_name or key} is no longer allowed to receive {name}. A new version of it that "
                "receives this message will be refused while another process sends or receives it.",
                "admin.messages")
