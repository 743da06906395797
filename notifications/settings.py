"""The configuration the notifications room runs with, set once per entry point by ``install``."""
from __future__ import annotations

from engine.config import Config

_current: Config | None = None


def use(config: Config) -> None:
    global _current
    _current = config


def current() -> Config:
    if _current is None:
        raise RuntimeError("notifications.install(config) has not been called")
    return _current
