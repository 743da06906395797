"""In-process engine events. Services publish them inside the step's transaction; subscribers (the
notifications room registers some) write their own rows in the same session, so a rolled-back step leaves
nothing behind and a committed one never misses its notifications. The engine imports no subscriber."""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskReady:
    task_id: str
    instance_id: str
    actor: str | None = None  # who took the step that made it ready


@dataclass(frozen=True)
class TaskClosed:
    task_id: str
    instance_id: str
    state: str


@dataclass(frozen=True)
class DeadlineChanged:
    task_id: str
    instance_id: str
    reason: str


@dataclass(frozen=True)
class ChallengeRaised:
    """The independent scrutineer commented on a step: the coordinators are told."""
    comment_id: int
    task_id: str
    instance_id: str


Handler = Callable[[Session, Any, datetime], None]
_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type, handler: Handler) -> None:
    """Call ``handler`` for each event of the type; one equal to it already subscribed is replaced in its place
    (a room installed again, with its new settings, never runs twice)."""
    found = _handlers[event_type]
    if handler in found:
        found[found.index(handler)] = handler
    else:
        found.append(handler)


def publish(session: Session, event: Any, now: datetime) -> None:
    for handler in list(_handlers[type(event)]):
        handler(session, event, now)


def clear() -> None:
    _handlers.clear()
