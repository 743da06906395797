"""The caller's in-app notifications."""
from __future__ import annotations

from flask import Response, jsonify

from notifications import inbox

from ..context import lif
from .blueprint import bp
from .common import current_actor, flag, listing, now, paging
from .schemas import NotificationSchema


@bp.get("/notifications")
def list_notifications() -> Response:
    actor = current_actor()
    limit, offset = paging()
    with lif().unit_of_work() as session:
        page = inbox.notifications_for(session, actor, unread_only=bool(flag("unread")), limit=limit,
                                       offset=offset)
    return jsonify(listing(page, NotificationSchema()))


@bp.post("/notifications/<int:notification_id>/read")
def mark_notification_read(notification_id: int) -> tuple[str, int]:
    actor = current_actor()
    with lif().unit_of_work() as session:
        inbox.mark_read(session, actor.username, notification_id, now=now())
    return "", 204
