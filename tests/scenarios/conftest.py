"""Scenario fixtures: the five shipped bundles deployed, every step saved and restored from the database, and
a driver holding the clock (time-machine, not ticking) at ``NOW``. The API fixtures are reused from tests/api.

Two shortcuts keep some sixty end-to-end scenarios quick, without changing what they exercise: each bundle is
parsed once per test session (deploying still stores a new version through ``definitions.deploy_bundle``), and
the test partnership's password hashes are computed once and reused."""
from __future__ import annotations

from functools import lru_cache

import pytest
import time_machine

from engine.people import accounts
from engine.bundles import parsing as bundles, definitions
from engine.store.db import transaction
from engine.records import Actor
from tests.api.conftest import PASSWORDS, app, auth, client  # noqa: F401  (fixtures for the API deploy test)
from tests.conftest import NOW, REPO

from .kit import Scenario

WORKFLOWS = REPO / "workflows"
SHIPPED = ("scr", "cdop", "section11", "action_plan", "case_audit")


@lru_cache(maxsize=None)
def _parsed(key, content_hash, files_items):
    return bundles.parse_bundle(key, dict(files_items))


def _parse_once(key, files):
    return _parsed(key, bundles.content_hash(files), tuple(sorted(files.items())))


_HASH_PASSWORD = accounts.hash_password


@lru_cache(maxsize=None)
def _hash(password):
    return _HASH_PASSWORD(password)


USERS = [("cora", "coordinator", None), ("chad", "chair", None), ("dee", "designer", None), ("adam", "admin", None),
         ("pat", "reviewer", "police"), ("sam", "reviewer", "csc"), ("hana", "reviewer", "health")]


@pytest.fixture
def partnership(factory, monkeypatch):
    """The partnership of tests/conftest.py (same agencies, users, passwords and actors), with each password
    hashed once per session."""
    monkeypatch.setattr(accounts, "hash_password", _hash)
    with transaction(factory) as s:
        for key, name in [("police", "Police"), ("csc", "Children's Social Care"), ("health", "Health Trust")]:
            accounts.add_agency(s, key, name, actor=None, now=NOW)
        for username, role, agency in USERS:
            accounts.add_user(s, username, roles=[role], agency_key=agency, password=PASSWORDS[username],
                              actor=None, now=NOW)
    actors = {username: Actor(username, frozenset({role}), agency) for username, role, agency in USERS}
    return {"coordinator": actors["cora"], "chair": actors["chad"], "designer": actors["dee"],
            "admin": actors["adam"], "police": actors["pat"], "csc": actors["sam"], "health": actors["hana"]}


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
    """The scenario driver (see ``kit.Scenario``), with every step restored from the stored state."""
    return Scenario(factory, traveller)
