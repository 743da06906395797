"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when LIF_TEST_POSTGRES_URL is
set), a fixed aware ``now``, actors for each role, and helpers to deploy fixture bundles."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from functools import cache

# Every workflow dump in the test suite is checked against SpiffWorkflow's own full serialization: the sessions
# of ``factory`` carry it (VERIFIED), and so do apps and commands built from ``Config.from_env()``.
# LIF_SPIFF_FAST_PATHS=0 runs the suite on the library's own serialization and walks.
os.environ.setdefault("LIF_VERIFY_DUMPS", "1")
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from engine.bundles import definitions
from engine.bundles import parsing as bundle_parsing
from engine.cases import runtime
from engine.config import StepSettings
from engine.people import accounts
from engine.records import Actor
from engine.store.db import make_engine, make_session_factory, transaction
from engine.store.schema import create_schema

FIXTURES = Path(__file__).parent / "fixtures" / "bundles"
REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
VERIFIED = StepSettings(verify_dumps=True,  # the default limits, every dump checked
                        spiff_fast_paths=os.environ.get("LIF_SPIFF_FAST_PATHS", "1") != "0",
                        child_match_secret="the-test-suite-child-match-secret-0123456789")


def pytest_report_header(config):
    return _database_line()


def pytest_terminal_summary(terminalreporter):
    """The databases the run used, in one line even under ``-q`` (which hides the report header): a run without
    PostgreSQL says so instead of leaving its tests out silently."""
    terminalreporter.write_line(_database_line())


def _database_line() -> str:
    if os.environ.get("LIF_TEST_POSTGRES_URL"):
        return "databases: SQLite and PostgreSQL (LIF_TEST_POSTGRES_URL)"
    return "databases: SQLite only; PostgreSQL not configured (set LIF_TEST_POSTGRES_URL to run on it too)"


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


@cache
def _sqlite_template() -> Path:
    """An SQLite database with the schema, made once a test process: a test's database is a copy of it (about 1 ms
    against 25 ms to create the tables and triggers each time)."""
    path = Path(tempfile.mkdtemp(prefix="lif-schema-")) / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    return path


@pytest.fixture
def db(db_url):
    sqlite_file = Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite:///") else None
    copied = sqlite_file is not None and not sqlite_file.exists()
    if copied:
        shutil.copyfile(_sqlite_template(), sqlite_file)
    engine = make_engine(db_url)
    if not copied:
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


# The partnership's users: (username, role, agency), and each one's password.
USERS = [("cora", "coordinator", None), ("chad", "chair", None), ("dee", "designer", None), ("adam", "admin", None),
         ("pat", "reviewer", "police"), ("sam", "reviewer", "csc"), ("hana", "reviewer", "health"),
         ("lena", "partner", "csc"), ("ivy", "partner", "health"), ("paul", "partner", "police"),
         ("scot", "scrutineer", None)]
PASSWORDS = {"cora": "coordinator-pass", "chad": "chair-pass-1", "dee": "designer-pass", "adam": "admin-pass-1",
             "pat": "reviewer-pass", "sam": "reviewer-pass", "hana": "reviewer-pass", "lena": "partner-pass",
             "ivy": "partner-pass", "paul": "partner-pass", "scot": "scrutineer-pass"}
AGENCIES = [("police", "Police"), ("csc", "Children's Social Care"), ("health", "Health Trust")]
# The statutory partners: children's social care for the local authority, the health trust standing in for the
# integrated care board, and the police; each with a partner (a delegated safeguarding lead).
PARTNER_KINDS = {"csc": "la", "health": "icb", "police": "police"}
PARTNERS = {"csc": "lena", "health": "ivy", "police": "paul"}
BY_ROLE = {"coordinator": "cora", "chair": "chad", "designer": "dee", "admin": "adam", "police": "pat", "csc": "sam",
           "health": "hana", "scrutineer": "scot", **{f"partner:{a}": u for a, u in PARTNERS.items()}}


@cache
def _parsed(key, content_hash, files_items):
    return bundle_parsing.parse_bundle(key, dict(files_items))


def parse_once(key, files):
    """``parse_bundle`` for deploys, once per bundle content in a test process: the checks (JSON Schema's
    meta-schema, views, templates) cost about 0.3 s a bundle, and hundreds of tests deploy the same six. A bundle
    that is refused raises every time (an exception is never cached)."""
    return _parsed(key, bundle_parsing.content_hash(files), tuple(sorted(files.items())))


@pytest.fixture(autouse=True)
def bundles_parsed_once(monkeypatch):
    monkeypatch.setattr(definitions, "parse_bundle", parse_once)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Real argon2id, with its smallest costs: at the default cost each partnership (seven users) and each
    sign-in would take about a second. Tests that count or slow the hashing put their own hasher in place."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def partnership(factory):
    """Three agencies, each a statutory partner, and one user per role (a reviewer and a partner for each agency);
    their actors keyed by role, by agency for the reviewers (``partnership["police"]`` is pat), and as
    ``partner:<agency>`` for the partners (``partnership["partner:police"]`` is paul)."""
    with transaction(factory) as s:
        for key, name in AGENCIES:
            accounts.add_agency(s, key, name, actor=None, now=NOW)
            accounts.set_partner_kind(s, key, PARTNER_KINDS[key], actor=None, now=NOW)
        for username, role, agency in USERS:
            accounts.add_user(s, username, roles=[role], agency_key=agency, password=PASSWORDS[username],
                              actor=None, now=NOW)
    actors = {username: Actor(username, frozenset({role}), agency) for username, role, agency in USERS}
    return {key: actors[username] for key, username in BY_ROLE.items()}


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
