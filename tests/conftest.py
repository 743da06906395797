"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when LIF_TEST_POSTGRES_URL is
set), a fixed aware ``now``, actors for each role, and helpers to deploy fixture bundles."""
from __future__ import annotations

import os
import uuid

# Every workflow dump in the test suite is checked against SpiffWorkflow's own full serialization: the sessions
# of ``factory`` carry it (VERIFIED), and so do apps and commands built from ``Config.from_env()``.
# LIF_SPIFF_FAST_PATHS=0 runs the suite on the library's own serialization and walks.
os.environ.setdefault("LIF_VERIFY_DUMPS", "1")
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.people import accounts
from engine.bundles import definitions
from engine.cases import runtime
from engine.config import StepSettings
from engine.store.db import make_engine, make_session_factory, transaction
from engine.records import Actor
from engine.store.schema import create_schema

FIXTURES = Path(__file__).parent / "fixtures" / "bundles"
REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)  # a Tuesday
VERIFIED = StepSettings(verify_dumps=True,  # the default limits, every dump checked
                        spiff_fast_paths=os.environ.get("LIF_SPIFF_FAST_PATHS", "1") != "0")


def _database_urls() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("LIF_TEST_POSTGRES_URL"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_database_urls())
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lif.sqlite3'}"
        return
    base = os.environ["LIF_TEST_POSTGRES_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    create_schema(engine)
    runtime.WORKFLOWS.clear()
    yield engine
    runtime.WORKFLOWS.clear()
    engine.dispose()


@pytest.fixture
def restore_every_step():
    """Force every step to restore the workflow from its stored JSON (save and restore between steps)."""
    runtime.WORKFLOWS.enabled = False
    yield
    runtime.WORKFLOWS.enabled = True


@pytest.fixture
def factory(db):
    return make_session_factory(db, VERIFIED)


@pytest.fixture
def session(factory):
    """A session inside one transaction, rolled back at the end."""
    s = factory()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def partnership(factory):
    """Agencies and one user per role (plus agency reviewers)."""
    with transaction(factory) as s:
        for key, name in [("police", "Police"), ("csc", "Children's Social Care"), ("health", "Health Trust")]:
            accounts.add_agency(s, key, name, actor=None, now=NOW)
        accounts.add_user(s, "cora", roles=["coordinator"], password="coordinator-pass", actor=None, now=NOW)
        accounts.add_user(s, "chad", roles=["chair"], password="chair-pass-1", actor=None, now=NOW)
        accounts.add_user(s, "dee", roles=["designer"], password="designer-pass", actor=None, now=NOW)
        accounts.add_user(s, "adam", roles=["admin"], password="admin-pass-1", actor=None, now=NOW)
        accounts.add_user(s, "pat", roles=["reviewer"], agency_key="police", password="reviewer-pass",
                          actor=None, now=NOW)
        accounts.add_user(s, "sam", roles=["reviewer"], agency_key="csc", password="reviewer-pass",
                          actor=None, now=NOW)
        accounts.add_user(s, "hana", roles=["reviewer"], agency_key="health", password="reviewer-pass",
                          actor=None, now=NOW)
    return {
        "coordinator": Actor("cora", frozenset({"coordinator"})),
        "chair": Actor("chad", frozenset({"chair"})),
        "designer": Actor("dee", frozenset({"designer"})),
        "admin": Actor("adam", frozenset({"admin"})),
        "police": Actor("pat", frozenset({"reviewer"}), "police"),
        "csc": Actor("sam", frozenset({"reviewer"}), "csc"),
        "health": Actor("hana", frozenset({"reviewer"}), "health"),
    }


@pytest.fixture
def deploy(factory):
    """Deploy a fixture bundle by folder name (or a path); returns its DefinitionInfo."""
    def _deploy(name_or_path, key=None):
        path = Path(name_or_path) if os.sep in str(name_or_path) else FIXTURES / name_or_path
        from engine.bundles.parsing import read_bundle_dir
        with transaction(factory) as s:
            info, _ = definitions.deploy_bundle(s, key or path.name, read_bundle_dir(path), actor="dee", now=NOW)
        return info
    return _deploy
