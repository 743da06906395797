"""The in-app notifications list, and marking one, or all, read."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notifications import inbox as notification_inbox

from ..context import lif
from .common import PAGE_SIZE, back, current_actor, done, now, page_number, safe_next, signed_in

bp = Blueprint("notices", __name__)


@bp.get("/notifications")
@signed_in
def inbox() -> str:
    actor, page = current_actor(), page_number()
    unread_only = request.args.get("show") == "unread"
    with lif().unit_of_work() as db:
        found = notification_inbox.notifications_for(db, actor, unread_only=unread_only, limit=PAGE_SIZE,
                                                     offset=(page - 1) * PAGE_SIZE)
    return render_template("notices/inbox.html", page=found, number=page, unread_only=unread_only,
                           any_unread=bool(g.get("unread")))  # counted for the navigation as the request began


@bp.post("/notifications/<int:notification_id>/read")
@signed_in
def mark_read(notification_id: int) -> Response:
    with lif().unit_of_work() as db:
        notification_inbox.mark_read(db, current_actor().username, notification_id, now=now())
    return redirect(safe_next(request.form.get("next"), url_for("notices.inbox")))


@bp.post("/notifications/read")
@signed_in
def mark_all_read() -> Response:
    with lif().unit_of_work() as db:
        marked = notification_inbox.mark_all_read(db, current_actor(), now=now())
    if not marked:
        return back("You have no unread notifications", "notices.inbox")
    return done(f"{marked} notification{'s' if marked != 1 else ''} marked as read", "notices.inbox")
