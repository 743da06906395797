"""Fixtures and helpers for the sign-in, session, token and password tests: the pages' and the API's app on the
test database with the partnership's users (CSRF off, as in tests/web), clients at chosen addresses, and a
password hasher that counts its work. Test modules import the fixtures they use from here."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import time_machine
from argon2 import PasswordHasher
from sqlalchemy import select

from engine.config import Config
from engine.people import accounts
from engine.store.db import transaction
from engine.store.models import AuditEvent
from tests.conftest import NOW
from tests.web.conftest import as_user, cdop  # noqa: F401  (fixtures, the same as the page tests')
from tests.web.web_kit import PASSWORDS, WORKFLOWS, cdop_to_agency_reports, csrf_token, deploy, sign_in, text  # noqa: F401
from web import create_app

API = "/api/v1"


class CountingHasher(PasswordHasher):
    """argon2 at its smallest costs, counting verifications: the work a sign-in does, without a stopwatch."""

    def __init__(self, **costs: int) -> None:
        super().__init__(**{"time_cost": 1, "memory_cost": 8, "parallelism": 1, **costs})
        self.verified = 0

    def verify(self, hash: Any, password: Any) -> bool:  # noqa: A002  (argon2's own parameter name)
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=True) as moved:
        yield moved


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "_HASHER", counting)
    return counting


@pytest.fixture
def make_app(hasher, traveller, db_url, db, tmp_path, partnership):
    """``make_app(**config)``: one web worker on the test database; two calls are two workers sharing it."""
    def _make(csrf: bool = False, **overrides: Any) -> Any:
        config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none",
                                 **overrides)
        app = create_app(config)
        app.config.update(TESTING=True, WTF_CSRF_ENABLED=csrf)
        return app
    return _make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def at(address: str) -> dict[str, Any]:
    """Keyword arguments for a test client's request from ``address``."""
    return {"environ_base": {"REMOTE_ADDR": address}}


def page_sign_in(client: Any, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post("/sign-in", data={"username": username, "password": password}, **at(address))


def api_sign_in(client: Any, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(f"{API}/auth/token", json={"username": username, "password": password}, **at(address))


SIGN_INS = {"page": page_sign_in, "api": api_sign_in}
OK = {"page": 302, "api": 200}


def audit_rows(factory: Any, action: str) -> list[AuditEvent]:
    with transaction(factory) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def with_config(app: Any, **changes: Any) -> None:
    """Change a running app's settings (a frozen ``Config``) for one test."""
    lif = app.extensions["lif"]
    app.extensions["lif"] = replace(lif, config=replace(lif.config, **changes))
