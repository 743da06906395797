"""Messages between instances, with LIF as the broker: a message from outside.

A message reaches every instance waiting for it whose correlation matches (``correlation``); delivering it
is a step of each receiving case (``step.deliver``). A message nobody waits for starts every process whose
diagram begins with a message start event of that name.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..errors import InvalidData
from ..store import audit
from . import step
from .correlation import Message, waiting_targets


def send_message(session: Session, name: str, correlation: dict[str, Any], payload: Any, *, actor: str | None,
                 now: datetime) -> list[str]:
    """Deliver a message from outside; the ids of the instances it reached (or started)."""
    if not name or not isinstance(correlation, dict):
        raise InvalidData("invalid message", [{"field": "name", "message": "is required"}])
    message = Message(name, payload, correlation)
    if not correlation and len(waiting_targets(session, message, None)) > 1:
        # without a correlation every waiting case would take it: one case's data written into all of them
        raise InvalidData("several cases wait for this message: give its correlation to say which one",
                          [{"field": "correlation", "message": "is required when several cases wait for the message"}])
    delivered = step.deliver(session, message, actor=actor, now=now, source_id=None)
    # correlation keys, not values: a value can be anything a bundle correlates on, a date of birth included
    audit.record(session, "message.received", actor=actor, now=now, name=name, correlation_keys=sorted(correlation),
                 delivered_to=delivered)
    return delivered
