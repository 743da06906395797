"""Fixtures for the engine tests (helpers live in ``enginetest``)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from engine import accounts
from .enginetest import BUNDLES, Cases


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Real argon2id, with the smallest cost: the default cost makes each partnership fixture take a second."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


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
