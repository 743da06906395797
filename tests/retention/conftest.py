"""Retention fixtures: the shipped bundles deployed and the scenario driver (``tests/scenarios``) with its clock
held by time-machine (not ticking), and the app on the same database for the API, page and CLI tests."""
from __future__ import annotations

import pytest
import time_machine

from engine.config import Config
from tests.conftest import NOW
from tests.scenarios.conftest import run, shipped  # noqa: F401  (the five bundles and the scenario driver)
from web import create_app

from .retention_kit import Web


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as moved:
        yield moved


@pytest.fixture
def app(db_url, db, tmp_path, partnership):
    config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none")
    app = create_app(config)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


@pytest.fixture
def web(app):
    """API calls and pages as any user of the partnership, signing in afresh at the travelled time."""
    return Web(app)


@pytest.fixture
def bundle_copy(tmp_path):
    """A copy of a fixture bundle with text replaced in its diagram (as ``tests/engine``'s)."""
    import shutil

    from tests.conftest import FIXTURES

    def _copy(name, *, replace):
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        path = target / f"{name}.bpmn"
        text = path.read_text(encoding="utf-8")
        for old, new in replace.items():
            assert old in text, old
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        return target
    return _copy
