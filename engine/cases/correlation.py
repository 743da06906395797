"""Which cases a message reaches, with LIF as the broker.

A message reaches every instance waiting for it whose correlation matches: for each property given, the
instance's value (fixed by an earlier message, or else its retrieval expression on the instance's data) must
be equal, so two cases waiting for the same message never receive each other's. Delivering it is a step of
each receiving case (``step.deliver``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..spiff.adapter import ThrownMessage, Workflow
from ..states import InstanceStatus
from ..store.models import MessageSubscription, ProcessInstance

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Message:
    name: str
    payload: Any
    correlation: dict[str, Any] = field(default_factory=dict)

    def as_thrown(self) -> ThrownMessage:
        """The event for a message start: a new instance has no correlation yet, so it takes any."""
        return ThrownMessage(self.name, self.payload, {})

    def for_instance(self, flow: Workflow) -> ThrownMessage:
        """The event as the receiving workflow expects it: correlations grouped by correlation key, and
        simple retrieval variables present in the payload."""
        keys = flow.correlation_keys_for(self.name)
        grouped: dict[str, dict[str, Any]] = {}
        for prop, value in self.correlation.items():
            for key in keys.get(prop, []):
                grouped.setdefault(key, {})[prop] = value
        payload = self.payload
        if isinstance(payload, dict):
            payload = dict(payload)
            for prop, expression in flow.correlation_expressions_for(self.name).items():
                if prop in self.correlation and _IDENTIFIER.match(expression or ""):
                    payload.setdefault(expression, self.correlation[prop])
        return ThrownMessage(self.name, payload, grouped)


def from_thrown(event: ThrownMessage) -> Message:
    """A message a case threw, its correlation flattened to properties (the receivers group them again)."""
    flat = {prop: value for group in event.correlation.values() for prop, value in group.items()}
    return Message(event.name, event.payload, flat)


def waiting_targets(session: Session, message: Message, source_id: str | None) -> list[ProcessInstance]:
    """The active cases waiting for ``message`` with a matching correlation, never the case that threw it."""
    rows = session.scalars(select(MessageSubscription).where(MessageSubscription.message_name == message.name)
                           .order_by(MessageSubscription.id))
    ids = []
    for row in rows:
        if row.instance_id != source_id and row.instance_id not in ids and _matches(row.correlation, message):
            ids.append(row.instance_id)
    cases = (session.get(ProcessInstance, x) for x in ids)
    return [i for i in cases if i is not None and i.status == InstanceStatus.ACTIVE]


def _matches(waiting: dict[str, Any], message: Message) -> bool:
    return all(waiting.get(prop) is not None and waiting.get(prop) == value
               for prop, value in message.correlation.items())
