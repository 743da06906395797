"""Helpers for the retention tests: a case of a shipped process run to its end or cancelled, the clock moved past
its retention date, and API calls and pages as any user of the partnership at the travelled time."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from engine.cases import instances
from engine.store.db import transaction
from engine.store.models import AuditEvent
from tests.conftest import PASSWORDS

API = "/api/v1"


def cancel(run: Any, instance_id: str, reason: str = "Duplicate notification") -> None:
    with transaction(run.factory) as s:
        instances.cancel_instance(s, instance_id, reason, actor=run.coordinator, now=run.now)


def years_later(run: Any, years: int, days: int = 0) -> datetime:
    """Move the scenario's clock on by ``years`` and ``days``; the new time."""
    run.traveller.move_to(run.now + relativedelta(years=years, days=days))
    return run.now


def audit_rows(factory: Any, instance_id: str | None = None) -> list[AuditEvent]:
    with transaction(factory) as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if instance_id is not None:
            query = query.where(AuditEvent.instance_id == instance_id)
        rows = list(s.scalars(query))
        for row in rows:
            s.expunge(row)
        return rows


class Web:
    """The app as the partnership's people use it, at whatever time the clock shows (so a token or a signed-in
    session is made afresh for each call: years pass between the steps of a retention test)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def token(self, username: str) -> dict[str, str]:
        client = self.app.test_client()
        response = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORDS[username]})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    def api(self, method: str, path: str, username: str, json: Any = None) -> Any:
        client = self.app.test_client()
        call = getattr(client, method)
        kwargs = {"json": json} if json is not None else {}
        return call(f"{API}{path}", headers=self.token(username), **kwargs)

    def page(self, username: str) -> Any:
        """A test client signed in as ``username``."""
        client = self.app.test_client()
        response = client.post("/sign-in", data={"username": username, "password": PASSWORDS[username]})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
