"""The themes lessons are filed under, which the coordinators keep: add one (its key made from its name), rename it,
retire it (it stays on the lessons that have it and leaves the forms' choices), restore it, and move it up or down
the list the forms offer. Every change is audited. The forms read the active themes through
``engine.people.accounts.form_context``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, Forbidden, InvalidData, NotFound
from ..records import Actor
from ..store import audit
from ..store.models import LearningTheme

MAX_NAME = 120
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    position: int
    retired_at: datetime | None

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @classmethod
    def of(cls, row: LearningTheme) -> Theme:
        return cls(key=row.key, name=row.name, position=row.position, retired_at=row.retired_at)


def active_themes(session: Session) -> list[Theme]:
    """The themes a form offers, in the coordinators' order."""
    rows = session.scalars(select(LearningTheme).where(LearningTheme.retired_at.is_(None))
                           .order_by(LearningTheme.position, LearningTheme.key))
    return [Theme.of(row) for row in rows]


def all_themes(session: Session) -> list[Theme]:
    """Every theme: the active ones first, in their order, then the retired ones."""
    rows = session.scalars(select(LearningTheme).order_by(LearningTheme.retired_at.is_not(None),
                                                          LearningTheme.position, LearningTheme.name))
    return [Theme.of(row) for row in rows]


def theme_names(session: Session) -> dict[str, str]:
    """Every theme's name by key, retired ones too: an old lesson keeps its theme's name."""
    return dict(session.execute(select(LearningTheme.key, LearningTheme.name)).tuples().all())


def add_theme(session: Session, name: str, *, actor: Actor, now: datetime) -> Theme:
    """A new active theme at the end of the list; its key is made from its name (``Online harm`` is
    ``online_harm``, or ``online_harm_2`` when that key is taken)."""
    _require_coordinator(actor)
    name = _checked_name(session, name)
    key = _free_key(session, _key_of(name))
    last = session.scalar(select(func.max(LearningTheme.position)))
    row = LearningTheme(key=key, name=name, position=(last if last is not None else -1) + 1, retired_at=None)
    session.add(row)
    audit.record(session, "learning_theme.added", actor=actor.username, now=now, key=key)
    session.flush()
    return Theme.of(row)


def rename_theme(session: Session, key: str, name: str, *, actor: Actor, now: datetime) -> Theme:
    """A new name for a theme; lessons filed under it show the new name (they keep its key)."""
    _require_coordinator(actor)
    row = _theme(session, key)
    name = _checked_name(session, name, but=row.key)
    row.name = name
    audit.record(session, "learning_theme.renamed", actor=actor.username, now=now, key=key)
    session.flush()
    return Theme.of(row)


def retire_theme(session: Session, key: str, *, actor: Actor, now: datetime) -> Theme:
    """The theme leaves the forms' choices; lessons already filed under it keep it."""
    _require_coordinator(actor)
    row = _theme(session, key)
    if row.retired_at is not None:
        raise Conflict(f"the theme {row.name!r} is already retired")
    row.retired_at = now
    audit.record(session, "learning_theme.retired", actor=actor.username, now=now, key=key)
    session.flush()
    return Theme.of(row)


def restore_theme(session: Session, key: str, *, actor: Actor, now: datetime) -> Theme:
    """A retired theme back in the forms' choices, at the end of the list."""
    _require_coordinator(actor)
    row = _theme(session, key)
    if row.retired_at is None:
        raise Conflict(f"the theme {row.name!r} is in use already")
    last = session.scalar(select(func.max(LearningTheme.position)).where(LearningTheme.retired_at.is_(None)))
    row.retired_at, row.position = None, (last if last is not None else -1) + 1
    audit.record(session, "learning_theme.restored", actor=actor.username, now=now, key=key)
    session.flush()
    return Theme.of(row)


def move_theme(session: Session, key: str, direction: str, *, actor: Actor, now: datetime) -> list[Theme]:
    """The theme one place ``up`` or ``down`` among the active themes (no change at either end); the new order."""
    _require_coordinator(actor)
    if direction not in ("up", "down"):
        raise InvalidData("unknown direction", [{"field": "direction", "message": "must be up or down"}])
    row = _theme(session, key)
    if row.retired_at is not None:
        raise Conflict(f"the theme {row.name!r} is retired: restore it to move it")
    rows = list(session.scalars(select(LearningTheme).where(LearningTheme.retired_at.is_(None))
                                .order_by(LearningTheme.position, LearningTheme.key)))
    at = rows.index(row)
    other = at - 1 if direction == "up" else at + 1
    if 0 <= other < len(rows):
        rows[at], rows[other] = rows[other], rows[at]
        for position, theme in enumerate(rows):  # renumbered, so equal positions of old data cannot stick
            theme.position = position
        audit.record(session, "learning_theme.moved", actor=actor.username, now=now, key=key, direction=direction)
        session.flush()
    return [Theme.of(r) for r in rows]


def _require_coordinator(actor: Actor) -> None:
    if not actor.has("coordinator"):
        raise Forbidden("only coordinators manage the learning themes")


def _theme(session: Session, key: str) -> LearningTheme:
    row = session.get(LearningTheme, key) if isinstance(key, str) and len(key) <= 64 else None
    if row is None:
        raise NotFound("no such learning theme")
    return row


def _checked_name(session: Session, name: str, *, but: str | None = None) -> str:
    """The name, trimmed, when it is given, short enough and not another theme's (in any case of letters)."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidData("enter the theme's name", [{"field": "name", "message": "Enter the theme's name"}])
    if len(name) > MAX_NAME:
        raise InvalidData("the name is too long", [{"field": "name",
                                                    "message": f"The name must be {MAX_NAME} characters or fewer"}])
    if not _key_of(name):
        raise InvalidData("the name needs letters", [{"field": "name",
                                                      "message": "The name must have letters or digits in it"}])
    same = session.scalar(select(LearningTheme).where(func.lower(LearningTheme.name) == name.lower(),
                                                      LearningTheme.key != (but or "")))
    if same is not None:
        retired = " (it is retired: restore it instead)" if same.retired_at is not None else ""
        message = f"There is already a theme called {same.name}{retired}"
        raise InvalidData("a theme has that name", [{"field": "name", "message": message}])
    return name


def _key_of(name: str) -> str:
    return _NOT_KEY.sub("_", name.lower()).strip("_")[:56]


def _free_key(session: Session, base: str) -> str:
    taken = set(session.scalars(select(LearningTheme.key).where(LearningTheme.key.startswith(base, autoescape=True))))
    if base not in taken:
        return base
    return next(f"{base}_{n}" for n in range(2, len(taken) + 3) if f"{base}_{n}" not in taken)
