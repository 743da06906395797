"""Document fixtures: the app on the test database (SQLite, and PostgreSQL when configured) with the partnership's
users, an API driver with their tokens, and page clients signed in as them. The clock is at ``NOW`` and ticks.
``make_app`` builds another app on the same database with other settings (a directory store, a small limit,
a clamd socket)."""
from __future__ import annotations

import pytest
import time_machine

from engine.config import Config
from tests.api.api_kit import Api
from tests.conftest import NOW, PASSWORDS
from tests.web.web_kit import sign_in
from web import create_app

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def traveller():
    with time_machine.travel(NOW, tick=True) as moved:
        yield moved


@pytest.fixture
def make_app(db_url, db, tmp_path, partnership):
    def _make(**settings):
        config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none",
                                 **settings)
        app = create_app(config)
        app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
        return app
    return _make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(client):
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
    return Api(client, auth, db)


@pytest.fixture
def as_user(app):
    """``as_user("pat")`` is a page client signed in as pat."""
    def _client(username):
        page_client = app.test_client()
        sign_in(page_client, username)
        return page_client
    return _client
