"""What the web app holds: the configuration, the database engine and the session factory; ``lif()`` gives a
view the running app's (a module of its own, so views import it without importing the ``web`` package)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.config import Config
from engine.store.db import reading, transaction


@dataclass(frozen=True)
class LifContext:
    config: Config
    engine: Engine
    factory: sessionmaker[Session]

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with transaction(self.factory) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with reading(self.factory) as session:
            yield session


def lif(app: Flask | Any = None) -> LifContext:
    """The running app's context (``app``'s, or the current app's)."""
    context: LifContext = (app or current_app).extensions["lif"]
    return context
