"""API fixtures: an app on the test database, a client, and bearer tokens for each demo role.

Every API test runs with the clock moved (time-machine, ticking) to ``NOW``, a Tuesday, so due dates,
business keys and token expiry are the same on every run; ``traveller.shift(...)`` moves it on.
"""
from __future__ import annotations

import pytest
import time_machine
from argon2 import PasswordHasher

from engine.people import accounts

from engine.config import Config
from tests.conftest import NOW
from web import create_app

from .apitest import Api


@pytest.fixture(autouse=True)
def traveller():
    """The clock, at ``NOW`` and ticking (autouse, so it is set before any token is issued)."""
    with time_machine.travel(NOW, tick=True) as moved:
        yield moved


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """argon2 still, with the smallest costs: the partnership's seven users and every sign-in stay fast."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app(db_url, db, tmp_path):
    config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none")
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


PASSWORDS = {"cora": "coordinator-pass", "chad": "chair-pass-1", "dee": "designer-pass", "adam": "admin-pass-1",
             "pat": "reviewer-pass", "sam": "reviewer-pass", "hana": "reviewer-pass"}


@pytest.fixture
def auth(client, partnership):
    """``auth("pat")`` gives headers with a bearer token for that user."""
    cache = {}

    def _auth(username):
        if username not in cache:
            response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[username]})
            assert response.status_code == 200, response.json
            cache[username] = {"Authorization": f"Bearer {response.json['token']}"}
        return cache[username]
    return _auth


@pytest.fixture
def api(client, auth, db):
    """A driver for the common steps (deploy, start, read) with checked answers; see ``apitest.Api``."""
    return Api(client, auth, db)
