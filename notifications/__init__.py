"""Notifications and the scheduler: turns engine events and due deadlines into notifications (the outbox,
in-app and email channels, the reminder and escalation ladder, digests) and runs the periodic sweep.

``install(config)`` wires the room to the engine's events; the composition root (``web.boot.boot``, used by
``web.create_app`` and every ``lif`` command) calls it. The room keeps no settings of its own: what a handler
needs from the configuration (the address links point at) is given to it here, and the sweep is given ``Config``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import events
from engine.config import Config


def install(config: Config) -> None:
    from . import ladder

    events.subscribe(events.TaskReady, _Linked(ladder.on_task_ready, config.base_url))
    events.subscribe(events.TaskClosed, ladder.on_task_closed)
    events.subscribe(events.DeadlineChanged, ladder.on_deadline_changed)
    events.subscribe(events.ChallengeRaised, _Linked(ladder.on_challenge, config.base_url))


@dataclass(frozen=True)
class _Linked:
    """An event handler given the address the room's links point at. It equals another for the same handler,
    whatever the address, so installing the room again (another app in the process) replaces it instead of
    adding a second."""
    handler: Callable[..., None]
    base_url: str = field(compare=False)

    def __call__(self, session: Session, event: Any, now: datetime) -> None:
        self.handler(session, event, now, base_url=self.base_url)
