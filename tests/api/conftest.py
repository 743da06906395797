"""API fixtures: an app on the test database, a client, and bearer tokens for each demo role."""
from __future__ import annotations

import pytest

from engine.config import Config
from web import create_app


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
