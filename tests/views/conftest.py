"""Fixtures for the data-view tests: the app on the test database (its notifications room installed before any
case runs, so every notice and e-mail is written), the partnership with e-mail addresses, the five shipped bundles
deployed, and the marking scenario driver (``views_kit.MarkingScenario``) holding the clock at ``NOW``.

``LIF_TEST_WORKFLOWS`` points the bundles at another folder (say, a copy of a branch's ``workflows/``), to try
views that are not on this branch yet; the test reads it and never writes there."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import update

from engine import events
from engine.config import Config
from engine.store.db import transaction
from engine.store.models import User
from tests.conftest import NOW, REPO
from web import create_app

from .views_kit import MarkingScenario

SHIPPED = ("scr", "cdop", "section11", "action_plan", "case_audit")


def workflows_dir() -> Path:
    return Path(os.environ.get("LIF_TEST_WORKFLOWS") or REPO / "workflows")


@pytest.fixture(autouse=True)
def isolated_events():
    """The app installs the notifications room on the engine's events: put the subscribers back afterwards."""
    handlers = {kind: list(found) for kind, found in events._handlers.items()}
    yield
    events._handlers.clear()
    events._handlers.update(handlers)


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as moved:
        yield moved


@pytest.fixture
def app(db_url, db, tmp_path, partnership, factory):
    with transaction(factory) as s:
        s.execute(update(User).values(email=User.username + "@example.org"))
    config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none")
    app = create_app(config)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


@pytest.fixture
def shipped(deploy):
    return {key: deploy(workflows_dir() / key) for key in SHIPPED}


@pytest.fixture
def run(app, factory, partnership, shipped, traveller):
    return MarkingScenario(factory, traveller, config=app.extensions["lif"].config)
