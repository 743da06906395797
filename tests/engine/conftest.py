"""Fixtures for the engine tests (helpers live in ``engine_kit``)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .engine_kit import BUNDLES, Cases


def pytest_collection_modifyitems(config, items):
    """Engine tests run on PostgreSQL too (when LIF_TEST_POSTGRES_URL is set) only where marked ``postgres``:
    the modules whose subject depends on the database (locking, triggers, SQL, stored JSON and times).
    The rest is database-independent logic, and a fresh PostgreSQL schema per test costs half a second."""
    here = Path(__file__).resolve().parent
    keep, drop = [], []
    for item in items:
        inside = here in Path(str(item.path)).resolve().parents
        on_postgres = "[postgresql" in item.nodeid
        (drop if inside and on_postgres and item.get_closest_marker("postgres") is None else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def cases(factory, partnership):
    return Cases(factory, partnership)


@pytest.fixture
def bundle_copy(tmp_path):
    """Copy a fixture bundle to a temporary folder named ``key`` and apply text replacements to one file."""
    def _copy(name: str, key: str | None = None, *, file: str | None = None,
              replace: dict[str, str] | None = None, source: Path = BUNDLES) -> Path:
        target = tmp_path / (key or name)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source / name, target)
        if replace:
            path = target / (file or f"{name}.bpmn")
            text = path.read_text(encoding="utf-8")
            for old, new in replace.items():
                assert old in text, f"{old!r} not in {path.name}"
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")
        return target
    return _copy
