"""The notifications page: "Mark all as read" marks every unread notice of the user (on every page of the list),
with CSRF, and touches no one else's; it is offered only while something is unread."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import Notification
from notifications import inbox, outbox
from notifications.recipients import Recipient
from tests.conftest import NOW

from .web_kit import PASSWORDS, csrf_token, text

CONTEXT = {"task_title": "Agency report", "business_key": "CDOP-2026-0001", "pseudonym": "Child A",
           "case": "CDOP-2026-0001, Child A", "agency_name": "Police", "due_on": None, "days_left": None,
           "days_left_text": "with no deadline", "overdue_days": 0, "assignee": None, "link": "http://x/tasks/t"}


def _notices(factory, who: str, count: int) -> None:
    with transaction(factory) as s:
        for i in range(count):
            outbox.enqueue(s, "new_task", [Recipient(who, None, False)], CONTEXT, key=f"n{i}", task_id=None,
                           instance_id=None, now=NOW + timedelta(minutes=i))


def _read_at(factory) -> dict[str, list[bool]]:
    with transaction(factory) as s:
        rows = s.execute(select(Notification.recipient, Notification.read_at).order_by(Notification.id)).all()
    found: dict[str, list[bool]] = {}
    for who, read_at in rows:
        found.setdefault(who, []).append(read_at is not None)
    return found


def test_mark_all_as_read(csrf_app, factory):
    _notices(factory, "pat", 30)  # more than one page of the list
    _notices(factory, "sam", 2)
    with transaction(factory) as s:
        first = s.scalar(select(Notification.id).where(Notification.recipient == "pat"))
    client = csrf_app.test_client()
    token = csrf_token(text(client.get("/sign-in")))
    client.post("/sign-in", data={"username": "pat", "password": PASSWORDS["pat"], "csrf_token": token})
    client.post(f"/notifications/{first}/read", data={"csrf_token": csrf_token(text(client.get("/notifications")))})

    page = text(client.get("/notifications"))
    assert "Notifications (29)" in page and "Mark all as read</button>" in page
    assert client.post("/notifications/read").status_code == 400  # no CSRF token: refused, nothing marked
    assert _read_at(factory)["pat"].count(True) == 1

    response = client.post("/notifications/read", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    page = text(client.get("/notifications"))
    assert "29 notifications marked as read" in page
    assert "Notifications (29)" not in page and "Mark all as read" not in page and "Mark as read" not in page
    assert _read_at(factory) == {"pat": [True] * 30, "sam": [False, False]}  # sam's are his own to mark

    again = client.post("/notifications/read", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "You have no unread notifications" in text(again)


def test_one_notice_is_counted_in_the_singular(app, factory, as_user):
    _notices(factory, "pat", 1)
    page = text(as_user("pat").post("/notifications/read", follow_redirects=True))
    assert "1 notification marked as read" in page


def test_notices_an_administrator_cannot_see_stay_as_they_are(factory, partnership):
    """An administrator who once was a coordinator does not read old notices about cases, nor mark them."""
    with transaction(factory) as s:
        outbox.enqueue(s, "new_task", [Recipient("adam", None, False)], CONTEXT, key="case", task_id="t",
                       instance_id="i", now=NOW)
        outbox.enqueue(s, "new_task", [Recipient("adam", None, False)], CONTEXT, key="none", task_id=None,
                       instance_id=None, now=NOW)
        assert inbox.mark_all_read(s, partnership["admin"], now=NOW) == 1
    assert _read_at(factory) == {"adam": [False, True]}
