"""Notifications and the scheduler: turns engine events and due deadlines into notifications (the outbox,
in-app and e-mail channels, the reminder and escalation ladder, digests) and runs the periodic sweep.

``install(config)`` wires the room to the engine's events; composition roots (``web.create_app`` and the
``lif`` command line) call it once.
"""
from __future__ import annotations

from engine import events
from engine.config import Config


def install(config: Config) -> None:
    from . import ladder, settings

    settings.use(config)
    events.subscribe(events.TaskReady, ladder.on_task_ready)
    events.subscribe(events.TaskClosed, ladder.on_task_closed)
    events.subscribe(events.DeadlineChanged, ladder.on_deadline_changed)
