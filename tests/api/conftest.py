"""API fixtures: an app on the test database, a client, and bearer tokens for each demo role.

Every API test runs with the clock moved (time-machine, ticking) to ``NOW``, a Tuesday, so due dates,
business keys and token expiry are the same on every run; ``traveller.shift(...)`` moves it on.
"""
from __future__ import annotations

import pytest
import time_machine

from engine.config import Config
from tests.conftest import NOW, PASSWORDS
from web import create_app

from .api_kit import Api


@pytest.fixture(autouse=True)
def traveller():
    """The clock, at ``NOW`` and ticking (autouse, so it is set before any token is issued)."""
    with time_machine.travel(NOW, tick=True) as moved:
        yield moved


@pytest.fixture
def app(db_url, db, tmp_path):
    config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none")
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


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
    """A driver for the common steps (deploy, start, read) with checked answers; see ``api_kit.Api``."""
    return Api(client, auth, db)
