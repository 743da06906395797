"""Fixtures of the action register's tests: the shipped action plan bundle, three plan cases with the seeded
actions (``actions_kit.SEED``), and the web fixtures (the app, signed-in clients, bearer tokens)."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORDS, REPO
from tests.web.conftest import (  # noqa: F401  (the page tests' app, clients, clock, front end)
    app,
    as_user,
    cdop,
    front_end,
    traveller,
)

from .actions_kit import seed, start_plans


@pytest.fixture
def action_plan_bundle(deploy):
    return deploy(REPO / "workflows" / "action_plan")


@pytest.fixture
def plans(factory, partnership, action_plan_bundle):
    """Three plan cases started by hand, with the seeded actions: (plan ids, row id of each action key)."""
    plan_ids = start_plans(factory, partnership["coordinator"])
    return plan_ids, seed(factory, plan_ids)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(client):
    """``auth("pat")``: headers with a bearer token for that user."""
    cache: dict[str, dict[str, str]] = {}

    def _auth(username):
        if username not in cache:
            answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[username]})
            assert answer.status_code == 200, answer.json
            cache[username] = {"Authorization": f"Bearer {answer.json['token']}"}
        return cache[username]
    return _auth
