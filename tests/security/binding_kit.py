"""Fixtures for the release and ReDoS tests: the partnership with the shipped bundles deployed (as in
tests/scenarios) and the clock held at ``NOW``, a few more people so that "who may see this" has someone to be
wrong about, and the API app on the same database."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.people import accounts
from engine.store.db import transaction
from engine.store.models import User
from tests.api.conftest import api  # noqa: F401
from tests.conftest import NOW
from tests.conftest import PASSWORDS as _PARTNERSHIP_PASSWORDS
from tests.scenarios.conftest import app, auth, client, shipped, traveller  # noqa: F401
from tests.scenarios.scenarios_kit import Scenario

# A second chair, a second police reviewer, a second coordinator and a second police partner (the partnership
# already has a reviewer and a partner in each partner agency, and the independent scrutineer).
MORE_PEOPLE = [("chloe", "chair", None), ("rob", "reviewer", "police"), ("cole", "coordinator", None),
               ("pia", "partner", "police")]
PASSWORDS = {**_PARTNERSHIP_PASSWORDS, "chloe": "chair-pass-2", "rob": "reviewer-pass", "cole": "coordinator-pass",
             "pia": "partner-pass"}


@pytest.fixture
def crowd(factory, partnership):  # noqa: F811
    """Every user of the partnership and ``MORE_PEOPLE``, as actors by username."""
    with transaction(factory) as s:
        for username, role, agency in MORE_PEOPLE:
            accounts.add_user(s, username, roles=[role], agency_key=agency, password=PASSWORDS[username],
                              actor=None, now=NOW)
        return {u.username: accounts.actor_for(u) for u in s.scalars(select(User))}


@pytest.fixture
def run(factory, crowd, shipped, traveller):  # noqa: F811
    """The scenario driver (``tests.scenarios.scenarios_kit.Scenario``) on the shipped bundles."""
    return Scenario(factory, traveller)
