"""Helpers for the API tests: the SPEC §5 field lists, checks for error bodies and times, a driver for the
common steps, and a snapshot of every table to prove that a refused request changed nothing."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from engine.bundles.parsing import read_bundle_dir
from engine.store.db import Base
from tests.conftest import FIXTURES

API = "/api/v1"
INVALID = FIXTURES.parent / "invalid"

# SPEC §5: the fields every answer must carry (the API may add more).
TASK_FIELDS = {"id", "instance_id", "process_key", "name", "title", "state", "role", "agency", "assignee",
               "created_at", "due_at", "overdue", "completed_at", "completed_by"}
TASK_DETAIL_FIELDS = TASK_FIELDS | {"form_schema", "ui_schema", "instructions", "data", "draft"}
INSTANCE_FIELDS = {"id", "process_key", "version", "business_key", "title", "status", "created_at", "updated_at",
                   "tasks", "data"}
INSTANCE_SUMMARY_FIELDS = INSTANCE_FIELDS - {"tasks", "data"}
DEFINITION_FIELDS = {"key", "name", "version", "deployed_at"}
COMMENT_FIELDS = {"id", "author", "body", "created_at"}
TASK_TIMES = ("created_at", "due_at", "completed_at")
INSTANCE_TIMES = ("created_at", "updated_at")

_ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def iso(value: Any) -> datetime:
    """``value`` parsed as an ISO 8601 date-time that carries an offset (UTC, as SPEC §5 says)."""
    assert isinstance(value, str) and _ISO_WITH_OFFSET.match(value), f"{value!r} is not ISO 8601 with an offset"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.utcoffset() == timedelta(0), f"{value!r} is not in UTC"
    return moment


def check_times(item: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if item.get(name) is not None:
            iso(item[name])


def check_task(task: dict[str, Any], *, detail: bool = False) -> dict[str, Any]:
    """A task answer has every SPEC field, ISO times, and a state from the SPEC's list."""
    missing = (TASK_DETAIL_FIELDS if detail else TASK_FIELDS) - set(task)
    assert not missing, f"task lacks {sorted(missing)}: {task}"
    assert task["state"] in ("ready", "completed", "cancelled")
    assert isinstance(task["overdue"], bool)
    check_times(task, TASK_TIMES)
    return task


def check_instance(instance: dict[str, Any], *, summary: bool = False, without_data: bool = False
                   ) -> dict[str, Any]:
    """An instance answer has every SPEC field; a completion's answer has the instance without ``data`` (SPEC §5)."""
    expected = (INSTANCE_SUMMARY_FIELDS if summary else INSTANCE_FIELDS) - ({"data"} if without_data else set())
    missing = expected - set(instance)
    assert not missing, f"instance lacks {sorted(missing)}: {instance}"
    if without_data:
        assert "data" not in instance, f"a completion's answer carries no case data: {instance}"
    assert instance["status"] in ("active", "completed", "cancelled", "error")
    assert isinstance(instance["version"], int)
    check_times(instance, INSTANCE_TIMES)
    if not summary and not without_data:
        assert isinstance(instance["data"], dict)
        for task in instance["tasks"]:
            check_task(task)
    return instance


def check_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """``response`` is ``status`` with the one error shape ``{"error": {"code", "message", "details"}}``."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.is_json, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def detail_fields(error: dict[str, Any]) -> list[str]:
    return sorted(d["field"] for d in error["details"])


def snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, as text: two equal snapshots mean nothing was written in between."""
    with engine.connect() as conn:
        return {table.name: sorted(repr(tuple(row)) for row in conn.execute(table.select()))
                for table in Base.metadata.sorted_tables}


def bundle_files(name: str, source: Path = FIXTURES) -> dict[str, str]:
    return read_bundle_dir(source / name)


class Api:
    """The steps most tests share, each asserting the success status it expects."""

    def __init__(self, client: Any, auth: Any, db: Engine) -> None:
        self.client, self.auth, self.db = client, auth, db
        self._fresh: dict[str, dict[str, str]] = {}

    def headers(self, who: str) -> dict[str, str]:
        return self._fresh.get(who) or self.auth(who)

    def sign_in_again(self) -> None:
        """New tokens for every demo user (after the clock has moved past the old ones' expiry)."""
        from .conftest import PASSWORDS
        for username, password in PASSWORDS.items():
            r = self.client.post(API + "/auth/token", json={"username": username, "password": password})
            assert r.status_code == 200, r.json
            self._fresh[username] = {"Authorization": f"Bearer {r.json['token']}"}

    def get(self, path: str, who: str, **params: Any) -> Any:
        return self.client.get(API + path, headers=self.headers(who), query_string=params)

    def post(self, path: str, who: str, body: Any = None) -> Any:
        return self.client.post(API + path, headers=self.headers(who), json=body)

    def deploy(self, name: str, key: str | None = None, *, files: dict[str, str] | None = None) -> dict[str, Any]:
        r = self.post("/process-definitions", "dee", {"key": key or name, "files": files or bundle_files(name)})
        assert r.status_code in (200, 201), r.json
        return r.json

    def start(self, key: str, data: dict[str, Any] | None = None, *, who: str = "cora",
              business_key: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"process_key": key}
        if data is not None:
            body["data"] = data
        if business_key is not None:
            body["business_key"] = business_key
        r = self.post("/process-instances", who, body)
        assert r.status_code == 201, r.json
        return check_instance(r.json)

    def instance(self, instance_id: str, who: str = "cora") -> dict[str, Any]:
        r = self.get(f"/process-instances/{instance_id}", who)
        assert r.status_code == 200, r.json
        return check_instance(r.json)

    def task(self, task_id: str, who: str = "cora") -> dict[str, Any]:
        r = self.get(f"/tasks/{task_id}", who)
        assert r.status_code == 200, r.json
        return check_task(r.json, detail=True)

    def tasks(self, who: str, **params: Any) -> dict[str, Any]:
        r = self.get("/tasks", who, **params)
        assert r.status_code == 200, r.json
        assert set(r.json) == {"items", "total"}, r.json
        for task in r.json["items"]:
            check_task(task)
        return r.json

    def instances(self, who: str = "cora", **params: Any) -> dict[str, Any]:
        r = self.get("/process-instances", who, **params)
        assert r.status_code == 200, r.json
        assert set(r.json) == {"items", "total"}, r.json
        for instance in r.json["items"]:
            check_instance(instance, summary=True)
        return r.json

    def complete(self, task_id: str, data: dict[str, Any], who: str) -> dict[str, Any]:
        r = self.post(f"/tasks/{task_id}/complete", who, {"data": data})
        assert r.status_code == 200, r.json
        assert set(r.json) == {"task", "instance"}
        check_task(r.json["task"])
        check_instance(r.json["instance"], without_data=True)
        return r.json

    def ready(self, instance: dict[str, Any], name: str | None = None) -> list[dict[str, Any]]:
        """The instance's ready tasks (optionally those with BPMN id ``name``)."""
        return [t for t in instance["tasks"] if t["state"] == "ready" and (name is None or t["name"] == name)]

    def snapshot(self) -> dict[str, list[str]]:
        """Every table's rows, after every demo user has a token (so sign-ins do not count as changes)."""
        from .conftest import PASSWORDS
        for username in PASSWORDS:
            self.headers(username)
        return snapshot(self.db)
