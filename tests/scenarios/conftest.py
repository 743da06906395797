"""Scenario fixtures: the five shipped bundles deployed, every step saved and restored from the database, and
a driver holding the clock (time-machine, not ticking) at ``NOW``. The API fixtures are reused from tests/api.

The root conftest parses each bundle once a test process (deploying still stores a new version through
``definitions.deploy_bundle``); the partnership and its cheap password hashing are the root conftest's too."""
from __future__ import annotations

import pytest
import time_machine

from tests.api.conftest import app, auth, client  # noqa: F401  (fixtures for the API deploy test)
from tests.conftest import NOW, REPO

from .scenarios_kit import Scenario

WORKFLOWS = REPO / "workflows"
SHIPPED = ("scr", "cdop", "section11", "action_plan", "case_audit", "case_audit_programme")


@pytest.fixture
def shipped(deploy):
    """Deploy every shipped bundle from workflows/; their DefinitionInfo by key (each parsed once a test process:
    the root conftest's ``bundles_parsed_once``)."""
    return {key: deploy(WORKFLOWS / key) for key in SHIPPED}


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as moved:
        yield moved


@pytest.fixture
def run(factory, partnership, shipped, traveller, restore_every_step):
    """The scenario driver (see ``scenarios_kit.Scenario``), with every step restored from the stored state."""
    return Scenario(factory, traveller)
