"""Page fixtures: the app on the test database with the partnership's users, a test client per user, and a
shipped CDOP case at its agency reports. The clock is moved to ``NOW`` (a Tuesday) and ticks, as in the API
tests. CSRF checks are off in the app these fixtures give, except where a test asks for ``csrf_app``."""
from __future__ import annotations

import pytest
import time_machine

from engine.config import Config
from tests.conftest import NOW
from web import create_app

from .browser_kit import require_front_end
from .web_kit import WORKFLOWS, cdop_to_agency_reports, deploy, sign_in


@pytest.fixture(autouse=True)
def traveller():
    with time_machine.travel(NOW, tick=True) as moved:
        yield moved


def _app(db_url, tmp_path, *, csrf: bool, https: bool = False):
    config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none",
                             https=https)
    app = create_app(config)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=csrf)
    return app


@pytest.fixture
def app(db_url, db, tmp_path, partnership):
    return _app(db_url, tmp_path, csrf=False)


@pytest.fixture
def csrf_app(db_url, db, tmp_path, partnership):
    return _app(db_url, tmp_path, csrf=True)


@pytest.fixture
def https_app(db_url, db, tmp_path, partnership):
    return _app(db_url, tmp_path, csrf=False, https=True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def as_user(app):
    """``as_user("pat")`` is a test client signed in as pat."""
    def _client(username):
        client = app.test_client()
        sign_in(client, username)
        return client
    return _client


@pytest.fixture
def cdop(factory, partnership, now):
    """The shipped CDOP bundle deployed, and a case with agency reports ready for police and csc."""
    deploy(factory, WORKFLOWS / "cdop", now)
    return cdop_to_agency_reports(factory, partnership["coordinator"], now)


@pytest.fixture(scope="session")
def front_end():
    """The browser tests' first check (``usefixtures``): the front-end build is there, or one clear failure."""
    require_front_end()
