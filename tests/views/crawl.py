"""Everything one user can fetch about the cases: the JSON API (task list and each task, its comments, instance
lists as JSON, CSV and searches, each instance, its tasks and its access report, notifications, the designer's list
of running cases, the cases past retention, every document), the pages (home, my tasks, the cases dashboard, each
case page, access report and task page, notifications, starting a case, retention, every document) and the outbox
rows addressed to them (the e-mails). Ids seen by anyone are tried too, so that a case or
task the user cannot list is still asked for directly."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import Notification
from tests.conftest import PASSWORDS

API = "/api/v1"
TASK_STATES = ("ready", "completed", "cancelled")
PAGE = 200


@dataclass(frozen=True)
class Fetched:
    where: str  # "GET /api/v1/tasks/<id>", "outbox #12 (email)"
    status: int
    text: str


class Crawler:
    """Fetches as ``username``: a bearer token for the API and a signed-in session for the pages."""

    def __init__(self, app: Any, factory: Any, username: str) -> None:
        self.factory, self.username = factory, username
        self.api = app.test_client()
        token = self.api.post(f"{API}/auth/token", json={"username": username, "password": PASSWORDS[username]})
        assert token.status_code == 200, token.get_json()
        self.headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
        self.pages = app.test_client()
        signed = self.pages.post("/sign-in", data={"username": username, "password": PASSWORDS[username]})
        assert signed.status_code == 302, signed.get_data(as_text=True)[:500]
        self.fetched: list[Fetched] = []

    def everything(self, *, task_ids: Iterable[str], instance_ids: Iterable[str], process_keys: Iterable[str],
                   searches: Iterable[str], documents: Iterable[str] = ()) -> list[Fetched]:
        listed_tasks, listed_instances = self._lists(searches, process_keys)
        for task_id in sorted(set(task_ids) | listed_tasks):
            self._api(f"/tasks/{task_id}")
            self._api(f"/tasks/{task_id}/comments", limit=PAGE)
            self._page(f"/tasks/{task_id}")
        for instance_id in sorted(set(instance_ids) | listed_instances):
            self._api(f"/process-instances/{instance_id}")
            self._api(f"/process-instances/{instance_id}/tasks", limit=PAGE)
            self._page(f"/cases/{instance_id}")
            self._api(f"/process-instances/{instance_id}/access-report")
            self._page(f"/cases/{instance_id}/access")
        for document in documents:  # the documents the views let the user download
            self._api(f"/files/{document}")
            self._page(f"/files/{document}")
        self._outbox()
        return self.fetched

    def _lists(self, searches: Iterable[str], process_keys: Iterable[str]) -> tuple[set[str], set[str]]:
        tasks: set[str] = set()
        for state in TASK_STATES:
            tasks |= self._ids(self._api("/tasks", state=state, limit=PAGE))
        instances = self._ids(self._api("/process-instances", limit=PAGE))
        self._api("/process-instances", format="csv")
        for status in ("active", "completed", "cancelled", "error"):
            instances |= self._ids(self._api("/process-instances", status=status, limit=PAGE))
        for search in searches:
            instances |= self._ids(self._api("/process-instances", q=search, limit=PAGE))
            self._api("/process-instances", q=search, format="csv")
        for key in process_keys:
            self._api(f"/process-definitions/{key}/instances", limit=PAGE)
        self._api("/notifications", limit=PAGE)
        self._api("/retention/due", limit=PAGE)
        for path in ("/", "/tasks", "/cases?status=", "/cases", "/notifications", "/start", "/retention"):
            self._page(path)
        return tasks, instances

    def _api(self, path: str, **query: Any) -> Any:
        response = self.api.get(API + path, headers=self.headers, query_string=query)
        self._keep(f"GET {API}{path}" + (f"?{urlencode(query)}" if query else ""), response)
        return response

    def _page(self, path: str) -> Any:
        response = self.pages.get(path)
        self._keep(f"page {path}", response)
        return response

    def _keep(self, where: str, response: Any) -> None:
        self.fetched.append(Fetched(where, response.status_code, response.get_data(as_text=True)))

    @staticmethod
    def _ids(response: Any) -> set[str]:
        if response.status_code != 200:
            return set()
        return {item["id"] for item in response.get_json()["items"]}

    def _outbox(self) -> None:
        """What was sent or is waiting to be sent to the user: every channel, subject and both bodies."""
        with transaction(self.factory) as session:
            rows = session.scalars(select(Notification).where(Notification.recipient == self.username))
            for row in rows:
                self.fetched.append(Fetched(f"outbox #{row.id} ({row.channel}, {row.kind})", 200,
                                            "\n".join((row.subject, row.body, row.body_html or ""))))
