"""Scenario fixtures: the five shipped bundles deployed, every step saved and restored from the database, and
a driver holding the clock (time-machine, not ticking) at ``NOW``. The API fixtures are reused from tests/api.

A shortcut keeps some sixty end-to-end scenarios quick, without changing what they exercise: each bundle is
parsed once per test session (deploying still stores a new version through ``definitions.deploy_bundle``). The
partnership and its cheap password hashing are the root conftest's."""
from __future__ import annotations

from functools import cache

import pytest
import time_machine

from engine.bundles import definitions
from engine.bundles import parsing as bundles
from tests.api.conftest import app, auth, client  # noqa: F401  (fixtures for the API deploy test)
from tests.conftest import NOW, REPO

from .scenarios_kit import Scenario

WORKFLOWS = REPO / "workflows"
SHIPPED = ("scr", "cdop", "section11", "action_plan", "case_audit", "case_audit_programme")


@cache
def _parsed(key, content_hash, files_items):
    return bundles.parse_bundle(key, dict(files_items))


def _parse_once(key, files):
    return _parsed(key, bundles.content_hash(files), tuple(sorted(files.items())))


@pytest.fixture
def shipped(deploy, monkeypatch):
    """Deploy every shipped bundle from workflows/; their DefinitionInfo by key."""
    monkeypatch.setattr(definitions, "parse_bundle", _parse_once)
    return {key: deploy(WORKFLOWS / key) for key in SHIPPED}


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as moved:
        yield moved


@pytest.fixture
def run(factory, partnership, shipped, traveller, restore_every_step):
    """The scenario driver (see ``scenarios_kit.Scenario``), with every step restored from the stored state."""
    return Scenario(factory, traveller)
