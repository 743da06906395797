"""Scenario fixtures: the five shipped bundles deployed, every step saved and restored from the database, and
a driver holding the clock (time-machine, not ticking) at ``NOW``. The API fixtures are reused from tests/api."""
from __future__ import annotations

import pytest
import time_machine

from tests.api.conftest import app, auth, client  # noqa: F401  (fixtures for the API deploy test)
from tests.conftest import NOW, REPO

from .kit import Scenario

WORKFLOWS = REPO / "workflows"
SHIPPED = ("scr", "cdop", "section11", "action_plan", "case_audit")


@pytest.fixture
def shipped(deploy):
    """Deploy every shipped bundle from workflows/; their DefinitionInfo by key."""
    return {key: deploy(WORKFLOWS / key) for key in SHIPPED}


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as moved:
        yield moved


@pytest.fixture
def run(factory, partnership, shipped, traveller, restore_every_step):
    """The scenario driver (see ``kit.Scenario``), with every step restored from the stored state."""
    return Scenario(factory, traveller)
